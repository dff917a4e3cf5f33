"""Award use cases: the proposals before the Academy, its decisions' drafts, issue, corrections and
revocations, and the award register."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from services.registry import paper
from services.registry.app import visibility
from services.registry.app.campaigns import campaign_row
from services.registry.app.lookups import absorbed
from services.registry.domain import awards as rules
from services.registry.domain.awards import (
    MAIN,
    SUPPLEMENTARY,
    DecideAwards,
    DraftDecision,
    Verdict,
    YearAwards,
    awards_stream,
    draft_stream,
)
from services.registry.service import Registry
from services.registry.tables import (
    award_proposals,
    awards,
    clusters,
    decision_drafts,
    decision_papers,
    decisions,
    form_09_copies,
    schools,
)
from shared.auth import Principal
from shared.errors import Forbidden, NotFound
from shared.eventstore import Context, NewEvent
from shared.time import local_date
from shared.unit_of_work import UnitOfWork


def proposals_of(registry: Registry, principal: Principal, year: int) -> dict[str, Any]:
    """Return the year's proposals the caller reads (a cluster's, or all), the quotas, whether decided.

    Like scoring's proposals, they are read as a cluster's whole: by the Academy and operators, and by a
    cluster head for its own cluster; a school or a province reads the outcome in the decision.
    """
    with registry.reader.connect() as conn:
        campaign = campaign_row(conn, year)
        scope = visibility.scope(conn, principal)
        if not scope.everything and not scope.clusters:
            raise Forbidden("you may read the proposals of your own cluster only", {"year": year})
        copies = _copies(conn, year)
        rows = [
            r | {"form_09_copies": copies.get(r["school_id"], 0)}
            for r in _proposals(conn, year)
            if scope.cluster(r["cluster_id"])
        ]
        return {
            "year": year,
            "quotas": rules.quotas(campaign["content"], len(_cluster_names(conn, year))),
            "proposals": rows,
            "decided": bool(year_awards(conn, year).issued),
        }


def decide_awards(
    registry: UnitOfWork, command: DecideAwards, context: Context, signer: Signer | None = None
) -> dict[str, Any]:
    """Issue the year's main decision in one step: AwardsDecided and an AwardGranted per school awarded."""
    with registry.transaction() as conn:
        return _issue(registry, conn, command, context, False, signer)


def save_draft(registry: UnitOfWork, command: DraftDecision, context: Context) -> dict[str, Any]:
    """Save a decision's draft (a new one, or the next version of one); return it with its counts."""
    with registry.transaction() as conn:
        so_far = year_awards(conn, command.year)
        event = rules.save_draft(command, _proposals(conn, command.year), so_far)
        registry.record(conn, draft_stream(command.decision_id), [event], context)
        return _draft_view(conn, command.year, command.decision_id)


def draft_of(registry: Registry, year: int, decision_id: str) -> dict[str, Any]:
    """Return a draft with the counts against each quota and every award it takes beyond one."""
    with registry.reader.connect() as conn:
        return _draft_view(conn, year, decision_id)


def drafts_of(registry: Registry, year: int) -> list[dict[str, Any]]:
    """Return the year's drafts not issued yet."""
    with registry.reader.connect() as conn:
        query = (
            decision_drafts.select().where(decision_drafts.c.year == year).order_by(decision_drafts.c.kind)
        )
        return [dict(r) for r in conn.execute(query).mappings()]


def issue_draft(
    registry: UnitOfWork, year: int, decision_id: str, context: Context, signer: Signer | None = None
) -> dict[str, Any]:
    """Issue a draft as it was last saved: the main decision, or a supplementary one after it."""
    with registry.transaction() as conn:
        draft = _draft_row(conn, year, decision_id)
        command = DecideAwards(
            year=year,
            number=draft["number"],
            signed_on=draft["signed_on"],
            signer_name=draft["signer_name"],
            signer_title=draft["signer_title"],
            verdicts=tuple(Verdict(**v) for v in draft["verdicts"]),
            decision_id=decision_id,
        )
        return _issue(registry, conn, command, context, draft["kind"] == SUPPLEMENTARY, signer)


