"""Submissions (not built yet, see issue 4): every filing of the year, deadlines, inspections.

Will own its database and publish on ``thidua.submissions.events``; consumes registry events.
"""
