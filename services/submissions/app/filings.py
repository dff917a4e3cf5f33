"""Filing use cases: file a form, amend it, reopen it; each checked against the year's data and roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from services.submissions.app import lookups, visibility
from services.submissions.app.documents import document_refs
from services.submissions.domain import checks, review
from services.submissions.domain.deadlines import answered_by, due_date, has_passed, on_time
from services.submissions.forms import ACADEMY, FORMS, SCHOOL, FormSpec
from services.submissions.forms import CLUSTER_HEAD as CLUSTER_HEAD_FILER
from services.submissions.service import Submissions
from services.submissions.tables import submissions
from services.vocabulary import INSPECTION_FORM
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, SCHOOL_OFFICER, Principal
from shared.errors import Conflict, NotFound, RuleBroken
from shared.eventstore import Context, NewEvent
from shared.web import ApiError


@dataclass(frozen=True)
class Filing:
    """A form to file for a year, by a school or a cluster, with its payload and document hashes."""

    year: int
    form: str
    payload: dict[str, Any]
    school_id: str | None = None
    cluster_id: str | None = None
    documents: tuple[str, ...] = ()


def submission_stream(submission_id: str) -> str:
    """Return the stream id of a filing."""
    return f"submission-{submission_id}"


def file_form(service: Submissions, principal: Principal, filing: Filing, context: Context) -> dict[str, Any]:
    """File a form: check the filer, cluster, content and duplicates; stamp it on time or late."""
    spec = FORMS.get(filing.form)
    if spec is None:
        raise RuleBroken(
            f"unknown form {filing.form}", {"form": filing.form, "known": sorted(FORMS)}, "unknown_form"
        )
    with service.transaction() as conn:
        campaign = lookups.campaign(conn, filing.year)
        filer_type, filer_id, cluster_id = _filer(conn, principal, spec, filing)
        payload = _checked_payload(conn, spec, filing.year, filer_id, cluster_id, campaign, filing.payload)
        documents = document_refs(service, filing.documents)
        if not spec.repeatable:
            _no_duplicate(conn, filing.year, spec.code, filer_id)
        now = service.clock()
        deadline = answered_by(campaign["deadlines"], spec.code)
        submission_id = f"sub_{uuid.uuid4().hex[:16]}"
        data = {
            "submission_id": submission_id,
            "year": filing.year,
            "form": spec.code,
            "filer_type": filer_type,
            "filer_id": filer_id,
            "cluster_id": cluster_id,
            "filed_at": now.isoformat(),
            "deadline_code": deadline["code"] if deadline else None,
            "due": due_date(deadline).isoformat() if deadline else None,
            "on_time": on_time(now, deadline) if deadline else None,
            "documents": documents,
            "payload": payload,
        }
        service.record(conn, submission_stream(submission_id), [NewEvent(spec.event, data)], context, 0)
        return lookups.submission(conn, submission_id)


def amend_filing(
    service: Submissions,
    principal: Principal,
    submission_id: str,
    payload: dict[str, Any],
    document_hashes: tuple[str, ...],
    expected_version: int | None,
    context: Context,
) -> dict[str, Any]:
    """Replace a filing's content: until its deadline, or after it once reopened or returned."""
    with service.transaction() as conn:
        current = lookups.submission(conn, submission_id)
        spec = FORMS[current["form"]]
        _authorise(principal, spec, current["filer_id"], current["cluster_id"])
        campaign = lookups.campaign(conn, current["year"])
        deadline = answered_by(campaign["deadlines"], spec.code)
        returned = current["review_state"] == review.RETURNED
        if deadline and has_passed(deadline, service.clock()) and not (current["reopened"] or returned):
            raise Conflict(
                f"deadline {deadline['code']} ({due_date(deadline).isoformat()}) has passed: ask to reopen",
                {"deadline_code": deadline["code"], "due": due_date(deadline).isoformat()},
                "deadline_passed",
            )
        checked = _checked_payload(
            conn, spec, current["year"], current["filer_id"], current["cluster_id"], campaign, payload
        )
        data = {
            **{
                k: current[k]
                for k in ("submission_id", "year", "form", "filer_type", "filer_id", "cluster_id")
            },
            "filed_at": service.clock().isoformat(),
            "deadline_code": current["deadline_code"],
            "due": current["due"].isoformat() if current["due"] else None,
            "on_time": (
                review.corrected_stamp(current["on_time"], current["reviewed_at"], service.clock(), campaign)
                if returned
                else current["on_time"]
            ),
            "documents": document_refs(service, document_hashes),
            "payload": checked,
            "amendment": current["amendments"] + 1,
        }
        event = NewEvent("SubmissionAmended", data)
        service.record(conn, submission_stream(submission_id), [event], context, expected_version)
        return lookups.submission(conn, submission_id)


