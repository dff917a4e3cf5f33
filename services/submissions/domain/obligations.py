"""A year's obligations: who still owes a filing, and what a missed deadline entails (eligibility)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from services.submissions.domain.deadlines import due_date
from shared.eventstore import NewEvent

Filer = tuple[str, str, str]
"""(filer type, filer id, cluster id)."""


def still_owing(
    filers: Sequence[Filer], filed: Iterable[str], missed: Iterable[str], exempt: Iterable[str]
) -> list[Filer]:
    """Return the filers who neither filed, nor were recorded as missing it, nor were exempted."""
    settled = {*filed, *missed, *exempt}
    return [f for f in filers if f[1] not in settled]


def missed(year: int, deadline: Mapping[str, Any], filer: Filer) -> list[NewEvent]:
    """Decide what a missed deadline records: the miss, and the school's ineligibility if the rule says so."""
    filer_type, filer_id, cluster_id = filer
    consequence = deadline.get("consequence", "deduction")
    due = due_date(deadline).isoformat()
    events = [
        NewEvent(
            "DeadlineMissed",
            {
                "year": year,
                "deadline_code": deadline["code"],
                "filer_type": filer_type,
                "filer_id": filer_id,
                "cluster_id": cluster_id,
                "due": due,
                "consequence": consequence,
            },
        )
    ]
    if consequence == "ineligible" and filer_type == "school":
        reason = f"không gửi {deadline['title']} trước hạn {due}"
        data = {"year": year, "school_id": filer_id, "cluster_id": cluster_id, "reason": reason}
        events.append(NewEvent("SchoolDeclaredIneligible", data))
    return events
