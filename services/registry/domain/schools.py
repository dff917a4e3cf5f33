"""Schools: registration, changes, deactivation and merges, as rules that decide events."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.errors import RuleBroken
from shared.eventstore import NewEvent


@dataclass(frozen=True)
class RegisterSchool:
    """Register a school with a stable id (never its name)."""

    code: str
    name: str
    kind: str
    province: str
    valid_from: date
    email: str | None = None
    phone: str | None = None


def school_stream(school_id: str) -> str:
    """Return the stream id of a school's events."""
    return f"school-{school_id}"


def new_school_id() -> str:
    """Return a fresh stable school id."""
    return f"sch_{uuid.uuid4().hex[:16]}"


def normalise_code(code: str) -> str:
    """Return a school code as stored: trimmed, upper case."""
    return code.strip().upper()


def register(school_id: str, command: RegisterSchool) -> NewEvent:
    """Decide the SchoolRegistered event of a registration."""
    data = {
        "school_id": school_id,
        "code": normalise_code(command.code),
        "name": command.name.strip(),
        "kind": command.kind,
        "province": command.province.strip(),
        "valid_from": command.valid_from.isoformat(),
        "email": command.email,
        "phone": command.phone,
    }
    return NewEvent("SchoolRegistered", data)


def update(school: Mapping[str, Any], changes: Mapping[str, Any]) -> list[NewEvent]:
    """Decide SchoolUpdated with the fields that really change; nothing when none does."""
    _must_be_active(school)
    changed = {k: v for k, v in changes.items() if school.get(k) != v}
    return [NewEvent("SchoolUpdated", {"school_id": school["school_id"], **changed})] if changed else []


def deactivate(school: Mapping[str, Any], valid_to: date, reason: str) -> NewEvent:
    """Decide SchoolDeactivated; the end date cannot come before the school began."""
    _must_be_active(school)
    if valid_to < school["valid_from"]:
        raise RuleBroken("a school cannot end before it began", {"valid_to": valid_to.isoformat()})
    return NewEvent(
        "SchoolDeactivated",
        {"school_id": school["school_id"], "valid_to": valid_to.isoformat(), "reason": reason},
    )


def merge(
    successor: Mapping[str, Any], predecessors: Sequence[Mapping[str, Any]], effective: date, legal_basis: str
) -> NewEvent:
    """Decide SchoolsMerged: every predecessor must still exist on the effective date."""
    ids = [p["school_id"] for p in predecessors]
    if successor["school_id"] in ids:
        raise RuleBroken("a school cannot be merged into itself", {"school_id": successor["school_id"]})
    if len(set(ids)) != len(ids):
        raise RuleBroken("a predecessor is named twice", {"predecessor_ids": ids})
    gone = [p["school_id"] for p in predecessors if p["status"] != "active"]
    if gone:
        raise RuleBroken(
            "these schools no longer exist", {"predecessor_ids": gone}, "school_no_longer_exists"
        )
    too_late = [p["school_id"] for p in predecessors if p["valid_from"] >= effective]
    if too_late:
        raise RuleBroken("a predecessor must exist before the merge", {"predecessor_ids": too_late})
    _must_be_active(successor)
    return NewEvent(
        "SchoolsMerged",
        {
            "successor_id": successor["school_id"],
            "predecessor_ids": ids,
            "effective_date": effective.isoformat(),
            "legal_basis": legal_basis,
        },
    )


def _must_be_active(school: Mapping[str, Any]) -> None:
    """Refuse a change to a school that was deactivated or merged away."""
    if school["status"] != "active":
        raise RuleBroken(
            f"school {school['school_id']} is {school['status']}",
            {"school_id": school["school_id"], "status": school["status"]},
            "school_no_longer_exists",
        )
