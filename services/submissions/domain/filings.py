"""Deciding filings: file a form, amend it, reopen it, review it; pure functions of what was gathered.

Each decision takes a snapshot (the year's campaign, the filer as the registry knows it, the cluster's
members, earlier filings, the clock) and a command, and returns the event to record or raises a
refusal of :mod:`shared.errors`. The app layer gathers the snapshot and records the result; nothing
here reads a database or a clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import marshmallow as ma

from services.forms import ACADEMY, CLUSTER_HEAD, FORMS, INSPECTION_FORM, SCHOOL, Form
from services.sources import cited
from services.submissions.domain import checks, review
from services.submissions.domain.deadlines import answered_by, due_date, on_time
from shared.auth import ACADEMY_ADMIN, SCHOOL_OFFICER, Principal
from shared.auth import CLUSTER_HEAD as CLUSTER_HEAD_ROLE
from shared.errors import Conflict, Forbidden, Invalid, RuleBroken
from shared.eventstore import NewEvent
from shared.time import local_date

IDENTITY = ("submission_id", "year", "form", "filer_type", "filer_id", "cluster_id")
"""What every event of a filing repeats: which filing, which form, whose."""


@dataclass(frozen=True)
class FileForm:
    """The command to file a form for a year, by a school or a cluster, with its payload."""

    year: int
    form: str
    payload: dict[str, Any]
    school_id: str | None = None
    cluster_id: str | None = None
    documents: tuple[str, ...] = ()
    document_names: tuple[tuple[str, str], ...] = ()
    """Each document's original file name, by its sha256."""


@dataclass(frozen=True)
class Snapshot:
    """What deciding a filing needs to know, gathered before the decision."""

    campaign: Mapping[str, Any]
    now: datetime
    school: Mapping[str, Any] | None = None
    """The filing school as the registry knows it (None: unknown, or a cluster files)."""
    school_cluster: str | None = None
    """The cluster the filing school belongs to that year."""
    cluster_known: bool = False
    """Whether the cluster named by a cluster's filing exists that year."""
    members: Mapping[str, str] = field(default_factory=dict)
    """The filer's cluster's member schools that year, with their kind."""
    existing: str | None = None
    """An earlier filing of this one-off form by this filer."""
    documents: Sequence[Mapping[str, Any]] = ()


def form_of(code: str) -> Form:
    """Return the declared form of a code; an unknown form is refused."""
    if code not in FORMS:
        raise RuleBroken(f"unknown form {code}", {"form": code, "known": sorted(FORMS)}, "unknown_form")
    return FORMS[code]


def file_form(principal: Principal, command: FileForm, snapshot: Snapshot, submission_id: str) -> NewEvent:
    """Decide a filing: the filer may file, the content fits the year, a one-off form is filed once."""
    form = form_of(command.form)
    filer_type, filer_id, cluster_id = _filer(principal, form, command, snapshot)
    payload = checked_payload(form, snapshot.campaign, snapshot.members, command.payload)
    if snapshot.existing and not form.repeatable:
        raise Conflict(
            f"form {form.code} was already filed for {filer_id} in {command.year}: amend it instead",
            {"submission_id": snapshot.existing},
            "amendment_required",
        )
    deadline = answered_by(snapshot.campaign["deadlines"], form.code)
    data = {
        "submission_id": submission_id,
        "year": command.year,
        "form": form.code,
        "filer_type": filer_type,
        "filer_id": filer_id,
        "cluster_id": cluster_id,
        "filed_at": snapshot.now.isoformat(),
        "deadline_code": deadline["code"] if deadline else None,
        "due": due_date(deadline, filer_id).isoformat() if deadline else None,
        "on_time": on_time(snapshot.now, deadline, filer_id) if deadline else None,
        "documents": list(snapshot.documents),
        "payload": payload,
    }
    return NewEvent(form.event, data)


def amend(
    principal: Principal, current: Mapping[str, Any], payload: dict[str, Any], snapshot: Snapshot
) -> NewEvent:
    """Decide an amendment: until the deadline, or after it once reopened or returned for correction."""
    form = FORMS[current["form"]]
    _authorise(principal, form, current["filer_id"], current["cluster_id"])
    deadline = answered_by(snapshot.campaign["deadlines"], form.code)
    returned = current["review_state"] == review.RETURNED
    due = due_date(deadline, current["filer_id"]) if deadline else None
    if deadline and due and not may_amend(current, due, local_date(snapshot.now)):
        raise Conflict(
            f"deadline {deadline['code']} ({due.isoformat()}) has passed: ask to reopen",
            {
                "deadline_code": deadline["code"],
                "due": due.isoformat(),
                **cited(snapshot.campaign, f"deadlines.{deadline['code']}"),
            },
            "deadline_passed",
        )
    checked = checked_payload(form, snapshot.campaign, snapshot.members, payload)
    stamp = current["on_time"]
    if returned:
        stamp = review.corrected_stamp(stamp, current["reviewed_at"], snapshot.now, snapshot.campaign)
    data = {
        **{key: current[key] for key in IDENTITY},
        "filed_at": snapshot.now.isoformat(),
        "deadline_code": current["deadline_code"],
        "due": current["due"].isoformat() if current["due"] else None,
        "on_time": stamp,
        "documents": list(snapshot.documents),
        "payload": checked,
        "amendment": current["amendments"] + 1,
    }
    return NewEvent("SubmissionAmended", data)


