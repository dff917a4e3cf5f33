"""Registry: schools, clusters, heads and campaigns.

Owns its database (an event store and its own read tables), publishes on ``thidua.registry.events``,
consumes nothing.
"""
