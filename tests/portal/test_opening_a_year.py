"""Opening a year late: every date already past is marked on the page, to be changed before opening."""

from __future__ import annotations

from datetime import date

from services.portal.views.year import passed

DEADLINES = [{"code": "PLAN", "due": "2025-03-05"}, {"code": "SCORE_SHEET", "due": "2025-11-05"}]


def test_a_date_already_past_is_marked_and_today_is_not() -> None:
    assert passed(DEADLINES, date(2025, 1, 20)) == {}
    assert passed(DEADLINES, date(2025, 3, 5)) == {}  # the due day itself still counts
    late = passed(DEADLINES, date(2025, 3, 6))
    assert list(late) == ["due.PLAN"] and "hôm nay là 06/03/2025" in late["due.PLAN"]
    assert set(passed(DEADLINES, date(2026, 12, 7))) == {"due.PLAN", "due.SCORE_SHEET"}