def may_amend(current: Mapping[str, Any], due: date | None, today: date) -> bool:
    """Return whether a filing may be amended today: until its due day, or after it once reopened or
    returned for correction."""
    returned = current["review_state"] == review.RETURNED
    return due is None or today <= due or bool(current["reopened"]) or returned


def reopen(current: Mapping[str, Any], reason: str) -> NewEvent:
    """Decide that a filing may be amended once more after its deadline (the Academy's decision)."""
    return NewEvent("SubmissionReopened", {"submission_id": current["submission_id"], "reason": reason})


def review_filing(
    principal: Principal, current: Mapping[str, Any], decision: str, reason: str, now: datetime
) -> NewEvent:
    """Decide a review: by the level that receives the form (the Academy may always)."""
    form = FORMS[current["form"]]
    return review.review(current, decision, reason, reviewer(principal, form, current), now)


def reviewer(principal: Principal, form: Form, current: Mapping[str, Any]) -> str:
    """Return who reviews, as recorded; refuse anyone but the receiving level (or the Academy)."""
    if principal.role == ACADEMY_ADMIN:
        return ACADEMY
    heads_it = principal.role == CLUSTER_HEAD_ROLE and principal.tenant == current["cluster_id"]
    if form.reviewer == CLUSTER_HEAD and heads_it:
        return f"cluster:{current['cluster_id']}"
    raise Forbidden(
        f"form {form.code} is reviewed by the {'Academy' if form.reviewer == ACADEMY else 'cluster head'}",
        {"form": form.code, "reviewer": form.reviewer},
    )


def checked_payload(
    form: Form, campaign: Mapping[str, Any], members: Mapping[str, str], raw: dict[str, Any]
) -> dict[str, Any]:
    """Return a payload loaded with its form's schema and checked against the year's template and members."""
    schema = form.payload()
    try:
        payload: dict[str, Any] = schema.load(raw)
    except ma.ValidationError as exc:
        raise Invalid(
            f"the payload of form {form.code} is not valid", {"json": {"payload": exc.messages}}
        ) from exc
    if form.school_kind is not None:
        template = checks.template_for(campaign, form.school_kind)
        rule = cited(campaign, "score_sheets")
        checks.check_scores(template, payload["scores"], rule=rule)
        checks.check_scores(template, payload["bonus"], bonus=True, rule=rule)
    for what, school_ids in checks.schools_named(form.code, payload):
        checks.check_members(school_ids, sorted(members), what)
    if form.code == INSPECTION_FORM:
        _check_inspection(campaign, members, payload)
    dumped: dict[str, Any] = schema.dump(payload)
    return dumped


def _filer(principal: Principal, form: Form, command: FileForm, snapshot: Snapshot) -> tuple[str, str, str]:
    """Return (filer type, filer id, cluster id) after checking the caller may file for them."""
    if form.filer == SCHOOL:
        if not command.school_id:
            raise RuleBroken(
                f"form {form.code} is filed by a school: give school_id", {}, "school_id_required"
            )
        if snapshot.school is None:
            raise RuleBroken(
                f"no school with id {command.school_id}", {"school_id": command.school_id}, "unknown_school"
            )
        cluster_id = snapshot.school_cluster
        _authorise(principal, form, command.school_id, cluster_id)
        if cluster_id is None or (command.cluster_id and command.cluster_id != cluster_id):
            raise RuleBroken(
                f"school {command.school_id} is not in {command.cluster_id or 'a cluster'} in {command.year}",
                {"school_id": command.school_id, "cluster_id": command.cluster_id, "year": command.year},
                "school_not_in_cluster",
            )
        checks.check_form_for_kind(form, snapshot.school["kind"])
        return "school", command.school_id, cluster_id
    if not command.cluster_id:
        raise RuleBroken(
            f"form {form.code} is filed by a cluster head: give cluster_id", {}, "cluster_id_required"
        )
    _authorise(principal, form, command.cluster_id, command.cluster_id)
    if not snapshot.cluster_known:
        raise RuleBroken(
            f"no cluster {command.cluster_id} in {command.year}",
            {"cluster_id": command.cluster_id, "year": command.year},
            "unknown_cluster",
        )
    return "cluster", command.cluster_id, command.cluster_id


def _authorise(principal: Principal, form: Form, filer_id: str, cluster_id: str | None) -> None:
    """Allow the Academy anything, a school officer only their school, a cluster head only their cluster."""
    if principal.role == ACADEMY_ADMIN:
        return
    if form.filer == SCHOOL and principal.role == SCHOOL_OFFICER and principal.tenant == filer_id:
        return
    if form.filer != SCHOOL and principal.role == CLUSTER_HEAD_ROLE and principal.tenant == cluster_id:
        return
    raise Forbidden(
        f"{principal.role} {principal.tenant or ''} may not file form {form.code} for {filer_id}".strip(),
        {"form": form.code, "filer_id": filer_id},
    )


def _check_inspection(
    campaign: Mapping[str, Any], members: Mapping[str, str], payload: dict[str, Any]
) -> None:
    """Check an inspection: a cross-inspection is by other schools; verified scores fit the template."""
    inspected = payload["inspected_school_id"]
    if payload["cross_inspection"] and inspected in payload["inspecting_school_ids"]:
        raise RuleBroken(
            "in a cross-inspection a school does not inspect itself",
            {"school_id": inspected, **cited(campaign, "inspections")},
            "self_inspection",
        )
    template = checks.template_for(campaign, members[inspected])
    checks.check_scores(template, payload["verified_scores"], rule=cited(campaign, "inspections"))
