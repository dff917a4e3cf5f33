"""Scoring's rules on the domain module alone: score cards, bands, deductions, ranking and proposals.

Every expected figure below is worked out by hand from the small campaign in this file.
"""

from __future__ import annotations

from typing import Any

import pytest

from services.scoring.domain.rules import award_proposals, band_of, cluster_table, score_card

CAMPAIGN: dict[str, Any] = {
    "score_sheets": [
        {
            "school_kind": "provincial",
            "form": "5.1",
            "groups": [
                {
                    "items": [
                        {"code": "A.1", "name": "Kế hoạch", "max_points": 10},
                        {"code": "A.2", "name": "Giảng dạy", "max_points": 20},
                    ]
                }
            ],
            "bonus": [{"code": "B.1", "max_points": 5}],
        }
    ],
    "deductions": {"late_per_filing": 1.0, "missing_per_filing": 2.0},
    "deadlines": [
        {"code": "PLAN", "filer": "school", "forms": ["01"]},
        {"code": "REPORT", "filer": "school", "forms": ["04"]},
        {"code": "CLUSTER_PLAN", "filer": "cluster_head", "forms": ["02"]},
    ],
    "bands": [
        {"code": "xuat_sac", "minimum": 28},
        {"code": "tot", "minimum": 20},
        {"code": "chua_hoan_thanh", "minimum": 0},
    ],
    "award_rules": {"score_threshold": 25, "flag_quota": 1, "merit_quota": 2, "vote_majority": 0.5},
}


def sheet(a1: float, a2: float, *bonus: float) -> dict[str, Any]:
    """Return a Form 5.1 filing scoring A.1 and A.2, with bonus claims on B.1."""
    scores = [{"criterion": "A.1", "points": a1}, {"criterion": "A.2", "points": a2}]
    claims = [{"criterion": "B.1", "points": b} for b in bonus]
    return {
        "form": "5.1",
        "submission_id": "s51",
        "on_time": True,
        "payload": {"scores": scores, "bonus": claims},
    }


def filing(form: str, on_time: bool) -> dict[str, Any]:
    return {"form": form, "submission_id": f"s{form}", "on_time": on_time, "payload": {}}


def inspection(on: str, a2: float) -> dict[str, Any]:
    payload = {
        "inspected_on": on,
        "inspecting_school_ids": ["sch_b"],
        "verified_scores": [{"criterion": "A.2", "points": a2}],
    }
    return {"submission_id": f"kt-{on}", "filed_at": f"{on}T10:00:00+07:00", "payload": payload}


@pytest.mark.parametrize(
    ("case", "filings", "inspections", "missed", "exempt", "expected"),
    [
        ("self-scores, all on time", [sheet(8, 15)], [], [], [], (23, 0, 0, 23, "tot")),
        ("a score above its maximum counts the maximum", [sheet(12, 15)], [], [], [], (25, 0, 0, 25, "tot")),
        (
            "a verified score replaces the self-score",
            [sheet(8, 15)],
            [inspection("2023-06-15", 18)],
            [],
            [],
            (26, 0, 0, 26, "tot"),
        ),
        (
            "the later inspection wins",
            [sheet(8, 15)],
            [inspection("2023-09-01", 12), inspection("2023-06-15", 18)],
            [],
            [],
            (20, 0, 0, 20, "tot"),
        ),
        ("a bonus is capped at its maximum", [sheet(8, 15, 7)], [], [], [], (23, 5, 0, 28, "xuat_sac")),
        (
            "a late plan and a missing report cost 1 + 2",
            [sheet(8, 15), filing("01", False)],
            [],
            ["REPORT"],
            [],
            (23, 0, 3, 20, "tot"),
        ),
        (
            "a plan returned and never corrected, where that counts as missing, costs the missing points",
            [sheet(8, 15), filing("01", True)],
            [],
            ["PLAN"],
            [],
            (23, 0, 2, 21, "tot"),
        ),
        (
            "an exempted deadline costs nothing",
            [sheet(8, 15)],
            [],
            ["REPORT"],
            ["REPORT"],
            (23, 0, 0, 23, "tot"),
        ),
        (
            "a cluster's deadline never costs a school",
            [sheet(8, 15)],
            [],
            ["CLUSTER_PLAN"],
            [],
            (23, 0, 0, 23, "tot"),
        ),
        (
            "no score sheet, never below zero",
            [filing("01", False)],
            [],
            ["REPORT"],
            [],
            (0, 0, 3, 0, "chua_hoan_thanh"),
        ),
    ],
)
def test_a_score_card(
    case: str,
    filings: list[dict[str, Any]],
    inspections: list[dict[str, Any]],
    missed: list[str],
    exempt: list[str],
    expected: tuple[float, float, float, float, str],
) -> None:
    card = score_card(CAMPAIGN, "provincial", filings, inspections, missed, exempt, eligible=True)
    assert (card["base"], card["bonus"], card["deductions"], card["final"], card["band"]) == expected, case


