"""The Academy's award decisions (Quyết định khen thưởng): drafted, issued, corrected, revoked.

The clusters propose (scoring drafts the proposals from the score table and the conference's vote); the
Academy decides each one: awarded, or not awarded with a reason. A year has one main decision and may
have supplementary ones later, for what the earlier ones did not cover, within what the quotas leave.
A decision is drafted as often as needed (``AwardDecisionDraftSaved``), then issued (``AwardsDecided`` and
one ``AwardGranted`` per school awarded, the names as they were that day); an issued decision never
changes: a typo in its particulars is corrected by ``AwardDecisionCorrected`` with a reason, and an
award is revoked by ``AwardRevoked`` with its reason and legal ground. Quotas, and whether a revoked
award still counts against its quota, are the year's campaign data.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.sources import cited
from services.vocabulary import AWARD_NAMES
from shared.errors import Conflict, NotFound, RuleBroken
from shared.eventstore import NewEvent

MAIN, SUPPLEMENTARY = "main", "supplementary"
PARTICULARS = ("number", "signed_on", "signer_name", "signer_title")
"""What a decision's paper states besides its verdicts, and what a correction may change."""


def awards_stream(year: int) -> str:
    """Return the stream id of a year's award decisions: issues, corrections and revocations, in order."""
    return f"awards-{year}"


def draft_stream(decision_id: str) -> str:
    """Return the stream id of a decision's drafts."""
    return f"decision-draft-{decision_id}"


def new_decision_id() -> str:
    """Return a new decision's stable id."""
    return f"qd_{uuid.uuid4().hex[:16]}"


@dataclass(frozen=True)
class YearAwards:
    """What a year's issued decisions hold so far: each with its verdicts, and the awards revoked."""

    issued: tuple[Mapping[str, Any], ...] = ()
    revoked: frozenset[tuple[str, str]] = frozenset()

    def decided(self) -> set[tuple[str, str]]:
        """Return the proposals (school, award) some issued decision has a verdict on."""
        return {(v["school_id"], v["award"]) for d in self.issued for v in d["verdicts"]}

    def awarded(self, frees_quota: bool) -> Counter[str]:
        """Count the awards granted so far, by kind (a revoked one too, unless revoking frees its quota)."""
        return Counter(
            v["award"]
            for d in self.issued
            for v in d["verdicts"]
            if v["awarded"] and not (frees_quota and (v["school_id"], v["award"]) in self.revoked)
        )

    def decision(self, decision_id: str) -> Mapping[str, Any]:
        """Return an issued decision; 404 when the year has none by that id."""
        found = next((d for d in self.issued if d["decision_id"] == decision_id), None)
        if found is None:
            raise NotFound(f"no issued decision {decision_id}", {"decision_id": decision_id}, "no_decision")
        return found


@dataclass(frozen=True)
class Verdict:
    """The Council's verdict on one proposal: awarded, or not with a reason; awarded on an incomplete
    dossier only with the reason it is given all the same (where the campaign allows that)."""

    school_id: str
    award: str
    awarded: bool
    reason: str = ""
    override_reason: str = ""


REFUSE, OVERRIDE = "refuse", "override"
COPIES = 2
"""A school's Form 09 is complete with both copies confirmed by its province or ministry."""


def dossier_rule(campaign: Mapping[str, Any]) -> str:
    """Return what an incomplete dossier does to an award: refuse it, or need an override with a reason."""
    return str(campaign["award_rules"].get("incomplete_dossier", OVERRIDE))


def dossier_shortfalls(verdicts: Sequence[Verdict], copies: Mapping[str, int]) -> list[str]:
    """Return the schools awarded on a Form 09 lacking a confirmed copy with no reason given for it."""
    return sorted(
        {
            v.school_id
            for v in verdicts
            if v.awarded and copies.get(v.school_id, 0) < COPIES and not v.override_reason.strip()
        }
    )


def check_dossiers(
    campaign: Mapping[str, Any], verdicts: Sequence[Verdict], copies: Mapping[str, int]
) -> None:
    """Refuse an award to a school whose Form 09 lacks a confirmed copy, unless the campaign lets the
    Academy override that with a reason and it gave one."""
    if dossier_rule(campaign) == REFUSE:
        short = sorted({v.school_id for v in verdicts if v.awarded and copies.get(v.school_id, 0) < COPIES})
        if short:
            raise RuleBroken(
                "a school's Form 09 lacks a confirmed copy",
                {"school_ids": short, **cited(campaign, "award_rules.incomplete_dossier")},
                "dossier_incomplete",
            )
        return
    unexplained = dossier_shortfalls(verdicts, copies)
    if unexplained:
        raise RuleBroken(
            "an award on an incomplete Form 09 needs the reason it is given all the same",
            {"school_ids": unexplained, **cited(campaign, "award_rules.incomplete_dossier")},
            "override_reason_required",
        )


