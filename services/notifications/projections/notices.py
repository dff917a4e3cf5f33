"""What notifications keeps from the events, the notices they cause, and the webhook deliveries they make."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from services.notifications.app import notices as recipients
from services.notifications.app.messages import render
from services.notifications.app.webhooks import queue_deliveries
from services.notifications.contracts import AUDITED_TOPICS, FILING_EVENTS
from services.notifications.tables import deadlines, exempt, filed, heads, members, officers, schools
from shared.consumer import Consumed

Handler = Callable[[sa.Connection, dict[str, Any], Consumed], None]


class NoticesProjection:
    """Keeps deadlines, schools, members, heads, officers and filings; writes notices and deliveries."""

    name = "notifications-notices"
    topics = AUDITED_TOPICS
    accepts_any_type = True

    def __init__(self, academy_mailbox: str, clock: Callable[[], datetime]):
        self.academy = recipients.academy_recipients(academy_mailbox)
        self.clock = clock
        self.handlers: dict[str, Handler] = {
            "CampaignOpened": self._campaign,
            "CampaignAmended": self._campaign,
            "DeadlineExtended": self._deadline_extended,
            "SchoolRegistered": self._school,
            "SchoolJoinedCluster": self._joined,
            "ClusterLeadershipAssigned": self._leadership,
            **dict.fromkeys(FILING_EVENTS, self._filed),
            "SubmissionAmended": self._amended,
            "FilingExempted": self._exempted,
            "DeadlineMissed": self._missed,
            "SchoolDeclaredIneligible": self._ineligible,
            "ScoresComputed": self._results,
        }

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Apply one event: its read-model change, its notices, and its webhook deliveries."""
        handler = self.handlers.get(consumed.event.type)
        if handler is not None:
            handler(conn, consumed.data, consumed)
        queue_deliveries(conn, consumed, self.clock())

    def reset(self, conn: sa.Connection) -> None:
        """Empty the read model (notices and deliveries are history: they stay, and are not made twice)."""
        for table in (deadlines, schools, members, heads, officers, filed, exempt):
            conn.execute(table.delete())

    def _campaign(self, conn: sa.Connection, data: dict[str, Any], _c: Consumed) -> None:
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

    def _deadline_extended(self, conn: sa.Connection, data: dict[str, Any], _c: Consumed) -> None:
        conn.execute(
            deadlines.update()
            .where((deadlines.c.year == data["year"]) & (deadlines.c.code == data["deadline_code"]))
            .values(due=date.fromisoformat(data["due"]))
        )

    def _school(self, conn: sa.Connection, data: dict[str, Any], _c: Consumed) -> None:
        conn.execute(schools.delete().where(schools.c.school_id == data["school_id"]))
        conn.execute(
            schools.insert().values(school_id=data["school_id"], code=data["code"], name=data["name"])
        )

    def _joined(self, conn: sa.Connection, data: dict[str, Any], _c: Consumed) -> None:
        conn.execute(
            members.delete().where(
                (members.c.year == data["year"]) & (members.c.school_id == data["school_id"])
            )
        )
        conn.execute(
            members.insert().values(
                year=data["year"], school_id=data["school_id"], cluster_id=data["cluster_id"]
            )
        )

    def _leadership(self, conn: sa.Connection, data: dict[str, Any], _c: Consumed) -> None:
        conn.execute(heads.delete().where(heads.c.cluster_id == data["cluster_id"]))
        conn.execute(
            heads.insert().values(
                cluster_id=data["cluster_id"], year=data["year"], head_school_id=data["head_school_id"]
            )
        )

    def _filed(self, conn: sa.Connection, data: dict[str, Any], consumed: Consumed) -> None:
        self._keep_filing(conn, data)
        to = recipients.filer_recipients(conn, data["year"], data["filer_type"], data["filer_id"])
        subject, body = render(
            "receipt",
            recipient_name=to.name,
            form=data["form"],
            year=data["year"],
            filer_name=to.name,
            filed_at=str(data.get("filed_at", "")),
            on_time=data.get("on_time"),
            due=data.get("due"),
            submission_id=data["submission_id"],
        )
        recipients.add_notice(
            conn, f"receipt:{consumed.event.id}", "receipt", to, subject, body, self.clock()
        )

    def _amended(self, conn: sa.Connection, data: dict[str, Any], consumed: Consumed) -> None:
        self._filed(conn, data, consumed)

    def _keep_filing(self, conn: sa.Connection, data: dict[str, Any]) -> None:
        key = (
            (filed.c.year == data["year"])
            & (filed.c.filer_id == data["filer_id"])
            & (filed.c.form == data["form"])
        )
        if conn.execute(sa.select(filed.c.form).where(key)).first() is None:
            conn.execute(
                filed.insert().values(year=data["year"], filer_id=data["filer_id"], form=data["form"])
            )
        if data["form"] == "03":
            self._keep_officers(conn, data["year"], data["payload"]["officers"])

    def _keep_officers(self, conn: sa.Connection, year: int, listed: list[dict[str, Any]]) -> None:
        for school_id in {o["school_id"] for o in listed}:
            conn.execute(
                officers.delete().where((officers.c.year == year) & (officers.c.school_id == school_id))
            )
        unique = {(o["school_id"], o["email"]): o for o in listed}
        conn.execute(
            officers.insert(),
            [{"year": year, "school_id": s, "email": e, "name": o["name"]} for (s, e), o in unique.items()],
        )

    def _exempted(self, conn: sa.Connection, data: dict[str, Any], _c: Consumed) -> None:
        conn.execute(
            exempt.insert().values(
                year=data["year"], deadline_code=data["deadline_code"], filer_id=data["filer_id"]
            )
        )

    def _missed(self, conn: sa.Connection, data: dict[str, Any], consumed: Consumed) -> None:
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
            due=data["due"],
            filer_name=to.name,
            year=data["year"],
            consequence=data.get("consequence", "deduction"),
        )
        key = f"overdue:{data['year']}:{data['deadline_code']}:{data['filer_id']}"
        recipients.add_notice(conn, key, "overdue", to, subject, body, self.clock())

    def _ineligible(self, conn: sa.Connection, data: dict[str, Any], _c: Consumed) -> None:
        name = recipients.school_name(conn, data["school_id"])
        for to in (recipients.school_recipients(conn, data["year"], data["school_id"]), self.academy):
            subject, body = render(
                "ineligible",
                recipient_name=to.name,
                school_name=name,
                year=data["year"],
                reason=data["reason"],
            )
            key = f"ineligible:{data['year']}:{data['school_id']}"
            recipients.add_notice(conn, key, "ineligible", to, subject, body, self.clock())

    def _results(self, conn: sa.Connection, data: dict[str, Any], _c: Consumed) -> None:
        table = [{**row, "name": recipients.school_name(conn, row["school_id"])} for row in data["table"]]
        for to in (recipients.cluster_recipients(conn, data["year"], data["cluster_id"]), self.academy):
            subject, body = render(
                "results", recipient_name=to.name, year=data["year"], revision=data["revision"], table=table
            )
            key = f"results:{data['year']}:{data['cluster_id']}:{data['revision']}"
            recipients.add_notice(conn, key, "results", to, subject, body, self.clock())
