"""Schools: the commands and the events they decide on."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date

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


def school_registered(school_id: str, command: RegisterSchool) -> NewEvent:
    """Decide the SchoolRegistered event of a registration."""
    data = {**asdict(command), "school_id": school_id, "code": command.code.strip().upper()}
    data["valid_from"] = command.valid_from.isoformat()
    return NewEvent("SchoolRegistered", data)