@dataclass(frozen=True)
class DecideAwards:
    """The command: a decision, its paper's particulars and a verdict per proposal it rules on."""

    year: int
    number: str
    signed_on: date | None
    signer_name: str
    signer_title: str
    verdicts: tuple[Verdict, ...]
    decision_id: str = ""
    """The draft it issues (a new id when issued in one step)."""


@dataclass(frozen=True)
class DraftDecision:
    """The command: save a decision's draft, with what the Academy has settled so far."""

    year: int
    decision_id: str
    number: str = ""
    signed_on: date | None = None
    signer_name: str = ""
    signer_title: str = ""
    verdicts: tuple[Verdict, ...] = ()


def check_one_award(campaign: Mapping[str, Any], so_far: YearAwards, verdicts: Sequence[Verdict]) -> None:
    """Refuse a second award to a school for the same year's results, where the campaign says so."""
    if not campaign["award_rules"].get("one_award_per_achievement", True):
        return
    given = Counter(
        v["school_id"]
        for d in so_far.issued
        for v in d["verdicts"]
        if v["awarded"] and (v["school_id"], v["award"]) not in so_far.revoked
    )
    given.update(v.school_id for v in verdicts if v.awarded)
    twice = sorted(school for school, count in given.items() if count > 1)
    if twice:
        raise RuleBroken(
            "a school receives one award for the year's results",
            {"school_ids": twice, **cited(campaign, "award_rules.one_award_per_achievement")},
            "one_award_per_achievement",
        )


def quotas(campaign: Mapping[str, Any], clusters: int) -> dict[str, int]:
    """Return how many of each award the year allows nationally: declared, else each cluster's quota."""
    rules = campaign["award_rules"]
    declared = rules.get("national_quotas") or {}
    per_cluster = {"co_thi_dua": rules["flag_quota"], "bang_khen": rules["merit_quota"]}
    return {award: int(declared.get(award, per_cluster[award] * clusters)) for award in AWARD_NAMES}


def revoking_frees_quota(campaign: Mapping[str, Any]) -> bool:
    """Say whether a revoked award gives its place in the quota back (campaign data; by default not)."""
    return bool(campaign["award_rules"].get("revoked_frees_quota", False))


def counts(
    campaign: Mapping[str, Any], clusters: int, so_far: YearAwards, verdicts: Sequence[Verdict]
) -> dict[str, dict[str, int]]:
    """Return, per award, what earlier decisions granted, what these verdicts add, and the quota."""
    earlier = so_far.awarded(revoking_frees_quota(campaign))
    adding = Counter(v.award for v in verdicts if v.awarded)
    allowed = quotas(campaign, clusters)
    return {
        award: {"earlier": earlier[award], "adding": adding[award], "quota": allowed[award]}
        for award in AWARD_NAMES
    }


def over_quota(counted: Mapping[str, Mapping[str, int]]) -> list[dict[str, Any]]:
    """Return every award the counts take beyond its quota (the flag first, as decisions list them)."""
    return [
        {"award": award, "awarded": c["earlier"] + c["adding"], "quota": c["quota"]}
        for award, c in counted.items()
        if c["earlier"] + c["adding"] > c["quota"]
    ]


def open_proposals(proposals: Sequence[Mapping[str, Any]], so_far: YearAwards) -> dict[tuple[str, str], Any]:
    """Return the proposals the conferences carried that no issued decision has ruled on yet."""
    decided = so_far.decided()
    return {
        (p["school_id"], p["award"]): p
        for p in proposals
        if p["status"] == "proposed" and (p["school_id"], p["award"]) not in decided
    }


def check_verdicts(verdicts: Sequence[Verdict], open_: Mapping[tuple[str, str], Any]) -> None:
    """Refuse a verdict given twice, or on a proposal that is not open (not carried, or decided already)."""
    given = [(v.school_id, v.award) for v in verdicts]
    twice = sorted({f"{s}/{a}" for s, a in given if given.count((s, a)) > 1})
    if twice:
        raise RuleBroken("a proposal has more than one verdict", {"proposals": twice}, "verdict_twice")
    unknown = sorted(f"{s}/{a}" for s, a in given if (s, a) not in open_)
    if unknown:
        raise RuleBroken(
            "only proposals not yet decided can be decided", {"proposals": unknown}, "not_proposed"
        )


