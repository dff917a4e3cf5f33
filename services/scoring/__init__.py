"""Scoring (not built yet, see issue 5): score sheets, targets, rankings, award proposals.

Will keep read models from registry and submissions events and publish on ``thidua.scoring.events``.
"""
