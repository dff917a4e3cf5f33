"""The operators' console: a front of its own, beside the portal, that reads the suite through its APIs.

It keeps no database. The event stream, the audit trail, the mail log and the topics' activity come from
notifications' API, the boards, scores and proposals from submissions' and scoring's, school and cluster
names from the registry's, each called with the signed-in operator's own token; consumer lag, topics and
dead letters it reads from the bus as the operator's Kafka principal.
"""
