"""A year's obligations: who still owes a filing, and what a missed deadline entails (eligibility)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from services.submissions.domain.deadlines import due_date
from shared.eventstore import NewEvent

RETURNED_UNAMENDED = "returned_unamended"
"""Why a filer who filed counts as missing: its filing was returned and never corrected in time."""
Filer = tuple[str, str, str]
"""(filer type, filer id, cluster id)."""


def still_owing(
    filers: Sequence[Filer], filed: Iterable[str], missed: Iterable[str], exempt: Iterable[str]
) -> list[Filer]:
    """Return the filers who neither filed, nor were recorded as missing it, nor were exempted."""
    settled = {*filed, *missed, *exempt}
    return [f for f in filers if f[1] not in settled]


def missed(year: int, deadline: Mapping[str, Any], filer: Filer, reason: str | None = None) -> list[NewEvent]:
    """Decide what a missed deadline records: the miss, and the school's ineligibility if the rule says so.

    ``reason`` says why a filer who did file counts as missing (``returned_unamended``).
    """
    filer_type, filer_id, cluster_id = filer
    consequence = deadline.get("consequence", "deduction")
    due = due_date(deadline, filer_id).isoformat()
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
                **({"reason": reason} if reason else {}),
            },
        )
    ]
    if consequence == "ineligible" and filer_type == "school":
        why = f"không gửi {deadline['title']} trước hạn {due}"
        if reason == RETURNED_UNAMENDED:
            why = f"không bổ sung {deadline['title']} bị trả lại"
        data = {"year": year, "school_id": filer_id, "cluster_id": cluster_id, "reason": why}
        events.append(NewEvent("SchoolDeclaredIneligible", data))
    return events
