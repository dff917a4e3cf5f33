"""The Academy's award decision (Quyết định khen thưởng): the Council's verdict on every proposal.

The clusters propose (scoring drafts the proposals from the score table and the conference's vote);
the Academy decides each one: awarded, or not awarded with a reason. Quotas per award kind are the
year's campaign data. A decision is issued once per year, with its number, date and signer, and
recorded as ``AwardsDecided`` and one ``AwardGranted`` per school awarded.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.vocabulary import AWARD_NAMES
from shared.errors import Conflict, RuleBroken
from shared.eventstore import NewEvent


def awards_stream(year: int) -> str:
    """Return the stream id of a year's award decision."""
    return f"awards-{year}"


@dataclass(frozen=True)
class Verdict:
    """The Council's verdict on one proposal: awarded, or not with a reason."""

    school_id: str
    award: str
    awarded: bool
    reason: str = ""


@dataclass(frozen=True)
class DecideAwards:
    """The command: a year's decision, its paper's particulars and a verdict per proposal."""

    year: int
    number: str
    signed_on: date
    signer_name: str
    signer_title: str
    verdicts: tuple[Verdict, ...]


def quotas(campaign: Mapping[str, Any], clusters: int) -> dict[str, int]:
    """Return how many of each award the year allows nationally: declared, else each cluster's quota."""
    rules = campaign["award_rules"]
    declared = rules.get("national_quotas") or {}
    per_cluster = {"co_thi_dua": rules["flag_quota"], "bang_khen": rules["merit_quota"]}
    return {award: int(declared.get(award, per_cluster[award] * clusters)) for award in AWARD_NAMES}


def decide(
    command: DecideAwards,
    campaign: Mapping[str, Any],
    proposals: Sequence[Mapping[str, Any]],
    schools: Mapping[str, Mapping[str, Any]],
    clusters: int,
    decided: bool,
) -> list[NewEvent]:
    """Decide AwardsDecided and an AwardGranted per school awarded, or refuse the decision.

    Every proposal the conferences carried must have a verdict, and only those; a school not awarded
    needs a reason; no award goes beyond its quota.
    """
    if decided:
        raise Conflict(
            f"the awards of {command.year} are already decided",
            {"year": command.year},
            "awards_decided",
        )
    carried = {(p["school_id"], p["award"]): p for p in proposals if p["status"] == "proposed"}
    if not carried:
        raise RuleBroken(
            f"no cluster has proposed an award for {command.year}", {"year": command.year}, "no_proposals"
        )
    given = [(v.school_id, v.award) for v in command.verdicts]
    twice = sorted({f"{s}/{a}" for s, a in given if given.count((s, a)) > 1})
    if twice:
        raise RuleBroken("a proposal has more than one verdict", {"proposals": twice}, "verdict_twice")
    unknown = sorted(f"{s}/{a}" for s, a in given if (s, a) not in carried)
    if unknown:
        raise RuleBroken("only proposed schools can be decided", {"proposals": unknown}, "not_proposed")
    undecided = sorted(f"{s}/{a}" for s, a in carried if (s, a) not in given)
    if undecided:
        raise RuleBroken("every proposal needs a verdict", {"proposals": undecided}, "undecided_proposals")
    unexplained = sorted(v.school_id for v in command.verdicts if not v.awarded and not v.reason.strip())
    if unexplained:
        raise RuleBroken(
            "a proposal not awarded needs a reason", {"school_ids": unexplained}, "verdict_reason_required"
        )
    _within_quotas(command, quotas(campaign, clusters))
    return _events(command, carried, schools)


def _within_quotas(command: DecideAwards, allowed: Mapping[str, int]) -> None:
    """Refuse a decision that awards any kind beyond the year's quota."""
    counted = Counter(v.award for v in command.verdicts if v.awarded)
    for award in AWARD_NAMES:  # the flag first, as the decision lists them
        count = counted.get(award, 0)
        if count > allowed[award]:
            raise RuleBroken(
                f"{count} schools awarded {award}, the quota is {allowed[award]}",
                {"award": award, "awarded": count, "quota": allowed[award]},
                "over_quota",
            )


def _events(
    command: DecideAwards,
    carried: Mapping[tuple[str, str], Mapping[str, Any]],
    schools: Mapping[str, Mapping[str, Any]],
) -> list[NewEvent]:
    decision_id = f"qd_{uuid.uuid4().hex[:16]}"
    particulars = {
        "year": command.year,
        "decision_id": decision_id,
        "number": command.number.strip(),
        "signed_on": command.signed_on.isoformat(),
    }
    verdicts = []
    for v in command.verdicts:
        proposal = carried[(v.school_id, v.award)]
        verdicts.append(
            {
                "school_id": v.school_id,
                "cluster_id": proposal["cluster_id"],
                "award": v.award,
                "awarded": v.awarded,
                "reason": "" if v.awarded else v.reason.strip(),
                "rank": proposal["rank"],
                "final": proposal["final"],
            }
        )
    decided = NewEvent(
        "AwardsDecided",
        {
            **particulars,
            "signer_name": command.signer_name.strip(),
            "signer_title": command.signer_title.strip(),
            "verdicts": verdicts,
        },
    )
    granted = [
        NewEvent(
            "AwardGranted",
            {
                **particulars,
                "school_id": v["school_id"],
                "school_code": schools[v["school_id"]]["code"],
                "cluster_id": v["cluster_id"],
                "award": v["award"],
            },
        )
        for v in verdicts
        if v["awarded"]
    ]
    return [decided, *granted]
