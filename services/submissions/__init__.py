"""Submissions: every filing of the year (the letter's forms), documents, deadlines, inspections, eligibility.

Owns its database and publishes on ``thidua.submissions.events``; consumes the registry's events (its
view of schools, clusters and campaigns) and signed Form 09 confirmations on ``thidua.integration.inbound``.
Reads are scoped by role and tenant (app/visibility.py).
"""