def save_draft(
    command: DraftDecision, proposals: Sequence[Mapping[str, Any]], so_far: YearAwards
) -> NewEvent:
    """Decide a draft's saving: any particulars so far, verdicts only on open proposals, none twice.

    A draft may go beyond a quota (the counts show it); issuing it may not.
    """
    if command.decision_id in {d["decision_id"] for d in so_far.issued}:
        raise Conflict(
            "this decision is issued: correct it instead", {"decision_id": command.decision_id}, "issued"
        )
    check_verdicts(command.verdicts, open_proposals(proposals, so_far))
    return NewEvent(
        "AwardDecisionDraftSaved",
        {
            "year": command.year,
            "decision_id": command.decision_id,
            "kind": SUPPLEMENTARY if so_far.issued else MAIN,
            "number": command.number.strip(),
            "signed_on": command.signed_on.isoformat() if command.signed_on else None,
            "signer_name": command.signer_name.strip(),
            "signer_title": command.signer_title.strip(),
            "verdicts": [_verdict_data(v) for v in command.verdicts],
        },
    )


def decide(
    command: DecideAwards,
    campaign: Mapping[str, Any],
    proposals: Sequence[Mapping[str, Any]],
    schools: Mapping[str, Mapping[str, Any]],
    clusters: Mapping[str, str],
    so_far: YearAwards,
    supplementary: bool = False,
    copies: Mapping[str, int] | None = None,
) -> list[NewEvent]:
    """Decide the issue of a decision: AwardsDecided and an AwardGranted per school awarded, or refuse.

    The main decision rules on every proposal the conferences carried, but may leave one whose Form 09
    lacks a confirmed copy for later, and comes only once a year; a supplementary one, after it, rules
    on some of those no decision has ruled on. A school not awarded needs a
    reason; the awards of every decision of the year together stay within each quota (every award over
    its quota is named); a number is used once a year; a school is awarded on its complete Form 09 (both
    ``copies`` confirmed), or, where the campaign allows it, with the reason it is awarded all the same.
    """
    if not supplementary and so_far.issued:
        raise Conflict(
            f"the awards of {command.year} are already decided: issue a supplementary decision",
            {"year": command.year},
            "awards_decided",
        )
    if supplementary and not so_far.issued:
        raise RuleBroken(
            "a supplementary decision follows the main one", {"year": command.year}, "no_main_decision"
        )
    open_ = open_proposals(proposals, so_far)
    if not open_:
        raise RuleBroken(
            f"no proposal of {command.year} waits for a decision", {"year": command.year}, "no_proposals"
        )
    check_verdicts(command.verdicts, open_)
    given = {(v.school_id, v.award) for v in command.verdicts}
    held = copies if copies is not None else {}
    waiting = {(s, a) for s, a in open_ if held.get(s, 0) < COPIES}  # may wait for a supplementary one
    undecided = sorted(f"{s}/{a}" for s, a in open_ if (s, a) not in given and (s, a) not in waiting)
    if undecided and not supplementary:
        raise RuleBroken("every proposal needs a verdict", {"proposals": undecided}, "undecided_proposals")
    if not command.verdicts:
        raise RuleBroken("a decision needs at least one verdict", {}, "undecided_proposals")
    unexplained = sorted(v.school_id for v in command.verdicts if not v.awarded and not v.reason.strip())
    if unexplained:
        raise RuleBroken(
            "a proposal not awarded needs a reason", {"school_ids": unexplained}, "verdict_reason_required"
        )
    _particulars_complete(command)
    check_dossiers(campaign, command.verdicts, held)
    check_one_award(campaign, so_far, command.verdicts)
    if command.number.strip() in {d["number"] for d in so_far.issued}:
        raise Conflict(
            f"decision number {command.number} is used already this year",
            {"number": command.number},
            "number_used",
        )
    beyond = over_quota(counts(campaign, len(clusters), so_far, command.verdicts))
    if beyond:
        named = ", ".join(f"{b['award']} {b['awarded']}/{b['quota']}" for b in beyond)
        rule = (
            "award_rules.national_quotas" if campaign["award_rules"].get("national_quotas") else "award_rules"
        )
        raise RuleBroken(
            f"beyond the quota: {named}", {"over": beyond, **cited(campaign, rule)}, "over_quota"
        )
    grounds = str(campaign.get("legal_basis") or "")
    return _events(command, open_, schools, clusters, SUPPLEMENTARY if supplementary else MAIN, grounds)