def reopen_filing(service: Submissions, submission_id: str, reason: str, context: Context) -> dict[str, Any]:
    """Let a filing be amended once more after its deadline (the Academy's decision)."""
    with service.transaction() as conn:
        lookups.submission(conn, submission_id)
        event = NewEvent("SubmissionReopened", {"submission_id": submission_id, "reason": reason})
        service.record(conn, submission_stream(submission_id), [event], context)
        return lookups.submission(conn, submission_id)


def review_filing(
    service: Submissions,
    principal: Principal,
    submission_id: str,
    decision: str,
    reason: str,
    context: Context,
) -> dict[str, Any]:
    """Accept a filing or return it with a reason: by the level that receives it (the Academy may always)."""
    with service.transaction() as conn:
        current = lookups.submission(conn, submission_id)
        spec = FORMS[current["form"]]
        reviewer = _reviewer(principal, spec, current)
        event = review.review(current, decision, reason, reviewer, service.clock())
        service.record(conn, submission_stream(submission_id), [event], context)
        return lookups.submission(conn, submission_id)


def _reviewer(principal: Principal, spec: FormSpec, current: dict[str, Any]) -> str:
    """Return who reviews, as recorded; refuse anyone but the receiving level (or the Academy)."""
    if principal.role == ACADEMY_ADMIN:
        return ACADEMY
    heads_it = principal.role == CLUSTER_HEAD and principal.tenant == current["cluster_id"]
    if spec.reviewer == CLUSTER_HEAD_FILER and heads_it:
        return f"cluster:{current['cluster_id']}"
    raise ApiError(
        403,
        "forbidden",
        f"form {spec.code} is reviewed by the {'Academy' if spec.reviewer == ACADEMY else 'cluster head'}",
        {"form": spec.code, "reviewer": spec.reviewer},
    )


def filing(service: Submissions, principal: Principal, submission_id: str) -> dict[str, Any]:
    """Return a filing the caller may read; one it may not read is not found, like an unknown one."""
    with service.reader.connect() as conn:
        row, scope = _readable(conn, principal, submission_id)
    return visibility.filing_shown(scope, row)


def history(service: Submissions, principal: Principal, submission_id: str) -> list[dict[str, Any]]:
    """Return every version of a filing the caller may read, oldest first, from its events."""
    with service.reader.connect() as conn:
        row, scope = _readable(conn, principal, submission_id)
        stored = service.store.load(conn, submission_stream(submission_id))
    return [
        {
            "version": s.envelope.stream_version,
            "type": s.envelope.type,
            "recorded_at": s.envelope.time,
            "actor": s.envelope.actor,
            "data": _version_shown(scope, row, dict(s.envelope.data)),
        }
        for s in stored
    ]


def _readable(conn: sa.Connection, principal: Principal, submission_id: str) -> tuple[dict[str, Any], Any]:
    """Return a filing and the caller's scope; a filing the caller may not read is not found."""
    row = lookups.submission(conn, submission_id)
    scope = visibility.scope(conn, principal)
    if not visibility.reads(scope, row):
        raise NotFound(f"no filing with id {submission_id}", {"submission_id": submission_id})
    return row, scope


