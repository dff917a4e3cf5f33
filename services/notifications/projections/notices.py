"""What notifications keeps from the events, the notices they cause, and the webhook deliveries they make.

Each handler changes the read model, gathers the names and recipients its event's notices need, and
returns the notices the domain (domain/notices.py) decides; the projection renders and writes them (each
at most once, by key) with the time of writing and the Academy's configured mailbox. Mail of an erased
person is removed from the local store after the transaction commits, never inside it.
"""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from services.forms import OFFICERS_FORM, filing_events
from services.notifications.app import notices as recipients
from services.notifications.app.mailer import message_id
from services.notifications.app.messages import render
from services.notifications.app.webhooks import queue_deliveries
from services.notifications.contracts import AUDITED_TOPICS
from services.notifications.domain import notices as decide
from services.notifications.domain.notices import Notice
from services.notifications.tables import (
    clusters,
    deadlines,
    exempt,
    filed,
    filer_dues,
    heads,
    members,
    notices,
    officers,
    schools,
)
from shared.consumer import Consumed, ConsumerOptions
from shared.db import after_commit
from shared.envelope import Envelope
from shared.handlers import Handlers
from shared.personal import PREFIX

Caused = Sequence[Notice] | None
NOTICES: Handlers[Caused] = Handlers("notifications-notices")


