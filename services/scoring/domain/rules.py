"""Score cards, targets, the cluster score table and award proposals, all from the campaign's data.

Nothing here knows a year: templates, deductions, thresholds, bands, quotas and the vote majority are
read from the campaign each time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Json = dict[str, Any]
TIE_BREAK = "tổng điểm cao hơn, rồi nhiều chỉ tiêu đạt hơn, rồi ít điểm trừ hơn, rồi theo mã trường"
"""The stated tie-break of a score table, as the table itself says it (in Vietnamese, for its readers)."""


def template_for(campaign: Mapping[str, Any], kind: str) -> Json | None:
    """Return the year's score-sheet template for a kind of school."""
    return next((dict(s) for s in campaign["score_sheets"] if s["school_kind"] == kind), None)


def score_card(
    campaign: Mapping[str, Any],
    kind: str,
    school_filings: Sequence[Mapping[str, Any]],
    inspections: Sequence[Mapping[str, Any]],
    missed: Iterable[str],
    exempt: Iterable[str],
    eligible: bool,
) -> Json:
    """Return a school's score card with the breakdown of every point."""
    template = template_for(campaign, kind)
    sheet = next((f for f in school_filings if template and f["form"] == template["form"]), None)
    criteria = _criteria(template, sheet, inspections) if template else []
    base = round(sum(c["points"] for c in criteria), 2)
    bonus = _bonus(template, sheet) if template else 0.0
    deductions = _deductions(campaign, school_filings, set(missed), set(exempt))
    lost = round(sum(d["points"] for d in deductions), 2)
    final = round(max(0.0, base + bonus - lost), 2)
    return {
        "base": base,
        "bonus": bonus,
        "deductions": lost,
        "final": final,
        "band": band_of(campaign, final),
        "eligible": eligible,
        "breakdown": {
            "form": template["form"] if template else None,
            "score_sheet": sheet["submission_id"] if sheet else None,
            "criteria": criteria,
            "deductions": deductions,
        },
    }


def band_of(campaign: Mapping[str, Any], final: float) -> str:
    """Return the band of a final score: the first whose minimum it reaches, highest first."""
    bands = sorted(campaign.get("bands") or [], key=lambda b: -b["minimum"])
    return next((b["code"] for b in bands if final >= b["minimum"]), bands[-1]["code"] if bands else "")


def evaluate_targets(campaign: Mapping[str, Any], figures: Mapping[str, Any] | None) -> list[Json]:
    """Return each target's value, thresholds and whether it is met; a division by zero is not met."""
    results = []
    for target in campaign["targets"]:
        value = _target_value(target, figures or {})
        low, high = target.get("minimum"), target.get("maximum")
        above, below = bool(target.get("minimum_exclusive")), bool(target.get("maximum_exclusive"))
        met = (
            value is not None
            and (low is None or (value > low if above else value >= low))
            and (high is None or (value < high if below else value <= high))
        )
        results.append(
            {
                "code": target["code"],
                "description": target["description"],
                "value": value,
                "minimum": low,
                "maximum": high,
                "minimum_exclusive": above,
                "maximum_exclusive": below,
                "met": met,
            }
        )
    return results


def cluster_table(
    cards: Mapping[str, Json], targets: Mapping[str, list[Json]], codes: Mapping[str, str]
) -> list[Json]:
    """Rank a cluster's eligible schools (see TIE_BREAK); ineligible schools follow, unranked."""

    def row(school_id: str) -> Json:
        card = cards[school_id]
        met = sum(1 for t in targets.get(school_id, []) if t["met"])
        return {
            "school_id": school_id,
            "code": codes.get(school_id, school_id),
            "final": card["final"],
            "base": card["base"],
            "bonus": card["bonus"],
            "deductions": card["deductions"],
            "band": card["band"],
            "targets_met": met,
            "eligible": card["eligible"],
            "rank": None,
        }

    rows = [row(s) for s in cards]
    eligible = sorted(
        (r for r in rows if r["eligible"]),
        key=lambda r: (-r["final"], -r["targets_met"], r["deductions"], r["code"]),
    )
    for rank, r in enumerate(eligible, start=1):
        r["rank"] = rank
    return eligible + sorted((r for r in rows if not r["eligible"]), key=lambda r: r["code"])