@pytest.mark.parametrize(("consequence", "deductions"), [("none", 0), ("deduction", 3), ("ineligible", 3)])
def test_what_a_deadline_costs_is_its_declared_consequence(consequence: str, deductions: float) -> None:
    deadlines = [{**d, "consequence": consequence} for d in CAMPAIGN["deadlines"]]
    campaign = {**CAMPAIGN, "deadlines": deadlines}
    filings = [sheet(8, 15), filing("01", False)]  # a late plan and (below) a missing report
    card = score_card(campaign, "provincial", filings, [], ["REPORT"], [], eligible=True)
    assert card["deductions"] == deductions


@pytest.mark.parametrize(
    ("final", "band"),
    [
        (30, "xuat_sac"),
        (28, "xuat_sac"),
        (27.99, "tot"),
        (20, "tot"),
        (19.5, "chua_hoan_thanh"),
        (0, "chua_hoan_thanh"),
    ],
)
def test_a_band_is_the_highest_whose_minimum_the_score_reaches(final: float, band: str) -> None:
    assert band_of(CAMPAIGN, final) == band


def card(final: float, deductions: float = 0, eligible: bool = True) -> dict[str, Any]:
    return {
        "final": final,
        "base": final,
        "bonus": 0,
        "deductions": deductions,
        "band": "tot",
        "eligible": eligible,
    }


def met(n: int) -> list[dict[str, Any]]:
    return [{"met": True}] * n + [{"met": False}] * (3 - n)


@pytest.mark.parametrize(
    ("case", "cards", "targets", "order"),
    [
        ("by final score", {"a": card(25), "b": card(27)}, {}, [("b", 1), ("a", 2)]),
        (
            "a tie goes to more targets met",
            {"a": card(25), "b": card(25)},
            {"a": met(1), "b": met(3)},
            [("b", 1), ("a", 2)],
        ),
        ("then to fewer deductions", {"a": card(25, 2), "b": card(25, 1)}, {}, [("b", 1), ("a", 2)]),
        ("then to the school code", {"b": card(25), "a": card(25)}, {}, [("a", 1), ("b", 2)]),
        (
            "the ineligible follow, unranked",
            {"a": card(29, eligible=False), "b": card(20)},
            {},
            [("b", 1), ("a", None)],
        ),
    ],
)
def test_the_cluster_table_ranks_eligible_schools_by_the_stated_tie_break(
    case: str, cards: dict[str, Any], targets: dict[str, Any], order: list[tuple[str, int | None]]
) -> None:
    table = cluster_table(cards, targets, {s: s.upper() for s in cards})
    assert [(r["school_id"], r["rank"]) for r in table] == order, case


def ranked(*finals: float) -> list[dict[str, Any]]:
    return [{"school_id": f"s{n}", "rank": n, "final": f} for n, f in enumerate(finals, start=1)]


def ballot(school: str, award: str, in_favour: int, voters: int = 8) -> dict[str, Any]:
    return {"school_id": school, "award": award, "in_favour": in_favour, "voters": voters}


@pytest.mark.parametrize(
    ("case", "table", "ballots", "expected"),
    [
        (
            "no vote yet",
            ranked(29, 27),
            [],
            [("s1", "co_thi_dua", "awaiting_vote"), ("s2", "bang_khen", "awaiting_vote")],
        ),
        (
            "more than half in favour is proposed; exactly half is not",
            ranked(29, 27),
            [ballot("s1", "co_thi_dua", 5), ballot("s2", "bang_khen", 4)],
            [("s1", "co_thi_dua", "proposed"), ("s2", "bang_khen", "rejected_by_vote")],
        ),
        (
            "below the threshold no award, and the quotas hold",
            ranked(29, 28, 27, 26, 24),
            [],
            [
                ("s1", "co_thi_dua", "awaiting_vote"),
                ("s2", "bang_khen", "awaiting_vote"),
                ("s3", "bang_khen", "awaiting_vote"),
            ],
        ),
        (
            "a vote for another award does not count",
            ranked(29),
            [ballot("s1", "bang_khen", 8)],
            [("s1", "co_thi_dua", "awaiting_vote")],
        ),
    ],
)
def test_award_proposals_follow_the_rules_and_the_vote(
    case: str,
    table: list[dict[str, Any]],
    ballots: list[dict[str, Any]],
    expected: list[tuple[str, str, str]],
) -> None:
    proposals = award_proposals(CAMPAIGN, table, ballots)
    assert [(p["school_id"], p["award"], p["status"]) for p in proposals] == expected, case