class NoticesProjection:
    """Keeps deadlines, schools, members, heads, officers and filings; writes notices and deliveries."""

    name = "notifications-notices"
    topics = AUDITED_TOPICS
    options = ConsumerOptions(accepts_any_type=True)
    handlers = NOTICES

    def __init__(self, academy_mailbox: str, clock: Callable[[], datetime], mail_store: str = ""):
        self.academy = recipients.academy_recipients(academy_mailbox)
        self.clock = clock
        self.mail_store = mail_store

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Apply one event: its read-model change, its notices, and its webhook deliveries."""
        now = self.clock()
        for notice in NOTICES.apply(conn, consumed.event, consumed.data) or ():
            to = self.academy if notice.to.inbox == decide.ACADEMY_INBOX else notice.to
            subject, body = render(notice.template, **notice.values)
            recipients.add_notice(conn, notice.key, notice.kind, to, subject, body, now)
        queue_deliveries(conn, consumed, now)
        if consumed.event.type == "PersonalDataErased" and self.mail_store:
            sent = sent_to(conn, consumed.data["subject_id"])
            after_commit(conn, lambda: forget_mail(Path(self.mail_store), sent))

    def reset(self, conn: sa.Connection) -> None:
        """Empty the read model (notices and deliveries are history: they stay, and are not made twice)."""
        for table in (deadlines, filer_dues, schools, members, clusters, heads, officers, filed, exempt):
            conn.execute(table.delete())


@NOTICES.on("CampaignOpened", "CampaignAmended")
def _campaign(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    conn.execute(deadlines.delete().where(deadlines.c.year == data["year"]))
    conn.execute(
        deadlines.insert(),
        [
            {
                "year": data["year"],
                "code": d["code"],
                "title": d["title"],
                "forms": d["forms"],
                "filer": d["filer"],
                "due": date.fromisoformat(str(d["due"])),
            }
            for d in data["deadlines"]
        ],
    )
    return None


@NOTICES.on("DeadlineExtended")
def _deadline_extended(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    year, code, due = data["year"], data["deadline_code"], date.fromisoformat(data["due"])
    filer_id = data.get("filer_id")
    if filer_id is None:
        at = (deadlines.c.year == year) & (deadlines.c.code == code)
        conn.execute(deadlines.update().where(at).values(due=due))
        return None
    at = (filer_dues.c.year == year) & (filer_dues.c.code == code) & (filer_dues.c.filer_id == filer_id)
    conn.execute(filer_dues.delete().where(at))
    conn.execute(filer_dues.insert().values(year=year, code=code, filer_id=filer_id, due=due))
    deadline = (
        conn.execute(deadlines.select().where((deadlines.c.year == year) & (deadlines.c.code == code)))
        .mappings()
        .first()
    )
    if deadline is None:
        return None
    to = recipients.filer_recipients(
        conn, year, "school" if deadline["filer"] == "school" else "cluster", filer_id
    )
    return [decide.extended(event.id, data, to, deadline["title"])]


@NOTICES.on("SchoolRegistered")
def _school(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    conn.execute(schools.delete().where(schools.c.school_id == data["school_id"]))
    conn.execute(schools.insert().values(school_id=data["school_id"], code=data["code"], name=data["name"]))
    return None


@NOTICES.on("SchoolJoinedCluster")
def _joined(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    conn.execute(
        members.delete().where((members.c.year == data["year"]) & (members.c.school_id == data["school_id"]))
    )
    conn.execute(
        members.insert().values(year=data["year"], school_id=data["school_id"], cluster_id=data["cluster_id"])
    )
    return None


@NOTICES.on("ClusterFormed")
def _cluster(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    named = {"year": data["year"], "name": data["name"]}
    where = clusters.c.cluster_id == data["cluster_id"]
    if conn.execute(clusters.update().where(where).values(**named)).rowcount == 0:
        conn.execute(clusters.insert().values(cluster_id=data["cluster_id"], **named))
    return None


@NOTICES.on("ClusterLeadershipAssigned")
def _leadership(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    conn.execute(heads.delete().where(heads.c.cluster_id == data["cluster_id"]))
    conn.execute(
        heads.insert().values(
            cluster_id=data["cluster_id"], year=data["year"], head_school_id=data["head_school_id"]
        )
    )
    return None


@NOTICES.on(*filing_events(), "SubmissionAmended")
def _filed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    _keep_filing(conn, data)
    to = recipients.filer_recipients(conn, data["year"], data["filer_type"], data["filer_id"])
    return [decide.receipt(event.id, data, to)]


def _keep_filing(conn: sa.Connection, data: dict[str, Any]) -> None:
    key = (
        (filed.c.year == data["year"])
        & (filed.c.filer_id == data["filer_id"])
        & (filed.c.form == data["form"])
    )
    if conn.execute(sa.select(filed.c.form).where(key)).first() is None:
        conn.execute(filed.insert().values(year=data["year"], filer_id=data["filer_id"], form=data["form"]))
    if data["form"] == OFFICERS_FORM:
        _keep_officers(conn, data["year"], data["payload"]["officers"])


def _keep_officers(conn: sa.Connection, year: int, listed: list[dict[str, Any]]) -> None:
    for school_id in {o["school_id"] for o in listed}:
        conn.execute(officers.delete().where((officers.c.year == year) & (officers.c.school_id == school_id)))
    unique = {(o["school_id"], o["email"]): o for o in listed}
    conn.execute(
        officers.insert(),
        [{"year": year, "school_id": s, "email": e, "name": o["name"]} for (s, e), o in unique.items()],
    )


@NOTICES.on("PersonalDataErased")
def _erased(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    """Forget an erased person: their officer rows go, and mail not sent to them yet never will be."""
    sealed = f"{PREFIX}{data['subject_id']}:%"
    conn.execute(officers.delete().where(officers.c.email.like(sealed)))
    conn.execute(
        notices.update()
        .where(notices.c.recipient.like(sealed) & (notices.c.email_status == "pending"))
        .values(email_status="erased", last_error="the recipient's data was erased")
    )
    return None


def sent_to(conn: sa.Connection, subject_id: str) -> set[str]:
    """Return the Message-IDs of every notice mailed to an erased person."""
    keys = conn.execute(
        sa.select(notices.c.notice_key).where(notices.c.recipient.like(f"{PREFIX}{subject_id}:%"))
    ).scalars()
    return {message_id(key) for key in keys}


def forget_mail(store: Path, ids: set[str]) -> int:
    """Remove from a local Maildir every message with one of these Message-IDs; return how many."""
    if not ids or not store.is_dir():
        return 0
    box = mailbox.Maildir(store, create=False)
    removed = 0
    for key, message in list(box.iteritems()):
        if message.get("Message-ID", "").strip() in ids:
            box.discard(key)
            removed += 1
    return removed


@NOTICES.on("FilingAccepted", "FilingReturned")
def _reviewed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    to = recipients.filer_recipients(conn, data["year"], data["filer_type"], data["filer_id"])
    reviewer = data["reviewer"]
    reviewer_name = (
        decide.ACADEMY.name
        if reviewer == "academy"
        else recipients.cluster_recipients(conn, data["year"], reviewer.removeprefix("cluster:")).name
    )
    return [decide.reviewed(event.id, event.type == "FilingReturned", data, to, reviewer_name)]


@NOTICES.on("FilingExempted")
def _exempted(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    conn.execute(
        exempt.insert().values(
            year=data["year"], deadline_code=data["deadline_code"], filer_id=data["filer_id"]
        )
    )
    return None


@NOTICES.on("DeadlineMissed")
def _missed(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    to = recipients.filer_recipients(conn, data["year"], data["filer_type"], data["filer_id"])
    title = conn.execute(
        sa.select(deadlines.c.title).where(
            (deadlines.c.year == data["year"]) & (deadlines.c.code == data["deadline_code"])
        )
    ).scalar()
    return [decide.overdue(data, to, title)]


@NOTICES.on("SchoolDeclaredIneligible")
def _ineligible(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    school = recipients.school_recipients(conn, data["year"], data["school_id"])
    return decide.ineligible(data, recipients.school_name(conn, data["school_id"]), school)


@NOTICES.on("ScoresComputed")
def _results(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    """Mail a cluster's results, naming the cluster, when they differ from the last ones mailed."""
    digest = decide.results_digest(data["table"])
    where = clusters.c.cluster_id == data["cluster_id"]
    if conn.execute(sa.select(clusters.c.results_digest).where(where)).scalar() == digest:
        return None
    conn.execute(clusters.update().where(where).values(results_digest=digest))
    table = [{**row, "name": recipients.school_name(conn, row["school_id"])} for row in data["table"]]
    cluster = recipients.cluster_recipients(conn, data["year"], data["cluster_id"])
    return decide.results(data, table, cluster, recipients.cluster_name(conn, data["cluster_id"]))


