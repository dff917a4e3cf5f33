"""Notifications' domain: which notices an event causes, to whom, saying what (pure: no database, no file)."""
