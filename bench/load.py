"""Load at a fixed rate with hey (Debian's package ``hey``), and what each request took."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

PER_WORKER = 10
"""Requests per second each of hey's workers sends: a rate of R uses R / 10 workers."""


@dataclass(frozen=True)
class Load:
    """What one run of hey measured: each request's seconds and status, and how long it ran."""

    seconds: tuple[float, ...]
    statuses: tuple[int, ...]
    duration: float

    @property
    def rate(self) -> float:
        """Return the requests per second reached."""
        return len(self.seconds) / self.duration

    @property
    def failures(self) -> int:
        """Return how many requests got no 2xx answer."""
        return sum(1 for status in self.statuses if not 200 <= status < 300)

    def percentile(self, p: float) -> float:
        """Return the p-th percentile of the latencies, in seconds (nearest rank)."""
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def hey(url: str, rate: int, seconds: int, token: str = "", body: dict[str, Any] | None = None) -> Load:
    """Send ``rate`` requests per second to a URL for ``seconds`` (a POST of ``body`` when given)."""
    if shutil.which("hey") is None:
        raise SystemExit("the load benches need hey: apt install hey")
    workers = max(1, rate // PER_WORKER)
    command = ["hey", "-z", f"{seconds}s", "-c", str(workers), "-q", str(rate / workers), "-o", "csv"]
    command += ["-t", "10"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if body is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(body, file, ensure_ascii=False)
        command += ["-m", "POST", "-T", "application/json", "-D", file.name]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(output)))
    return Load(
        tuple(float(r["response-time"]) for r in rows),
        tuple(int(r["status-code"]) for r in rows),
        float(seconds),
    )
