"""The embedded log is one file that several processes share without losing or duplicating offsets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from shared.bus import make_bus

WRITER = """
import sys
from shared.bus import OutgoingRecord, make_bus
bus = make_bus(sys.argv[1], partitions=2)
for n in range(100):
    key, value = f"{sys.argv[2]}-{n % 3}".encode(), f"{sys.argv[2]}:{n}".encode()
    bus.publish([OutgoingRecord("t.events", key, [], value)])
"""


def test_concurrent_writer_processes_get_distinct_gapless_offsets(tmp_path: Path) -> None:
    url = f"file:{tmp_path / 'eventlog.sqlite'}"
    make_bus(url, partitions=2).ensure_topics(["t.events"])
    root = Path(__file__).resolve().parents[2]
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, name], cwd=root) for name in ("a", "b", "c")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    sub = make_bus(url).subscribe("reader", ["t.events"])
    records = sub.poll(1000, 1.0)
    assert len(records) == 300
    for partition in (0, 1):
        offsets = sorted(r.offset for r in records if r.partition == partition)
        assert offsets == list(range(len(offsets)))
    for name in ("a", "b", "c"):
        numbers = [int(r.value.split(b":")[1]) for r in records if r.value.startswith(name.encode())]  # type: ignore[union-attr]
        assert sorted(numbers) == list(range(100))


def test_an_idle_reader_asks_the_file_whether_anything_changed_and_sees_what_another_process_wrote(
    tmp_path: Path,
) -> None:
    url = f"file:{tmp_path / 'eventlog.sqlite'}"
    bus = make_bus(url, partitions=2)
    bus.ensure_topics(["t.events"])
    sub = bus.subscribe("idle", ["t.events"])
    assert sub.poll(100, 0.0) == []
    statements: list[str] = []
    sa.event.listen(bus.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert sub.poll(100, 0.3) == []  # about six polls
    assert statements == []
    root = Path(__file__).resolve().parents[2]
    writer = subprocess.run([sys.executable, "-c", WRITER, url, "w"], cwd=root, timeout=120)
    assert writer.returncode == 0
    records = sub.poll(1000, 1.0)
    assert len(records) == 100 and statements
    bus.close()