def correct(
    decision: Mapping[str, Any],
    changes: Mapping[str, Any],
    reason: str,
    so_far: YearAwards,
    school_codes: Mapping[str, str],
) -> NewEvent:
    """Decide the correction of an issued decision's particulars, with its reason; refuse one that changes
    nothing, or takes a number another decision of the year has."""
    if not reason.strip():
        raise RuleBroken("a correction needs its reason", {}, "correction_reason_required")
    before = {k: _text(decision[k]) for k in PARTICULARS}
    after = {k: _text(changes[k]).strip() for k in PARTICULARS if k in changes and changes[k] is not None}
    changed = {k: v for k, v in after.items() if v and v != before[k]}
    if not changed:
        raise RuleBroken("the correction changes nothing", {}, "nothing_to_correct")
    others = {d["number"] for d in so_far.issued if d["decision_id"] != decision["decision_id"]}
    if changed.get("number") in others:
        raise Conflict("that number is another decision's", {"number": changed["number"]}, "number_used")
    return NewEvent(
        "AwardDecisionCorrected",
        {
            "year": decision["year"],
            "decision_id": decision["decision_id"],
            "reason": reason.strip(),
            "before": {k: before[k] for k in changed},
            "after": changed,
            "school_codes": sorted(
                {school_codes[v["school_id"]] for v in decision["verdicts"] if v["awarded"]}
            ),
            "school_ids": sorted({v["school_id"] for v in decision["verdicts"]}),
            "cluster_ids": sorted({v["cluster_id"] for v in decision["verdicts"]}),
        },
    )


def revoke(
    decision: Mapping[str, Any],
    school_id: str,
    school_code: str,
    award: str,
    reason: str,
    legal_basis: str,
    so_far: YearAwards,
) -> NewEvent:
    """Decide the revocation of one award of an issued decision, with its reason and legal ground."""
    granted = next(
        (
            v
            for v in decision["verdicts"]
            if v["school_id"] == school_id and v["award"] == award and v["awarded"]
        ),
        None,
    )
    if granted is None:
        raise RuleBroken(
            "this decision did not grant that award", {"school_id": school_id, "award": award}, "not_awarded"
        )
    if (school_id, award) in so_far.revoked:
        raise Conflict(
            "this award is revoked already", {"school_id": school_id, "award": award}, "already_revoked"
        )
    missing = [name for name, text in (("reason", reason), ("legal_basis", legal_basis)) if not text.strip()]
    if missing:
        raise RuleBroken(
            "a revocation needs its reason and legal ground", {"missing": missing}, "revocation_incomplete"
        )
    return NewEvent(
        "AwardRevoked",
        {
            "year": decision["year"],
            "decision_id": decision["decision_id"],
            "school_id": school_id,
            "school_code": school_code,
            "cluster_id": granted["cluster_id"],
            "award": award,
            "reason": reason.strip(),
            "legal_basis": legal_basis.strip(),
        },
    )


def _particulars_complete(command: DecideAwards) -> None:
    """Refuse an issue whose paper would lack its number, date or signer."""
    missing = [k for k in PARTICULARS if not _text(getattr(command, k)).strip()]
    if missing:
        raise RuleBroken("the decision lacks its particulars", {"missing": missing}, "particulars_missing")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _verdict_data(v: Verdict) -> dict[str, Any]:
    kept = {"school_id": v.school_id, "award": v.award, "awarded": v.awarded, "reason": v.reason.strip()}
    return {**kept, "override_reason": v.override_reason.strip()} if v.override_reason.strip() else kept


def _events(
    command: DecideAwards,
    open_: Mapping[tuple[str, str], Mapping[str, Any]],
    schools: Mapping[str, Mapping[str, Any]],
    clusters: Mapping[str, str],
    kind: str,
    legal_basis: str,
) -> list[NewEvent]:
    particulars = {
        "year": command.year,
        "decision_id": command.decision_id or new_decision_id(),
        "number": command.number.strip(),
        "signed_on": _text(command.signed_on),
    }
    verdicts = []
    for v in command.verdicts:
        proposal = open_[(v.school_id, v.award)]
        verdicts.append(
            {
                "school_id": v.school_id,
                "cluster_id": proposal["cluster_id"],
                "award": v.award,
                "awarded": v.awarded,
                "reason": "" if v.awarded else v.reason.strip(),
                **(
                    {"override_reason": v.override_reason.strip()}
                    if v.awarded and v.override_reason.strip()
                    else {}
                ),
                "rank": proposal["rank"],
                "final": proposal["final"],
                "school_name": schools[v.school_id]["name"],
                "cluster_name": clusters.get(proposal["cluster_id"], ""),
            }
        )
    decided = NewEvent(
        "AwardsDecided",
        {
            **particulars,
            "kind": kind,
            "legal_basis": legal_basis,
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
                "school_name": v["school_name"],
                "cluster_id": v["cluster_id"],
                "award": v["award"],
                **({"override_reason": v["override_reason"]} if "override_reason" in v else {}),
            },
        )
        for v in verdicts
        if v["awarded"]
    ]
    return [decided, *granted]
