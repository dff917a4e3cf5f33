"""The operators' console: a front of its own, served by notifications beside its JSON API (see views)."""
