"""The deadline watcher: once a due date is over, record each required filing that did not arrive.

Each miss is the first event of its own stream (``missed-<year>-<deadline>-<filer>``), appended with
expected version 0, so it is recorded once however often the watcher runs or restarts, and even if two
watchers run at once.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from prometheus_client import Gauge

from services.submissions.app import lookups, personal
from services.submissions.domain import obligations, review
from services.submissions.domain.deadlines import due_date, has_passed
from services.submissions.service import Submissions
from services.submissions.tables import campaigns, clusters, exemptions, members, missed, submissions
from shared.eventstore import ConcurrencyError, Context
from shared.time import local_date
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
WATCHER = Context(actor="system:deadline-watcher")
ROUND = Gauge(
    "thidua_watcher_last_round_timestamp_seconds",
    "When a watcher last finished a round (Unix time).",
    ["watcher"],
)


def check_deadlines(service: UnitOfWork, now: datetime | None = None) -> int:
    """Record every miss of every passed deadline not recorded yet; return how many were recorded."""
    now = now or service.clock()
    with service.reader.connect() as conn:
        years = list(conn.execute(sa.select(campaigns.c.year)).scalars())
    recorded = 0
    for year in years:
        with service.reader.connect() as conn:
            campaign = lookups.campaign(conn, year)
        for deadline in campaign["deadlines"]:
            if has_passed(deadline, now):
                recorded += sum(
                    _record_miss(service, year, deadline, filer)
                    for filer in _owing(service, year, deadline)
                    if has_passed(deadline, now, filer[1])  # a filer's own extension may run later
                )
                if review.returned_unamended(campaign) == review.RETURNED_UNAMENDED_MISSING:
                    lapsed = _lapsed(service, year, deadline, campaign, now)
                    recorded += sum(
                        _record_miss(service, year, deadline, filer, obligations.RETURNED_UNAMENDED)
                        for filer in lapsed
                    )
    return recorded


def run_watcher(service: Submissions, stop: threading.Event) -> None:
    """Check the deadlines every ``watch_interval`` seconds until stopped."""
    while not stop.is_set():
        try:
            count = check_deadlines(service)
            if count:
                log.info("deadline watcher recorded %d missed filings", count)
            erased = personal.apply_retention(service)
            if erased:
                log.info("retention erased the data of %d people", erased)
            ROUND.labels("deadline").set_to_current_time()
        except sa.exc.OperationalError:
            log.warning("deadline watcher: database unavailable", exc_info=True)
        stop.wait(service.config.watch_interval)


def _owing(service: UnitOfWork, year: int, deadline: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Return (filer type, filer id, cluster id) of every filer who owes the deadline and has not filed."""
    code, forms = deadline["code"], deadline["forms"]
    with service.reader.connect() as conn:
        if deadline["filer"] == "school":
            query = sa.select(members.c.school_id, members.c.cluster_id).where(members.c.year == year)
            filers = [("school", school_id, cluster_id) for school_id, cluster_id in conn.execute(query)]
        else:
            ids = conn.execute(sa.select(clusters.c.cluster_id).where(clusters.c.year == year)).scalars()
            filers = [("cluster", cluster_id, cluster_id) for cluster_id in ids]
        filed = set(
            conn.execute(
                sa.select(submissions.c.filer_id).where(
                    (submissions.c.year == year) & (submissions.c.form.in_(forms))
                )
            ).scalars()
        )
        done = set(
            conn.execute(
                sa.select(missed.c.filer_id).where((missed.c.year == year) & (missed.c.deadline_code == code))
            ).scalars()
        )
        exempt = set(
            conn.execute(
                sa.select(exemptions.c.filer_id).where(
                    (exemptions.c.year == year) & (exemptions.c.deadline_code == code)
                )
            ).scalars()
        )
    return obligations.still_owing(filers, filed, done, exempt)


def _lapsed(
    service: UnitOfWork, year: int, deadline: dict[str, Any], campaign: dict[str, Any], now: datetime
) -> list[tuple[str, str, str]]:
    """Return the filers whose filing of a deadline was returned and not corrected in time, not yet missed."""
    with service.reader.connect() as conn:
        returned = conn.execute(
            submissions.select().where(
                (submissions.c.year == year)
                & submissions.c.form.in_(deadline["forms"])
                & (submissions.c.review_state == review.RETURNED)
            )
        ).mappings()
        today = local_date(now)
        found = [
            (row["filer_type"], row["filer_id"], row["cluster_id"])
            for row in returned
            if review.lapsed(dict(row), due_date(deadline, row["filer_id"]), campaign, today)
        ]
        settled = set(
            conn.execute(
                sa.select(missed.c.filer_id).where(
                    (missed.c.year == year) & (missed.c.deadline_code == deadline["code"])
                )
            ).scalars()
        ) | set(
            conn.execute(
                sa.select(exemptions.c.filer_id).where(
                    (exemptions.c.year == year) & (exemptions.c.deadline_code == deadline["code"])
                )
            ).scalars()
        )
    return [filer for filer in found if filer[1] not in settled]


def _record_miss(
    service: UnitOfWork,
    year: int,
    deadline: dict[str, Any],
    filer: tuple[str, str, str],
    reason: str | None = None,
) -> int:
    """Record one miss (and the ineligibility it may cause); 0 if another run recorded it first."""
    filer_id = filer[1]
    miss, *consequences = obligations.missed(year, deadline, filer, reason)
    try:
        with service.transaction() as conn:
            stream = f"missed-{year}-{deadline['code']}-{filer_id}"
            service.record(conn, stream, [miss], WATCHER, 0)
            service.record(conn, f"eligibility-{year}-{filer_id}", consequences, WATCHER)
    except ConcurrencyError:
        return 0
    return 1
