"""Answers of heavy reads kept while a service's data has not changed.

A service's read tables change only when it records one of its own events or a consumer applies one,
and both leave a mark: the event's position, the time a consumer's position moved. The pair of the
newest of each is the data's version; an answer computed at a version stays right until the version
moves. Read in the same transaction as the answer, it cannot be newer than what the answer saw.
Replicas on hosts whose clocks disagree could apply an event at an earlier time than the newest one,
leaving the version unmoved, so an answer is also never kept longer than ``max_age`` seconds: that
bounds how stale it can be.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")
Version = tuple[Any, Any]


def data_version(conn: sa.Connection, events: sa.Table, positions: sa.Table) -> Version:
    """Return (newest event position, when a consumer last applied a batch): two small max() reads (an
    index, and a row a consumer partition)."""
    position = conn.execute(sa.select(sa.func.max(events.c.position))).scalar()
    applied = conn.execute(sa.select(sa.func.max(positions.c.applied_at))).scalar()
    return position, applied


class VersionedCache:
    """At most ``size`` answers, each kept with the version it was computed at (least recently used go)."""

    def __init__(self, size: int = 128, max_age: float = 5.0):
        self.size = size
        self.max_age = max_age
        self._answers: OrderedDict[Hashable, tuple[Version, float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, version: Version, compute: Callable[[], T]) -> T:
        """Return the answer kept for a key at this version, computing (and keeping) it when there is none."""
        with self._lock:
            kept = self._answers.get(key)
            now = time.monotonic()
            if kept is not None and kept[0] == version and now - kept[1] < self.max_age:
                self._answers.move_to_end(key)
                self.hits += 1
                answer: T = kept[2]
                return answer
            self.misses += 1
        answer = compute()
        with self._lock:
            self._answers[key] = (version, now, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer
