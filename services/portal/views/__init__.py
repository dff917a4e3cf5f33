"""The portal's pages, one module per kind of person, sharing the helpers of ``common``."""
