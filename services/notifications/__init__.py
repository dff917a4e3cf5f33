"""Notifications: reminders, e-mail, webhooks and the audit trail.

Owns its database; consumes every service's topic; keeps the audit trail of every event.
(Reminders, e-mail, webhooks and the hash chain arrive with issue 6.)
"""