def correct_decision(
    registry: UnitOfWork,
    year: int,
    decision_id: str,
    changes: dict[str, Any],
    reason: str,
    context: Context,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """Correct an issued decision's particulars (a typo in its number, date or signer), with a reason."""
    with registry.transaction() as conn:
        so_far = year_awards(conn, year)
        issued = so_far.decision(decision_id)
        event = rules.correct(issued, changes, reason, so_far, _codes(conn))
        corrected = {**issued, **event.data["after"]}
        event = _with_paper(event, corrected)
        registry.record(conn, awards_stream(year), [event, *_signed(signer, corrected)], context)
        return _issued(conn, decision_id) or {}


def revoke_award(
    registry: UnitOfWork,
    year: int,
    school_id: str,
    award: str,
    reason: str,
    legal_basis: str,
    context: Context,
) -> dict[str, Any]:
    """Revoke one award of the year, with its reason and legal ground; return its register entry."""
    with registry.transaction() as conn:
        so_far = year_awards(conn, year)
        granting = next(
            (
                d
                for d in so_far.issued
                for v in d["verdicts"]
                if v["school_id"] == school_id and v["award"] == award and v["awarded"]
            ),
            None,
        )
        if granting is None:
            raise NotFound(
                f"{school_id} holds no {award} of {year}",
                {"school_id": school_id, "award": award},
                "not_awarded",
            )
        code = _codes(conn)[school_id]
        event = rules.revoke(granting, school_id, code, award, reason, legal_basis, so_far)
        registry.record(conn, awards_stream(year), [event], context)
        where = (awards.c.year == year) & (awards.c.school_id == school_id) & (awards.c.award == award)
        entry = dict(conn.execute(awards.select().where(where)).mappings().one())
        return {**entry, "revoked": entry["revoked_reason"] is not None}


def year_awards(conn: sa.Connection, year: int) -> YearAwards:
    """Return what the year's issued decisions hold: each decision, and the awards revoked."""
    issued = tuple(
        dict(r) for r in conn.execute(decisions.select().where(decisions.c.year == year)).mappings()
    )
    revoked = conn.execute(
        sa.select(awards.c.school_id, awards.c.award).where(
            (awards.c.year == year) & awards.c.revoked_reason.is_not(None)
        )
    ).all()
    return YearAwards(issued, frozenset((s, a) for s, a in revoked))


def _issue(
    registry: UnitOfWork,
    conn: sa.Connection,
    command: DecideAwards,
    context: Context,
    supplementary: bool,
    signer: Signer | None,
) -> dict[str, Any]:
    """Decide and record an issue in the transaction given; return the decision as issued."""
    campaign = campaign_row(conn, command.year)
    proposals = _proposals(conn, command.year)
    named = {p["school_id"] for p in proposals}
    every = {
        r["school_id"]: dict(r)
        for r in conn.execute(schools.select().where(schools.c.school_id.in_(named))).mappings()
    }
    so_far = year_awards(conn, command.year)
    copies = _copies(conn, command.year)
    events = rules.decide(
        command,
        campaign["content"],
        proposals,
        every,
        _cluster_names(conn, command.year),
        so_far,
        supplementary,
        copies,
    )
    events = [_with_paper(events[0], events[0].data), *events[1:], *_signed(signer, events[0].data)]
    first = 0 if not supplementary else None  # the main decision opens the year's stream
    registry.record(conn, awards_stream(command.year), events, context, expected_version=first)
    return _issued(conn, events[0].data["decision_id"]) or {}


Signer = Callable[[Mapping[str, Any]], bytes | None]
"""What renders a decision as PDF and signs it (None: it cannot here)."""


def _signed(signer: Signer | None, decision: Mapping[str, Any]) -> list[NewEvent]:
    """Return the DecisionPaperSigned of a decision as issued or corrected (none when it cannot be signed)."""
    signed = signer(decision) if signer is not None else None
    if signed is None:
        return []
    by = getattr(signer, "signed_by", lambda: "")()
    data = {
        "year": decision["year"],
        "decision_id": decision["decision_id"],
        "pdf": base64.b64encode(signed).decode(),
        "pdf_sha256": hashlib.sha256(signed).hexdigest(),
        "signed_by": by,
    }
    return [NewEvent("DecisionPaperSigned", data)]


def signed_paper(registry: Registry, year: int, decision_id: str) -> bytes:
    """Return an issued decision's signed PDF as it was signed; 404 when it has none."""
    with registry.reader.connect() as conn:
        where = (decision_papers.c.decision_id == decision_id) & (decision_papers.c.year == year)
        found = conn.execute(sa.select(decision_papers.c.pdf).where(where)).scalar()
    if found is None:
        raise NotFound(
            f"decision {decision_id} has no signed paper", {"decision_id": decision_id}, "no_signed_paper"
        )
    return base64.b64decode(found)


def _with_paper(event: NewEvent, decision: Mapping[str, Any]) -> NewEvent:
    """Return the event with the SHA-256 of the paper it makes (the decision as issued or corrected)."""
    digest = hashlib.sha256(paper.decision(decision)).hexdigest()
    return replace(event, data={**event.data, "paper_sha256": digest})


def decision_paper(registry: Registry, year: int, decision_id: str) -> bytes:
    """Return an issued decision's paper (DOCX): the same bytes at every download."""
    with registry.reader.connect() as conn:
        issued = _issued(conn, decision_id)
        if issued is None or issued["year"] != year:
            raise NotFound(
                f"no issued decision {decision_id} in {year}", {"decision_id": decision_id}, "no_decision"
            )
        schools_named, clusters_named = _names(conn, year)
    return paper.decision(issued, schools_named, clusters_named)


def draft_paper(registry: Registry, year: int, decision_id: str) -> bytes:
    """Return a draft's paper marked as a draft (its blanks left blank), for the Academy to read."""
    with registry.reader.connect() as conn:
        draft = _draft_row(conn, year, decision_id)
        schools_named, clusters_named = _names(conn, year)
        grounds = str(campaign_row(conn, year)["content"].get("legal_basis") or "")
        finals = {(p["school_id"], p["award"]): p for p in _proposals(conn, year)}
    awarded = {(v["school_id"], v["award"]): v for v in draft["verdicts"]}
    verdicts = [
        {**v, "cluster_id": finals.get(k, {}).get("cluster_id", ""), "final": finals.get(k, {}).get("final")}
        for k, v in awarded.items()
    ]
    shown = {
        **draft,
        "number": draft["number"] or "      ",
        "signed_on": draft["signed_on"] or local_date(registry.clock()),
        "legal_basis": grounds,
        "verdicts": verdicts,
    }
    return paper.decision(shown, schools_named, clusters_named, draft=True)


def _names(conn: sa.Connection, year: int) -> tuple[dict[str, str], dict[str, str]]:
    """Return today's school names and the year's cluster names (for papers that recorded none)."""
    named = dict(conn.execute(sa.select(schools.c.school_id, schools.c.name)).all())
    return named, _cluster_names(conn, year)


def _draft_row(conn: sa.Connection, year: int, decision_id: str) -> dict[str, Any]:
    where = (decision_drafts.c.decision_id == decision_id) & (decision_drafts.c.year == year)
    row = conn.execute(decision_drafts.select().where(where)).mappings().first()
    if row is None:
        raise NotFound(f"no draft {decision_id} in {year}", {"decision_id": decision_id}, "no_draft")
    return dict(row)


def _draft_view(conn: sa.Connection, year: int, decision_id: str) -> dict[str, Any]:
    """Return a draft with its counts against the quotas and the awards it takes beyond them."""
    draft = _draft_row(conn, year, decision_id)
    campaign = campaign_row(conn, year)["content"]
    verdicts = [Verdict(**v) for v in draft["verdicts"]]
    counted = rules.counts(campaign, len(_cluster_names(conn, year)), year_awards(conn, year), verdicts)
    copies = _copies(conn, year)
    short = (
        sorted({v.school_id for v in verdicts if v.awarded and copies.get(v.school_id, 0) < rules.COPIES})
        if rules.dossier_rule(campaign) == rules.REFUSE
        else rules.dossier_shortfalls(verdicts, copies)
    )
    return {
        **draft,
        "counts": counted,
        "over_quota": rules.over_quota(counted),
        "incomplete_dossiers": short,
        "dossier_rule": rules.dossier_rule(campaign),
    }


def _copies(conn: sa.Connection, year: int) -> dict[str, int]:
    """Return how many confirmed copies of its Form 09 each school has for the year."""
    query = (
        sa.select(form_09_copies.c.school_id, sa.func.count())
        .where(form_09_copies.c.year == year)
        .group_by(form_09_copies.c.school_id)
    )
    return {school_id: int(n) for school_id, n in conn.execute(query)}


def decision_of(registry: Registry, principal: Principal, year: int) -> dict[str, Any]:
    """Return the year's main decision with the verdicts on the schools the caller reads; 404 until issued."""
    found = decisions_of(registry, principal, year)
    if not found:
        raise NotFound(f"the awards of {year} are not decided yet", {"year": year}, "not_decided")
    return found[0]


def decisions_of(registry: Registry, principal: Principal, year: int) -> list[dict[str, Any]]:
    """Return the year's issued decisions (the main one first), particulars as corrected, with the
    verdicts on the schools the caller reads and the revocations since."""
    with registry.reader.connect() as conn:
        scope = visibility.scope(conn, principal)
        so_far = year_awards(conn, year)
        signed = dict(
            conn.execute(
                sa.select(decision_papers.c.decision_id, decision_papers.c.pdf_sha256).where(
                    decision_papers.c.year == year
                )
            ).all()
        )
    found = sorted(
        ({**d, "pdf_sha256": signed.get(d["decision_id"])} for d in so_far.issued),
        key=lambda d: (d["kind"] != MAIN, d["signed_on"], d["number"]),
    )
    return [
        {
            **d,
            "verdicts": [
                {**v, "revoked": (v["school_id"], v["award"]) in so_far.revoked}
                for v in d["verdicts"]
                if scope.school(v["school_id"], v.get("cluster_id"))
            ],
        }
        for d in found
    ]


def register(
    registry: Registry, principal: Principal, year: int | None = None, school_id: str | None = None
) -> list[dict[str, Any]]:
    """Return the award register the caller reads, by year then school, each under its carrier today.

    Asked for one school, the register holds its own awards and those of the schools merged into it.
    Each is named as the school was named the day it received it (today's name for awards given before
    names were kept), with its revocation if it was revoked.
    """
    with registry.reader.connect() as conn:
        scope = visibility.scope(conn, principal)
        query = (
            sa.select(awards, schools.c.name.label("name_today"))
            .join(schools, schools.c.school_id == awards.c.school_id)
            .order_by(awards.c.year.desc(), awards.c.award.desc(), schools.c.name)
        )
        if year is not None:
            query = query.where(awards.c.year == year)
        if school_id is not None:
            query = query.where(awards.c.school_id.in_(absorbed(conn, school_id)))
        named = conn.execute(sa.select(clusters.c.cluster_id, clusters.c.name))
        names = {r.cluster_id: r.name for r in named}
        successors = {
            r.school_id: r.successor_id
            for r in conn.execute(sa.select(schools.c.school_id, schools.c.successor_id))
        }
        entries = []
        for row in conn.execute(query).mappings():
            if not scope.school(row["school_id"], row["cluster_id"]):
                continue
            entry = dict(row)
            entry["school_name"] = entry["school_name"] or entry.pop("name_today")
            entry["revoked"] = entry["revoked_reason"] is not None
            entry["cluster_name"] = names.get(entry["cluster_id"], "")
            entry["held_by"] = _carrier(successors, entry["school_id"])
            entries.append(entry)
        return entries


def _carrier(successors: dict[str, str | None], school_id: str) -> str:
    """Return the school carrying a school's record today: itself, or its successor's successor ..."""
    current, seen = school_id, set()
    while (successor := successors.get(current)) is not None and current not in seen:
        seen.add(current)
        current = successor
    return current


def _proposals(conn: sa.Connection, year: int) -> list[dict[str, Any]]:
    query = (
        award_proposals.select()
        .where(award_proposals.c.year == year)
        .order_by(award_proposals.c.award.desc(), award_proposals.c.cluster_id, award_proposals.c.rank)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def _codes(conn: sa.Connection) -> dict[str, str]:
    """Return every school's code by id (the code names the system that speaks for the school)."""
    return {
        school_id: code for school_id, code in conn.execute(sa.select(schools.c.school_id, schools.c.code))
    }


def _cluster_names(conn: sa.Connection, year: int) -> dict[str, str]:
    query = sa.select(clusters.c.cluster_id, clusters.c.name).where(clusters.c.year == year)
    return {cluster_id: name for cluster_id, name in conn.execute(query)}


def _issued(conn: sa.Connection, decision_id: str) -> dict[str, Any] | None:
    row = conn.execute(decisions.select().where(decisions.c.decision_id == decision_id)).mappings().first()
    return None if row is None else dict(row)