@NOTICES.on("AwardRevoked")
def _award_revoked(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    """Tell the school and its cluster head that an award was revoked, why, and on what ground."""
    year = data["year"]
    return decide.revoked(
        data,
        recipients.school_name(conn, data["school_id"]),
        recipients.school_recipients(conn, year, data["school_id"]),
        recipients.cluster_recipients(conn, year, data["cluster_id"]),
    )


@NOTICES.on("AwardDecisionCorrected")
def _decision_corrected(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    """Tell every school a decision ruled on, and their cluster heads, that its particulars were corrected."""
    year = data["year"]
    return decide.corrected(
        data,
        {s: recipients.school_recipients(conn, year, s) for s in data["school_ids"]},
        {c: recipients.cluster_recipients(conn, year, c) for c in data["cluster_ids"]},
    )


@NOTICES.on("AwardsDecided")
def _awards_decided(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    """Tell each proposed school its verdict, and each cluster head the verdicts of its cluster."""
    year, school_ids = data["year"], {v["school_id"] for v in data["verdicts"]}
    return decide.awards(
        data,
        {s: recipients.school_name(conn, s) for s in school_ids},
        {s: recipients.school_recipients(conn, year, s) for s in school_ids},
        {
            c: recipients.cluster_recipients(conn, year, c)
            for c in {v["cluster_id"] for v in data["verdicts"]}
        },
    )
