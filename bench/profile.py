"""Where the consumer runner's time goes, per record: every stage it passes through, timed exclusively.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 [BENCH_POSTGRES_URL=server] [BENCH_EVENTS=20000] \\
        [BENCH_REPEAT=3] python -m bench.profile

The runner applies the bench topic to a read model (SQLite, and PostgreSQL when given) with a stopwatch
around each stage: kafka-python's poll, the records made into the bus's own, envelope decoding, upcasting,
validation, the positions held and moved (and event ids claimed, where a copy may come), the read
model's writes, the transaction's begin and commit, the offset commit, the runner's own bookkeeping.
A stage's time excludes the stages it calls, so the stages add up to the instrumented run's time.
Beside them, in alternating runs: the same runner with no stopwatch and a bare kafka-python consumer.
The sum of the stages must come within 10% of the uninstrumented runner's cost; the table says how far
it is.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer

import shared.consumer as consumer_module
from bench.__main__ import raw_consume, runner_rate, use_crc32c
from bench.fixtures import BenchProjection, as_relayed, sample_envelopes
from bench.settings import load
from shared.bus import OutgoingRecord, make_bus
from shared.bus.kafka_group import KafkaSubscription
from shared.catalogue import EventType
from shared.consumer import ConsumerRunner
from shared.db import fresh_database
from shared.envelope import Envelope

STAGES = (
    ("fetch", "kafka-python poll (fetch, decompress, CRC, parse)"),
    ("records", "records made into the bus's Record"),
    ("envelope", "envelope decoding (headers, JSON, time)"),
    ("upcast", "upcasting"),
    ("validate", "validation (compiled reader)"),
    ("decode", "decode dispatch and Consumed"),
    ("hold", "positions held and read (one upsert … RETURNING a batch)"),
    ("advance", "positions moved (one UPDATE a partition)"),
    ("claim", "event ids claimed (re-drives, other producers, first batches)"),
    ("apply", "apply: the read model's writes"),
    ("bookkeeping", "dedupe, metrics, tracing hooks"),
    ("transaction", "begin and commit"),
    ("offsets", "offset commit"),
    ("step", "runner step and batch offsets"),
    ("positions", "catch-up checks (positions)"),
    ("loop", "anything else in the loop"),
)


@dataclass
class Stopwatch:
    """Exclusive time per stage: a stage's time leaves out the time of the stages it calls."""

    totals: dict[str, float] = field(default_factory=dict)
    stack: list[list[float]] = field(default_factory=list)

    def timed(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """Return ``function`` timed as ``stage``."""

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            frame = [0.0]  # time spent in stages this call makes
            self.stack.append(frame)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                self.stack.pop()
                self.totals[stage] = self.totals.get(stage, 0.0) + elapsed - frame[0]
                if self.stack:
                    self.stack[-1][0] += elapsed

        return timed_call


@contextmanager
def instrumented(watch: Stopwatch, projection_type: type) -> Iterator[None]:
    """Time every stage of the runner's path while inside (class attributes patched, then restored)."""
    patches: list[tuple[Any, str, Any, Any]] = []

    def patch(owner: Any, name: str, stage: str) -> None:  # owner: a class, or a module
        original = owner.__dict__[name]
        function = original.__func__ if isinstance(original, classmethod) else original
        timed = watch.timed(stage, function)
        replacement = classmethod(timed) if isinstance(original, classmethod) else timed
        patches.append((owner, name, original, replacement))

    patch(KafkaConsumer, "poll", "fetch")
    patch(KafkaSubscription, "poll", "records")
    patch(Envelope, "from_record", "envelope")
    patch(EventType, "_upcast", "upcast")
    patch(EventType, "read", "validate")
    patch(ConsumerRunner, "_decode", "decode")
    patch(projection_type, "apply_batch", "apply")
    patch(ConsumerRunner, "_apply_all", "bookkeeping")
    patch(ConsumerRunner, "handle", "transaction")
    patch(KafkaSubscription, "commit", "offsets")
    patch(ConsumerRunner, "step", "step")
    patch(KafkaSubscription, "positions", "positions")
    patch(consumer_module, "claim", "claim")  # the names the runner calls, in its module
    patch(consumer_module, "hold_positions", "hold")
    patch(consumer_module, "advance_positions", "advance")
    for owner, name, _original, replacement in patches:
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, original, _replacement in patches:
            setattr(owner, name, original)


def profiled_run(database_url: str, bus_url: str, topic: str, count: int) -> tuple[float, dict[str, float]]:
    """Apply the topic with every stage timed; return the run's seconds and each stage's seconds."""
    watch = Stopwatch()
    rate = runner_rate(database_url, bus_url, topic, count, lambda: instrumented(watch, BenchProjection))
    elapsed = count / rate
    stages = dict(watch.totals)
    stages["loop"] = elapsed - sum(stages.values())
    return elapsed, stages


@dataclass(frozen=True)
class Profile:
    """The per-record cost of each stage, and of the runs beside it, in microseconds (medians)."""

    store: str
    stages: dict[str, float]
    instrumented: float
    plain: float
    raw: float

    def lines(self) -> list[str]:
        """Return the profile as table lines."""
        total = sum(self.stages.values())
        width = max(len(text) for _key, text in STAGES)
        out = [f"{'stage (' + self.store + ')':<{width}}  µs/record  share"]
        for key, text in STAGES:
            value = self.stages.get(key, 0.0)
            out.append(f"{text:<{width}}  {value:9.1f}  {value / total:5.0%}")
        out += [
            f"{'sum of the stages':<{width}}  {total:9.1f}",
            f"{'the runner with no stopwatch':<{width}}  {self.plain:9.1f}"
            f"  sum/plain {total / self.plain:.2f} (within 10%: {abs(total / self.plain - 1) <= 0.10})",
            f"{'raw kafka-python consumption':<{width}}  {self.raw:9.1f}"
            f"  ours beyond raw: {self.plain - self.raw:.1f} µs",
        ]
        return out


def profile(servers: str, count: int, repeat: int, database: Callable[[], Any], store: str) -> Profile:
    """Profile the runner on one kind of read-model database, alternating with the plain and raw runs."""
    bus_url = f"kafka://{servers}"
    topic = f"bench.{uuid.uuid4().hex[:8]}.profile"
    bus = make_bus(bus_url)
    bus.ensure_topics([topic])
    bus.publish([OutgoingRecord(topic, *r) for r in as_relayed(sample_envelopes(count))])
    bus.close()
    use_crc32c(True)
    runs: dict[str, list[float]] = {"instrumented": [], "plain": [], "raw": []}
    stage_runs: list[dict[str, float]] = []
    for _ in range(repeat):
        with database() as url:
            elapsed, stages = profiled_run(url, bus_url, topic, count)
        runs["instrumented"].append(elapsed / count * 1e6)
        stage_runs.append({k: v / count * 1e6 for k, v in stages.items()})
        with database() as url:
            runs["plain"].append(1e6 / runner_rate(url, bus_url, topic, count))
        runs["raw"].append(1e6 / raw_consume(servers, topic, count))
    stages = {key: statistics.median(run.get(key, 0.0) for run in stage_runs) for key, _text in STAGES}
    return Profile(store, stages, *(statistics.median(runs[k]) for k in ("instrumented", "plain", "raw")))


@contextmanager
def sqlite_database() -> Iterator[str]:
    """Yield the URL of a new SQLite file."""
    with tempfile.TemporaryDirectory(prefix="thidua-profile-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'profile.sqlite'}"


def profiles(servers: str, count: int, repeat: int, postgres_server: str | None) -> list[Profile]:
    """Profile the runner on SQLite, and on PostgreSQL when a server is given."""
    found = [profile(servers, count, repeat, sqlite_database, "SQLite")]
    if postgres_server:
        found.append(
            profile(
                servers, count, repeat, lambda: fresh_database(postgres_server, prefix="bench"), "PostgreSQL"
            )
        )
    return found


def main() -> int:
    """Print the runner's profile on each database."""
    settings = load()
    if not (servers := settings.broker()):
        return 2
    count, repeat = settings.events, settings.runs(3)
    for found in profiles(servers, count, repeat, settings.postgres):
        print(f"\nthe consumer runner, {count} events, medians of {repeat} runs\n")
        print("\n".join(found.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
