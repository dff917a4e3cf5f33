"""What notifications keeps from the events, the notices they cause, and the webhook deliveries they make.

Each handler changes the read model and returns the notices its event causes; the projection writes
them (each at most once, by key) with the time of writing and the Academy's configured mailbox.
"""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from services.forms import OFFICERS_FORM, filing_events, form_title
from services.notifications.app import notices as recipients
from services.notifications.app.mailer import message_id
from services.notifications.app.messages import render
from services.notifications.app.webhooks import queue_deliveries
from services.notifications.contracts import AUDITED_TOPICS
from services.notifications.tables import deadlines, exempt, filed, heads, members, notices, officers, schools
from services.vocabulary import AWARD_NAMES
from shared.consumer import Consumed, ConsumerOptions
from shared.envelope import Envelope
from shared.handlers import Handlers
from shared.personal import PREFIX
from shared.time import day_text, local_text


@dataclass(frozen=True)
class Notice:
    """A notice an event causes: its unique key, kind, recipients and rendered text."""

    key: str
    kind: str
    to: recipients.Recipients
    subject: str
    body: str


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
            to = self.academy if notice.to.inbox == recipients.ACADEMY_INBOX else notice.to
            recipients.add_notice(conn, notice.key, notice.kind, to, notice.subject, notice.body, now)
        queue_deliveries(conn, consumed, now)
        if consumed.event.type == "PersonalDataErased" and self.mail_store:
            forget_mail(conn, Path(self.mail_store), consumed.data["subject_id"])

    def reset(self, conn: sa.Connection) -> None:
        """Empty the read model (notices and deliveries are history: they stay, and are not made twice)."""
        for table in (deadlines, schools, members, heads, officers, filed, exempt):
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
    conn.execute(
        deadlines.update()
        .where((deadlines.c.year == data["year"]) & (deadlines.c.code == data["deadline_code"]))
        .values(due=date.fromisoformat(data["due"]))
    )
    return None


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
    subject, body = render(
        "receipt",
        recipient_name=to.name,
        form=form_title(data["form"]),
        year=data["year"],
        filer_name=to.name,
        filed_at=local_text(datetime.fromisoformat(data["filed_at"])) if data.get("filed_at") else "",
        on_time=data.get("on_time"),
        due=day_text(data.get("due")),
        submission_id=data["submission_id"],
    )
    return [Notice(f"receipt:{event.id}", "receipt", to, subject, body)]


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


def forget_mail(conn: sa.Connection, store: Path, subject_id: str) -> int:
    """Remove from a local Maildir every message sent to an erased person; return how many."""
    keys = conn.execute(
        sa.select(notices.c.notice_key).where(notices.c.recipient.like(f"{PREFIX}{subject_id}:%"))
    ).scalars()
    ids = {message_id(key) for key in keys}
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
    returned = event.type == "FilingReturned"
    reviewer = data["reviewer"]
    reviewer_name = (
        recipients.ACADEMY.name
        if reviewer == "academy"
        else recipients.cluster_recipients(conn, data["year"], reviewer.removeprefix("cluster:")).name
    )
    subject, body = render(
        "returned" if returned else "accepted",
        recipient_name=to.name,
        reviewer_name=reviewer_name,
        form=form_title(data["form"]),
        year=data["year"],
        filer_name=to.name,
        submission_id=data["submission_id"],
        reason=data.get("reason", ""),
    )
    kind = "returned" if returned else "accepted"
    return [Notice(f"{kind}:{event.id}", kind, to, subject, body)]


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
    subject, body = render(
        "overdue",
        recipient_name=to.name,
        deadline_title=title or data["deadline_code"],
        due=day_text(data["due"]),
        filer_name=to.name,
        year=data["year"],
        consequence=data.get("consequence", "deduction"),
    )
    key = f"overdue:{data['year']}:{data['deadline_code']}:{data['filer_id']}"
    return [Notice(key, "overdue", to, subject, body)]


@NOTICES.on("SchoolDeclaredIneligible")
def _ineligible(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    name = recipients.school_name(conn, data["school_id"])
    caused = []
    for to in (recipients.school_recipients(conn, data["year"], data["school_id"]), recipients.ACADEMY):
        subject, body = render(
            "ineligible",
            recipient_name=to.name,
            school_name=name,
            year=data["year"],
            reason=data["reason"],
        )
        key = f"ineligible:{data['year']}:{data['school_id']}"
        caused.append(Notice(key, "ineligible", to, subject, body))
    return caused


@NOTICES.on("ScoresComputed")
def _results(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    table = [{**row, "name": recipients.school_name(conn, row["school_id"])} for row in data["table"]]
    caused = []
    for to in (recipients.cluster_recipients(conn, data["year"], data["cluster_id"]), recipients.ACADEMY):
        subject, body = render(
            "results", recipient_name=to.name, year=data["year"], revision=data["revision"], table=table
        )
        key = f"results:{data['year']}:{data['cluster_id']}:{data['revision']}"
        caused.append(Notice(key, "results", to, subject, body))
    return caused


@NOTICES.on("AwardsDecided")
def _awards_decided(conn: sa.Connection, event: Envelope, data: dict[str, Any]) -> Caused:
    """Tell each proposed school its verdict, and each cluster head the verdicts of its cluster."""
    year, signed_on = data["year"], day_text(data["signed_on"])
    verdicts = [
        {
            **v,
            "school_name": recipients.school_name(conn, v["school_id"]),
            "award_name": AWARD_NAMES.get(v["award"], v["award"]),
        }
        for v in data["verdicts"]
    ]
    caused = []
    for v in verdicts:
        to = recipients.school_recipients(conn, year, v["school_id"])
        subject, body = render(
            "award", recipient_name=to.name, year=year, number=data["number"], signed_on=signed_on, **v
        )
        caused.append(Notice(f"award:{year}:{v['school_id']}:{v['award']}", "award", to, subject, body))
    for cluster_id in sorted({v["cluster_id"] for v in verdicts}):
        to = recipients.cluster_recipients(conn, year, cluster_id)
        mine = [v for v in verdicts if v["cluster_id"] == cluster_id]
        subject, body = render(
            "cluster_awards",
            recipient_name=to.name,
            year=year,
            number=data["number"],
            signed_on=signed_on,
            verdicts=mine,
        )
        caused.append(Notice(f"awards:{year}:{cluster_id}", "awards", to, subject, body))
    return caused
