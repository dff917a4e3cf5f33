"""What the benchmarks work on: a realistic event, a small read model, a filled event store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from marshmallow import Schema, fields

from shared.catalogue import Catalogue, EventType
from shared.consumer import Consumed
from shared.db import event_store_tables, tracking_table
from shared.envelope import Envelope
from shared.eventstore import EventStore, NewEvent
from shared.relay import POSITION_HEADER

EVENTS_PER_STREAM = 10


class ScoreRecordedV1(Schema):
    """A bench event shaped like a score line of a score sheet."""

    school_id = fields.String(required=True)
    criterion = fields.String(required=True)
    points = fields.Float(required=True)
    note = fields.String(required=True)


def bench_catalogue(topic: str) -> Catalogue:
    """Return the catalogue of the bench event."""
    return Catalogue(EventType("ScoreRecorded", 1, ScoreRecordedV1, topic))


def bench_tables() -> tuple[sa.MetaData, sa.Table, sa.Table, sa.Table, sa.Table]:
    """Return the bench service's tables: events, relay progress, tracking and a per-school read model."""
    metadata = sa.MetaData()
    events, progress = event_store_tables(metadata)
    tracking = tracking_table(metadata)
    model = sa.Table(
        "school_points",
        metadata,
        sa.Column("stream_id", sa.String(200), primary_key=True),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("applied", sa.Integer, nullable=False),
    )
    return metadata, events, progress, tracking, model


def score_data(n: int) -> dict[str, Any]:
    """Return the data of the n-th bench event."""
    return {
        "school_id": f"sch_{n // EVENTS_PER_STREAM:08d}",
        "criterion": f"5.1.{n % 7}",
        "points": float(n % 10),
        "note": "Chủ động - Đồng bộ - Đột phá - Kỷ cương - Chất lượng - Hiệu quả",
    }


def sample_envelopes(count: int) -> list[Envelope]:
    """Return ``count`` envelopes as the relay would publish them, for the raw producer."""
    return [
        Envelope(
            "ScoreRecorded",
            "bench",
            f"school-{n // EVENTS_PER_STREAM}",
            score_data(n),
            1,
            n % EVENTS_PER_STREAM + 1,
        )
        for n in range(count)
    ]


def as_relayed(
    envelopes: Sequence[Envelope], first: int = 1
) -> list[tuple[bytes, list[tuple[str, bytes]], bytes]]:
    """Return the records a relay publishes for these events: each with its store position (``first``,
    then on), the header by which a consumer knows a relay's record (shared.consumer)."""
    records = []
    for position, envelope in enumerate(envelopes, start=first):
        key, headers, value = envelope.to_record()
        records.append((key, [*headers, (POSITION_HEADER, str(position).encode())], value))
    return records


def fill_store(engine: sa.Engine, store: EventStore, count: int) -> None:
    """Append ``count`` events, ten per stream, in one transaction."""
    with engine.begin() as conn:
        for first in range(0, count, EVENTS_PER_STREAM):
            batch = [
                NewEvent("ScoreRecorded", score_data(n))
                for n in range(first, min(count, first + EVENTS_PER_STREAM))
            ]
            store.append(conn, f"school-{first // EVENTS_PER_STREAM}", 0, batch)


class BenchProjection:
    """Sums the points per school; folds a batch into one write per school (``apply``: one event)."""

    def __init__(self, name: str, topics: list[str], model: sa.Table):
        self.name = name
        self.topics = topics
        self.model = model
        self._add = (
            model.update()
            .where(model.c.stream_id == sa.bindparam("stream"))
            .values(points=model.c.points + sa.bindparam("add"), applied=model.c.applied + 1)
        )
        self._add_many = (
            model.update()
            .where(model.c.stream_id == sa.bindparam("stream"))
            .values(
                points=model.c.points + sa.bindparam("add"), applied=model.c.applied + sa.bindparam("count")
            )
        )
        self._first = model.insert().values(
            stream_id=sa.bindparam("stream"), points=sa.bindparam("add"), applied=1
        )

    def apply(self, conn: sa.Connection, consumed: Consumed) -> None:
        """Add one event's points to its school."""
        params = {"stream": consumed.event.stream_id, "add": consumed.data["points"]}
        if conn.execute(self._add, params).rowcount == 0:
            conn.execute(self._first, params)

    def apply_batch(self, conn: sa.Connection, batch: list[Consumed]) -> None:
        """Fold a batch per school, then write each school once."""
        folded: dict[str, list[float]] = {}
        for consumed in batch:
            entry = folded.setdefault(consumed.event.stream_id, [0.0, 0])
            entry[0] += consumed.data["points"]
            entry[1] += 1
        if not folded:
            return
        known = set(
            conn.execute(
                sa.select(self.model.c.stream_id).where(self.model.c.stream_id.in_(folded))
            ).scalars()
        )
        updates = [{"stream": s, "add": p, "count": n} for s, (p, n) in folded.items() if s in known]
        inserts = [
            {"stream_id": s, "points": p, "applied": n} for s, (p, n) in folded.items() if s not in known
        ]
        if updates:
            conn.execute(self._add_many, updates)
        if inserts:
            conn.execute(self.model.insert(), inserts)

    def reset(self, conn: sa.Connection) -> None:
        """Empty the read model."""
        conn.execute(self.model.delete())
