"""Small factories for tests: a test event catalogue, a counting projection, settings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from marshmallow import Schema, fields

from shared.bus import OutgoingRecord, make_bus
from shared.catalogue import Catalogue, EventType, Upcaster
from shared.consumer import Consumed
from shared.db import event_store_tables, tracking_table
from shared.envelope import Envelope
from shared.eventstore import NewEvent
from shared.settings import CommonSettings

TEST_SECRET = "test-secret-" + "x" * 32


class PingedV2(Schema):
    """Test event: a counter tick; version 2 renamed ``n`` to ``number``."""

    number = fields.Integer(required=True)
    note = fields.String(load_default="")


def catalogue_for(topic: str) -> Catalogue:
    """Return a catalogue with one test event type on a topic."""
    return Catalogue(
        EventType("Pinged", 2, PingedV2, topic, upcasters={1: lambda d: {"number": d.pop("n"), **d}})
    )


def make_ping(number: int, note: str = "") -> NewEvent:
    """Return a Pinged event to append."""
    return NewEvent("Pinged", {"number": number, "note": note})


def make_envelope(stream_id: str = "stream-1", number: int = 1, **overrides: Any) -> Envelope:
    """Return a Pinged envelope."""
    values: dict[str, Any] = {
        "type": "Pinged",
        "source": "test",
        "stream_id": stream_id,
        "data": {"number": number, "note": ""},
        "schema_version": 2,
        "stream_version": number,
    }
    values.update(overrides)
    return Envelope(**values)


def service_tables() -> tuple[sa.MetaData, sa.Table, sa.Table, sa.Table, sa.Table]:
    """Return a test service's metadata with the shared tables and a counter read model."""
    metadata = sa.MetaData()
    events, progress = event_store_tables(metadata)
    tracking = tracking_table(metadata)
    counters = sa.Table(
        "counters",
        metadata,
        sa.Column("stream_id", sa.String(200), primary_key=True),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("applied", sa.Integer, nullable=False),
    )
    return metadata, events, progress, tracking, counters


class CounterProjection:
    """Sums each stream's numbers and counts applications; a note of 'poison' makes it fail."""

    def __init__(self, name: str, topics: list[str], counters: sa.Table, fail_times: int = 0):
        self.name = name
        self.topics = topics
        self.counters = counters
        self.fail_times = fail_times

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Add the event's number to its stream's total."""
        if consumed.data.get("note") == "poison":
            raise ValueError("this event always fails")
        if self.fail_times > 0:
            self.fail_times -= 1
            raise sa.exc.OperationalError("simulated", {}, Exception("database went away"))
        stream = consumed.event.stream_id
        row = conn.execute(sa.select(self.counters).where(self.counters.c.stream_id == stream)).first()
        if row is None:
            conn.execute(
                self.counters.insert().values(stream_id=stream, total=consumed.data["number"], applied=1)
            )
        else:
            conn.execute(
                self.counters.update()
                .where(self.counters.c.stream_id == stream)
                .values(total=row.total + consumed.data["number"], applied=row.applied + 1)
            )

    def reset(self, conn: sa.Connection) -> None:
        """Empty the counters."""
        conn.execute(self.counters.delete())

    def table(self, engine: sa.Engine) -> dict[str, tuple[int, int]]:
        """Return every stream's (total, applied)."""
        with engine.connect() as conn:
            return {r.stream_id: (r.total, r.applied) for r in conn.execute(sa.select(self.counters))}


def make_settings(service: str, data_dir: Path, **overrides: Any) -> CommonSettings:
    """Return settings for a service under a test data directory."""
    values = {
        "service": service,
        "database_url": f"sqlite:///{data_dir / (service + '.sqlite')}",
        "bus_url": f"file:{data_dir / 'eventlog.sqlite'}",
        "topic_partitions": 3,
        "jwt_secret": TEST_SECRET,
        "log_level": "INFO",
    }
    values.update(overrides)
    return CommonSettings(**values)  # type: ignore[arg-type]


def service_settings(service: str, data_dir: Path, **overrides: Any) -> Any:
    """Return the settings of the registry or scoring (the common ones are all they have)."""
    from services.registry.config import RegistrySettings
    from services.scoring.config import ScoringSettings

    common = make_settings(service, data_dir, **overrides)
    if service == "registry":
        return RegistrySettings(common=common, data_dir=data_dir)  # its signing authority made there
    return ScoringSettings(common=common)


def notifications_settings(
    data_dir: Path, smtp_port: int = 1025, webhook_allowed: str = "127.0.0.1", **overrides: Any
) -> Any:
    """Return notifications settings under a test data directory (webhooks may reach the loopback)."""
    from services.notifications.app.targets import AllowList
    from services.notifications.config import NotificationsSettings

    return NotificationsSettings(
        common=make_settings("notifications", data_dir, **overrides),
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        mail_from="thidua@hcma.vn",
        academy_mailbox="vu.cactruongchinhtri@hcma.vn",
        reminder_offsets_days=(7, 1),
        webhook_pause_after=3,
        webhook_timeout=2.0,
        loop_interval=0.2,
        webhook_allowed=AllowList.parse(webhook_allowed),
    )


def with_next_version(catalogue: Catalogue, name: str, upcaster: Upcaster) -> Catalogue:
    """Return the catalogue with ``name`` one version newer, reached from the current one by ``upcaster``."""
    current = catalogue[name]
    newer = replace(
        current, version=current.version + 1, upcasters={**current.upcasters, current.version: upcaster}
    )
    return Catalogue(*(newer if t.name == name else t for t in catalogue))


def renamed(**old_to_new: str) -> Upcaster:
    """Return an upcaster that renames fields (an old event's shape into the new one)."""

    def upcast(data: dict[str, Any]) -> dict[str, Any]:
        return {old_to_new.get(key, key): value for key, value in data.items()}

    return upcast


def publish_old(bus_url: str, topic: str, event_type: str, stream_id: str, data: dict[str, Any]) -> None:
    """Publish an event as version 1 of its type, in the shape it had then."""
    bus = make_bus(bus_url)
    bus.ensure_topics([topic])
    bus.publish([OutgoingRecord(topic, *Envelope(event_type, "old", stream_id, data, 1, 1).to_record())])
    bus.close()


def state_snapshot(service: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of a service's state tables, each table's rows in key order."""
    snapshot = {}
    with service.engine.connect() as conn:
        for table in service.state.tables:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def rebuilt_state_equals_live(service: Any) -> tuple[int, bool]:
    """Rebuild a service's state tables from its events; return how many events and whether they match."""
    before = state_snapshot(service)
    applied = service.rebuild_state(batch_size=97)  # an odd batch: events span several reads
    after = state_snapshot(service)
    return applied, before == after and any(before.values())


def console_post(client: Any, path: str, data: dict[str, str]) -> Any:
    """POST a console form as its page would: with the browser's CSRF value (fetched once if new)."""
    cookie = client.get_cookie("thidua_console_csrf")
    if cookie is None:
        client.get("/console/login")
        cookie = client.get_cookie("thidua_console_csrf")
    return client.post(path, data={**data, "csrf_token": cookie.value})


def console_login(client: Any, token: str) -> Any:
    """Sign in to the console with a token, as its login form does."""
    return console_post(client, "/console/login", {"token": token})
