"""Deadlines at a glance: what is due next and who has not filed it, what is overdue and who never did."""

from __future__ import annotations

from services.portal.views.glance import SHOWN_NAMES, glance

BOARD = {
    "deadlines": [
        {"code": "PLAN", "title": "Kế hoạch", "filer": "school", "due": "2023-03-05"},
        {"code": "CLUSTER_PLAN", "title": "Kế hoạch của cụm", "filer": "cluster_head", "due": "2023-03-15"},
        {"code": "REPORT", "title": "Báo cáo", "filer": "school", "due": "2023-11-05"},
    ],
    "schools": [
        {"name": "Trường A", "cells": {"PLAN": {"status": "on_time"}, "REPORT": {"status": "missing"}}},
        {"name": "Trường B", "cells": {"PLAN": {"status": "missing"}, "REPORT": {"status": "missing"}}},
    ],
    "clusters": [{"cluster_id": "k", "cells": {"CLUSTER_PLAN": {"status": "missing"}}}],
}


def test_what_is_due_next_and_what_is_overdue_with_who_has_not_filed() -> None:
    early = glance(BOARD, "2023-03-01", {"k": "Cụm Một"})
    assert [d.code for d in early.upcoming] == ["PLAN", "CLUSTER_PLAN", "REPORT"] and early.overdue == []
    assert early.upcoming[0].missing == ["Trường B"] and early.upcoming[1].missing == ["Cụm Một"]
    later = glance(BOARD, "2023-03-10", {"k": "Cụm Một"})
    assert [d.code for d in later.upcoming] == ["CLUSTER_PLAN", "REPORT"]
    assert [(d.code, d.missing) for d in later.overdue] == [("PLAN", ["Trường B"])]
    assert glance(BOARD, "2023-12-01").upcoming == []


def test_only_the_first_few_who_have_not_filed_are_named_and_the_rest_counted() -> None:
    many = {**BOARD, "schools": [{"name": f"Trường {n:02d}", "cells": {}} for n in range(12)]}
    many["schools"] = [{**s, "cells": {"PLAN": {"status": "missing"}}} for s in many["schools"]]
    [plan] = [d for d in glance(many, "2023-03-01").upcoming if d.code == "PLAN"]
    assert len(plan.named) == SHOWN_NAMES and plan.others == 12 - SHOWN_NAMES


def test_a_school_given_its_own_later_day_waits_under_that_day_not_among_the_overdue() -> None:
    extended = {"status": "missing", "extended_to": "2023-03-20"}
    board = {**BOARD, "schools": [*BOARD["schools"], {"name": "Trường C", "cells": {"PLAN": extended}}]}
    later = glance(board, "2023-03-10", {"k": "Cụm Một"})
    assert [(d.code, d.missing) for d in later.overdue] == [("PLAN", ["Trường B"])]
    own = next(d for d in later.upcoming if d.due == "2023-03-20")
    assert (own.code, own.title, own.missing) == ("PLAN", "Kế hoạch (gia hạn riêng)", ["Trường C"])
    after = glance(board, "2023-03-21")
    assert [(d.due, d.missing) for d in after.overdue if d.code == "PLAN"] == [
        ("2023-03-05", ["Trường B"]),
        ("2023-03-20", ["Trường C"]),
    ]


def test_a_deadline_whose_only_filers_left_have_their_own_day_is_not_said_done() -> None:
    extended = {"status": "missing", "extended_to": "2023-03-20"}
    board = {**BOARD, "schools": [{"name": "Trường C", "cells": {"PLAN": extended}}]}
    early = glance(board, "2023-03-01")
    assert [(d.due, d.missing) for d in early.upcoming if d.code == "PLAN"] == [("2023-03-20", ["Trường C"])]
