"""Scoring: score sheets, targets, rankings and award proposals.

Owns its database; consumes ``thidua.registry.events`` and ``thidua.submissions.events`` into facts,
computes each school's score card and targets and each cluster's score table and proposals from the
campaign's rules, and publishes the results on ``thidua.scoring.events`` with a rising revision.
"""