def _version_shown(scope: Any, row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Return one version's data as the caller may see it (its payload, if it has one)."""
    if "payload" not in data:
        return data
    return {**data, "payload": visibility.shown(scope, row["form"], row["cluster_id"], data["payload"])}


def list_filings(
    service: Submissions, principal: Principal, filters: dict[str, Any], page: int, per_page: int
) -> list[dict[str, Any]]:
    """Return one page of the filings the caller reads, filtered by year, form, filer and cluster."""
    query = submissions.select().order_by(submissions.c.filed_at, submissions.c.submission_id)
    for column in ("year", "form", "filer_id", "cluster_id"):
        if filters.get(column) is not None:
            query = query.where(submissions.c[column] == filters[column])
    with service.reader.connect() as conn:
        scope = visibility.scope(conn, principal)
        limit = visibility.readable_filings(scope)
        if limit is not None:
            query = query.where(limit)
        rows = conn.execute(query.offset((page - 1) * per_page).limit(per_page)).mappings()
        return [visibility.filing_shown(scope, dict(r)) for r in rows]


def _filer(conn: sa.Connection, principal: Principal, spec: FormSpec, filing: Filing) -> tuple[str, str, str]:
    """Return (filer type, filer id, cluster id) after checking the caller may file for them."""
    if spec.filer == SCHOOL:
        if not filing.school_id:
            raise RuleBroken(
                f"form {spec.code} is filed by a school: give school_id", {}, "school_id_required"
            )
        school = lookups.school(conn, filing.school_id)
        cluster_id = lookups.cluster_of(conn, filing.year, filing.school_id)
        _authorise(principal, spec, filing.school_id, cluster_id)
        if cluster_id is None or (filing.cluster_id and filing.cluster_id != cluster_id):
            raise RuleBroken(
                f"school {filing.school_id} is not in {filing.cluster_id or 'a cluster'} in {filing.year}",
                {"school_id": filing.school_id, "cluster_id": filing.cluster_id, "year": filing.year},
                "school_not_in_cluster",
            )
        checks.check_form_for_kind(spec, school["kind"])
        return "school", filing.school_id, cluster_id
    if not filing.cluster_id:
        raise RuleBroken(
            f"form {spec.code} is filed by a cluster head: give cluster_id", {}, "cluster_id_required"
        )
    _authorise(principal, spec, filing.cluster_id, filing.cluster_id)
    lookups.cluster_in_year(conn, filing.year, filing.cluster_id)
    return "cluster", filing.cluster_id, filing.cluster_id


def _authorise(principal: Principal, spec: FormSpec, filer_id: str, cluster_id: str | None) -> None:
    """Allow the Academy anything, a school officer only their school, a cluster head only their cluster."""
    if principal.role == ACADEMY_ADMIN:
        return
    if spec.filer == SCHOOL and principal.role == SCHOOL_OFFICER and principal.tenant == filer_id:
        return
    if spec.filer != SCHOOL and principal.role == CLUSTER_HEAD and principal.tenant == cluster_id:
        return
    raise ApiError(
        403,
        "forbidden",
        f"{principal.role} {principal.tenant or ''} may not file form {spec.code} for {filer_id}".strip(),
        {"form": spec.code, "filer_id": filer_id},
    )


def _checked_payload(
    conn: sa.Connection,
    spec: FormSpec,
    year: int,
    filer_id: str,
    cluster_id: str,
    campaign: dict[str, Any],
    raw: dict[str, Any],
) -> dict[str, Any]:
    """Load a payload with its form's schema and check it against the year's template and members."""
    schema = spec.payload()
    try:
        payload: dict[str, Any] = schema.load(raw)
    except ma.ValidationError as exc:
        raise ApiError(
            422,
            "validation_failed",
            f"the payload of form {spec.code} is not valid",
            {"json": {"payload": exc.messages}},
        ) from exc
    if spec.school_kind is not None:
        template = checks.template_for(campaign, spec.school_kind)
        checks.check_scores(template, payload["scores"])
        checks.check_scores(template, payload["bonus"], bonus=True)
    cluster_members = lookups.members_of(conn, year, cluster_id)
    for what, school_ids in checks.schools_named(spec.code, payload):
        checks.check_members(school_ids, cluster_members, what)
    if spec.code == INSPECTION_FORM:
        _check_inspection(conn, campaign, payload)
    dumped: dict[str, Any] = schema.dump(payload)
    return dumped


def _check_inspection(conn: sa.Connection, campaign: dict[str, Any], payload: dict[str, Any]) -> None:
    """Check an inspection: a cross-inspection is by other schools; verified scores fit the template."""
    inspected = payload["inspected_school_id"]
    if payload["cross_inspection"] and inspected in payload["inspecting_school_ids"]:
        raise RuleBroken(
            "in a cross-inspection a school does not inspect itself",
            {"school_id": inspected},
            "self_inspection",
        )
    template = checks.template_for(campaign, lookups.school(conn, inspected)["kind"])
    checks.check_scores(template, payload["verified_scores"])


def _no_duplicate(conn: sa.Connection, year: int, form: str, filer_id: str) -> None:
    """Refuse a second filing of a one-off form: the first must be amended instead."""
    existing = conn.execute(
        sa.select(submissions.c.submission_id).where(
            (submissions.c.year == year) & (submissions.c.form == form) & (submissions.c.filer_id == filer_id)
        )
    ).scalar()
    if existing:
        raise Conflict(
            f"form {form} was already filed for {filer_id} in {year}: amend it instead",
            {"submission_id": existing},
            "amendment_required",
        )
