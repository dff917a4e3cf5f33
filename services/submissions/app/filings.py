"""Filing use cases: gather what a decision needs, let the domain decide, record the event; and reads."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from services.forms import ACADEMY, CLUSTER_HEAD, FORMS, SCHOOL, Form
from services.submissions.app import lookups, visibility
from services.submissions.app.documents import document_refs
from services.submissions.app.work import FilingWork
from services.submissions.domain import filings as decide
from services.submissions.domain import review
from services.submissions.domain.deadlines import answered_by, due_date
from services.submissions.domain.filings import FileForm, Snapshot
from services.submissions.service import Submissions
from services.submissions.tables import submissions
from shared.auth import ACADEMY_ADMIN, Principal
from shared.auth import CLUSTER_HEAD as CLUSTER_HEAD_ROLE
from shared.errors import Conflict, NotFound
from shared.eventstore import Context
from shared.time import local_date
from shared.unit_of_work import UnitOfWork


def submission_stream(submission_id: str) -> str:
    """Return the stream id of a filing."""
    return f"submission-{submission_id}"


def filing_scope(submission_id: str) -> str:
    """Return the lock scope of one filing: what amending, reopening and reviewing it decide under."""
    return f"filing:{submission_id}"


def file_form(
    service: FilingWork, principal: Principal, command: FileForm, context: Context
) -> dict[str, Any]:
    """File a form: gather the year, the filer and earlier filings; record what the domain decides.

    Its rules concern one filer's filings of one form (a one-off form is filed once), so it holds a lock
    of that scope, not the service's write lock, until its append: filers do not wait on one another. A
    form filed any number of times (an inspection's minutes) has no such rule: its scope is the filing.
    """
    form = decide.form_of(command.form)
    submission_id = f"sub_{uuid.uuid4().hex[:16]}"
    filer = command.school_id if form.filer == SCHOOL else command.cluster_id
    scope = filing_scope(submission_id) if form.repeatable else f"filing:{command.year}:{form.code}:{filer}"
    try:
        return _file_form(service, principal, command, context, form, (submission_id, scope))
    except sa.exc.IntegrityError as exc:  # the one-off rule held at the insert: another writer filed first
        raise Conflict(
            f"form {form.code} was already filed for {filer} in {command.year}: amend it instead",
            {"year": command.year, "form": form.code, "filer_id": filer},
            "amendment_required",
        ) from exc


def _file_form(
    service: FilingWork,
    principal: Principal,
    command: FileForm,
    context: Context,
    form: Form,
    where: tuple[str, str],
) -> dict[str, Any]:
    """Gather, decide and record a filing of ``form``; ``where`` is its new id and the scope of its lock."""
    submission_id, scope = where
    with service.transaction(scope) as conn:
        campaign = lookups.campaign(conn, command.year)
        school = lookups.known_school(conn, command.school_id) if command.school_id else None
        school_cluster = lookups.cluster_of(conn, command.year, school["school_id"]) if school else None
        cluster_id = school_cluster if form.filer == SCHOOL else command.cluster_id
        filer_id = command.school_id if form.filer == SCHOOL else command.cluster_id
        snapshot = Snapshot(
            campaign=campaign,
            now=service.clock(),
            school=school,
            school_cluster=school_cluster,
            cluster_known=form.filer != SCHOOL
            and bool(cluster_id)
            and lookups.has_cluster(conn, command.year, cluster_id or ""),
            members=lookups.member_kinds(conn, command.year, cluster_id) if cluster_id else {},
            existing=lookups.filed(conn, command.year, form.code, filer_id) if filer_id else None,
            documents=document_refs(service, command.documents, dict(command.document_names)),
        )
        event = decide.file_form(principal, command, snapshot, submission_id)
        service.record(conn, submission_stream(submission_id), [event], context, 0)
        return opened(service, conn, lookups.submission(conn, submission_id))


def amend_filing(
    service: FilingWork,
    principal: Principal,
    submission_id: str,
    payload: dict[str, Any],
    document_hashes: tuple[str, ...],
    expected_version: int | None,
    context: Context,
    document_names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Replace a filing's content, as the domain decides: until its deadline, or once reopened or returned.

    Its rules concern this filing alone, so it decides under the filing's lock and appends at the version
    it read (or the one the caller expects): a write that came between is refused with 409."""
    with service.transaction(filing_scope(submission_id)) as conn:
        current = lookups.submission(conn, submission_id)
        snapshot = Snapshot(
            campaign=lookups.campaign(conn, current["year"]),
            now=service.clock(),
            members=lookups.member_kinds(conn, current["year"], current["cluster_id"]),
            documents=document_refs(service, document_hashes, document_names),
        )
        event = decide.amend(principal, current, payload, snapshot)
        expected = current["version"] if expected_version is None else expected_version
        service.record(conn, submission_stream(submission_id), [event], context, expected)
        return opened(service, conn, lookups.submission(conn, submission_id))


def reopen_filing(service: FilingWork, submission_id: str, reason: str, context: Context) -> dict[str, Any]:
    """Let a filing be amended once more after its deadline (the Academy's decision), under the filing's
    lock, at the version read."""
    with service.transaction(filing_scope(submission_id)) as conn:
        current = lookups.submission(conn, submission_id)
        event = decide.reopen(current, reason)
        service.record(conn, submission_stream(submission_id), [event], context, current["version"])
        return opened(service, conn, lookups.submission(conn, submission_id))


def review_filing(
    service: FilingWork,
    principal: Principal,
    submission_id: str,
    decision: str,
    reason: str,
    context: Context,
) -> dict[str, Any]:
    """Accept a filing or return it with a reason, as the domain decides who may; under the filing's lock,
    at the version read (reviews of other filings decide meanwhile)."""
    with service.transaction(filing_scope(submission_id)) as conn:
        current = lookups.submission(conn, submission_id)
        event = decide.review_filing(principal, current, decision, reason, service.clock())
        service.record(conn, submission_stream(submission_id), [event], context, current["version"])
        return opened(service, conn, lookups.submission(conn, submission_id))


def filing(service: Submissions, principal: Principal, submission_id: str) -> dict[str, Any]:
    """Return a filing the caller may read (and whether it may be amended today); one it may not read is
    not found, like an unknown one."""
    with service.reader.connect() as conn:
        row, scope = _readable(conn, principal, submission_id)
        return opened(
            service, conn, visibility.filing_shown(scope, row) | {"amendable": _amendable(conn, service, row)}
        )


def _amendable(conn: sa.Connection, service: Submissions, row: dict[str, Any]) -> bool | None:
    """Return whether a filing may be amended today; None while its year's campaign is not known here
    (a database being recovered, its registry view not read again yet)."""
    try:
        deadlines = lookups.campaign(conn, row["year"])["deadlines"]
    except NotFound:
        return None
    deadline = answered_by(deadlines, row["form"])
    due = due_date(deadline, row["filer_id"]) if deadline else None
    return decide.may_amend(row, due, local_date(service.clock()))


def history(service: Submissions, principal: Principal, submission_id: str) -> list[dict[str, Any]]:
    """Return every version of a filing the caller may read, oldest first, from its events."""
    with service.reader.connect() as conn:
        row, scope = _readable(conn, principal, submission_id)
        stored = service.store.load(conn, submission_stream(submission_id))
        versions = [
            {
                "version": s.envelope.stream_version,
                "type": s.envelope.type,
                "recorded_at": s.envelope.time,
                "actor": s.envelope.actor,
                "data": _version_shown(scope, row, dict(s.envelope.data)),
            }
            for s in stored
        ]
        return opened(service, conn, versions)


def opened(service: UnitOfWork, conn: sa.Connection, value: Any) -> Any:
    """Return what a caller reads with the personal values it may see in clear (erased: "[đã xóa]")."""
    return service.keyring.opened(conn, value) if service.keyring is not None else value


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
    for column in ("year", "form", "filer_id", "cluster_id", "review_state"):
        if filters.get(column) is not None:
            query = query.where(submissions.c[column] == filters[column])
    with service.reader.connect() as conn:
        scope = visibility.scope(conn, principal)
        limit = visibility.readable_filings(scope)
        if limit is not None:
            query = query.where(limit)
        rows = conn.execute(query.offset((page - 1) * per_page).limit(per_page)).mappings()
        return opened(service, conn, [visibility.filing_shown(scope, dict(r)) for r in rows])


REVIEWER_OF_ROLE = {ACADEMY_ADMIN: ACADEMY, CLUSTER_HEAD_ROLE: CLUSTER_HEAD}
"""Which reviewer of the forms' declarations a role is."""


def waiting_for(service: Submissions, principal: Principal, year: int | None) -> dict[str, Any]:
    """Count the filings waiting for the caller's review: of the forms its role reviews, in its scope."""
    reviewer = REVIEWER_OF_ROLE.get(principal.role)
    forms = [code for code, form in FORMS.items() if form.reviewer == reviewer] if reviewer else []
    query = (
        sa.select(submissions.c.form, sa.func.count())
        .where(submissions.c.review_state == review.PENDING, submissions.c.form.in_(forms))
        .group_by(submissions.c.form)
    )
    if year is not None:
        query = query.where(submissions.c.year == year)
    with service.reader.connect() as conn:
        limit = visibility.readable_filings(visibility.scope(conn, principal))
        if limit is not None:
            query = query.where(limit)
        by_form = {form: int(count) for form, count in conn.execute(query)}
    return {"waiting": sum(by_form.values()), "by_form": by_form}
