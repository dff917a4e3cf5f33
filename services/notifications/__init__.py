"""Notifications: reminders, e-mail, webhooks and the audit trail.

Owns its database and publishes nothing; consumes every service's topic into the hash-chained audit
trail (one chain across replicas) and the notices (receipts, reminders, overdue, results), sends
e-mail and signed webhooks (one replica at a time, under leases), and serves the operator console.
"""
