"""The embedded log is one file that several processes share without losing or duplicating offsets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
