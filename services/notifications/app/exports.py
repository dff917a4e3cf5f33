"""CSV export of audit-trail entries."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from shared.cells import neutralised

COLUMNS = (
    "seq",
    "occurred_at",
    "topic",
    "type",
    "stream_id",
    "stream_version",
    "school_id",
    "cluster_id",
    "actor",
    "correlation_id",
    "event_id",
    "hash",
    "data",
    "partition",
    "offset",
)


def audit_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """Return entries as UTF-8 CSV (with a byte-order mark for spreadsheets), data as JSON text;
    formula-like text neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(COLUMNS)
    for row in rows:
        cells = {**row, "data": json.dumps(row["data"], ensure_ascii=False, sort_keys=True)}
        writer.writerow(["" if cells.get(c) is None else neutralised(cells[c]) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode()
