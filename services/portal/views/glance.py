"""Deadlines at a glance, from a status board: what is due next and who has still to file it, and what
is overdue and who never filed it; for a school its own, for a cluster head its schools and cluster, for
the Academy everyone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SHOWN_NAMES = 8
"""How many of the filers who have not filed a deadline are named; the rest are counted."""


@dataclass(frozen=True)
class Due:
    """One deadline as the glance shows it: its title and day, and who has not filed it."""

    code: str
    title: str
    due: str
    missing: list[str] = field(default_factory=list)

    @property
    def named(self) -> list[str]:
        """Return the first of the filers who have not filed, by name."""
        return self.missing[:SHOWN_NAMES]

    @property
    def others(self) -> int:
        """Return how many more have not filed beyond those named."""
        return max(0, len(self.missing) - SHOWN_NAMES)


@dataclass(frozen=True)
class Glance:
    """What is due next (up to three deadlines) and what is overdue with filers still missing."""

    upcoming: list[Due]
    overdue: list[Due]


def glance(board: dict[str, Any], today: str, cluster_names: dict[str, str] | None = None) -> Glance:
    """Return the glance of a board: each deadline with the names of those whose cell is still missing.

    A filer the Academy gave its own later day waits under that day, as its own line.
    """
    names = cluster_names or {}
    dues = []
    for deadline in board["deadlines"]:
        rows = (
            [(r["name"], r["cells"]) for r in board["schools"]]
            if deadline["filer"] == "school"
            else [(names.get(c["cluster_id"], "Cụm thi đua"), c["cells"]) for c in board["clusters"]]
        )
        by_day: dict[str, list[str]] = {deadline["due"]: []}
        for name, cells in rows:
            cell = cells.get(deadline["code"], {})
            if cell.get("status") == "missing":
                by_day.setdefault(cell.get("extended_to") or deadline["due"], []).append(name)
        for day, missing in by_day.items():
            if day == deadline["due"] and not missing and len(by_day) > 1:
                continue  # all who have not filed have their own later day: none is "done" on this one
            title = deadline["title"] if day == deadline["due"] else f"{deadline['title']} (gia hạn riêng)"
            dues.append(Due(deadline["code"], title, day, sorted(missing)))
    dues.sort(key=lambda d: d.due)
    upcoming = [d for d in dues if d.due >= today][:3]
    overdue = [d for d in dues if d.due < today and d.missing]
    return Glance(upcoming, overdue)