def award_proposals(
    campaign: Mapping[str, Any], table: Sequence[Json], ballots: Sequence[Mapping[str, Any]]
) -> list[Json]:
    """Propose the top eligible schools for the flag, then merit certificates, by the rules and the vote."""
    rules = campaign["award_rules"]
    candidates = [r for r in table if r["rank"] is not None and r["final"] >= rules["score_threshold"]]
    awards = ["co_thi_dua"] * rules["flag_quota"] + ["bang_khen"] * rules["merit_quota"]
    votes = {(b["school_id"], b["award"]): b for b in ballots}
    proposals = []
    for row, award in zip(candidates, awards, strict=False):
        ballot = votes.get((row["school_id"], award))
        if ballot is None:
            status, share = "awaiting_vote", None
        else:
            share = ballot["in_favour"] / ballot["voters"] if ballot["voters"] else 0.0
            status = "proposed" if share > rules["vote_majority"] else "rejected_by_vote"
        proposals.append(
            {
                "school_id": row["school_id"],
                "award": award,
                "rank": row["rank"],
                "final": row["final"],
                "vote_share": None if share is None else round(share, 4),
                "status": status,
            }
        )
    return proposals


def _criteria(
    template: Json, sheet: Mapping[str, Any] | None, inspections: Sequence[Mapping[str, Any]]
) -> list[Json]:
    """Return each criterion's self-score and, where an inspection verified it, the verified score."""
    own = {s["criterion"]: s["points"] for s in (sheet["payload"]["scores"] if sheet else [])}
    verified: dict[str, Json] = {}
    for inspection in sorted(inspections, key=lambda i: (i["payload"]["inspected_on"], i["filed_at"])):
        for score in inspection["payload"].get("verified_scores", []):
            verified[score["criterion"]] = {
                "points": score["points"],
                "by": inspection["payload"]["inspecting_school_ids"],
                "submission_id": inspection["submission_id"],
            }
    rows = []
    for group in template["groups"]:
        for item in group["items"]:
            code, check = item["code"], verified.get(item["code"])
            points = check["points"] if check else own.get(code, 0.0)
            rows.append(
                {
                    "criterion": code,
                    "name": item["name"],
                    "max_points": item["max_points"],
                    "self_score": own.get(code),
                    "verified_score": check["points"] if check else None,
                    "verified_by": check["by"] if check else None,
                    "inspection": check["submission_id"] if check else None,
                    "points": min(float(points), float(item["max_points"])),
                }
            )
    return rows


def _bonus(template: Json, sheet: Mapping[str, Any] | None) -> float:
    maxima = {b["code"]: b["max_points"] for b in template.get("bonus", [])}
    claimed = sheet["payload"].get("bonus", []) if sheet else []
    return round(sum(min(b["points"], maxima.get(b["criterion"], 0.0)) for b in claimed), 2)


def _deductions(
    campaign: Mapping[str, Any],
    school_filings: Sequence[Mapping[str, Any]],
    missed: set[str],
    exempt: set[str],
) -> list[Json]:
    """Return which filing cost which points: late ones, and those never filed after their deadline.

    A deadline whose declared consequence is ``none`` costs nothing, late or missing. One whose
    consequence is ``ineligible`` costs points as a ``deduction`` one does, and missing it also makes
    the school ineligible (submissions declares it): the letter's rule for Form 01.
    """
    rates = campaign["deductions"]
    lost = []
    for deadline in campaign["deadlines"]:
        code = deadline["code"]
        if deadline["filer"] != "school" or code in exempt or deadline.get("consequence") == "none":
            continue
        filing = next((f for f in school_filings if f["form"] in deadline["forms"]), None)
        if filing is not None and filing["on_time"] is False:
            lost.append(
                {
                    "deadline_code": code,
                    "reason": "late",
                    "points": rates["late_per_filing"],
                    "submission_id": filing["submission_id"],
                }
            )
        elif code in missed:  # never filed; or filed, returned and not corrected where that counts missing
            lost.append(
                {
                    "deadline_code": code,
                    "reason": "missing" if filing is None else "returned_unamended",
                    "points": rates["missing_per_filing"],
                    "submission_id": None if filing is None else filing["submission_id"],
                }
            )
    return lost


def _target_value(target: Mapping[str, Any], figures: Mapping[str, Any]) -> float | None:
    """Return a target's value from the figures, or None when it cannot be computed."""
    try:
        numerator = float(figures[target["numerator"]])
        if target["measure"] != "ratio":
            return numerator
        denominator = sum(float(figures[name]) for name in str(target["denominator"]).split("+"))
    except (KeyError, TypeError, ValueError):
        return None
    return None if denominator == 0 else round(numerator / denominator, 6)
