"""How a posted HTML form becomes a payload, and where the services' field errors belong on the page.

The fields themselves are each form's declaration (:mod:`services.forms`); this reads them back from a
posted page (one line per item for lists) and shows a filed payload again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.forms import CHECKBOX, INTEGER, LINES, Field


def payload_of(fields: Sequence[Field], form: Mapping[str, str]) -> dict[str, Any]:
    """Return the payload an HTML form's values make (lists one item per line; empty numbers stay text)."""
    payload: dict[str, Any] = {}
    for field in fields:
        raw = form.get(field.name, "")
        value: Any
        if field.kind == LINES:
            value = [line.strip() for line in raw.splitlines() if line.strip()]
        elif field.kind == CHECKBOX:
            value = raw in ("on", "true", "1")
        elif field.kind == INTEGER:
            value = int(raw) if raw.strip().lstrip("-").isdigit() else raw.strip()
        else:
            value = raw.strip()
        if value in ("", []) and not field.required and field.kind != LINES:
            continue
        target = payload
        for key in field.path[:-1]:
            target = target.setdefault(key, {})
        target[field.path[-1]] = value
    return payload


def values_of(fields: Sequence[Field], payload: Mapping[str, Any]) -> dict[str, str]:
    """Return the HTML form's values that show a filed payload again (to amend it)."""
    values: dict[str, str] = {}
    for field in fields:
        value: Any = payload
        for key in field.path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            continue
        if field.kind == LINES:
            values[field.name] = "\n".join(str(item) for item in value)
        elif field.kind == CHECKBOX:
            values[field.name] = "on" if value else ""
        else:
            values[field.name] = str(value)
    return values


MESSAGES = {
    "Missing data for required field.": "Trường này là bắt buộc.",
    "Not a valid integer.": "Phải là một số nguyên.",
    "Not a valid number.": "Phải là một số.",
    "Not a valid date.": "Ngày không hợp lệ (dd/mm/yyyy).",
    "Not a valid email address.": "Địa chỉ thư điện tử không hợp lệ.",
    "Not a valid boolean.": "Phải là có hoặc không.",
    "Not a valid list.": "Phải là một danh sách.",
    "Unknown field.": "Trường không được phép.",
    "Shorter than minimum length 1.": "Không được để trống.",
}


def vietnamese(message: str) -> str:
    """Return a field message of the services in Vietnamese (known ones translated, others kept)."""
    if message in MESSAGES:
        return MESSAGES[message]
    if message.startswith("Length must be between 1"):
        return "Không được để trống và không quá dài."
    if message.startswith("Must be greater than or equal to"):
        return "Không được là số âm."
    if message.startswith("Longer than maximum length"):
        return "Quá dài."
    return message


def field_errors(details: Any) -> dict[str, str]:
    """Return the service's field messages by payload path ('figures.staff'), from a 422's details.

    flask-smorest nests them under the request location and 'payload' (``{"json": {"payload": {...}}}``);
    list items are keyed by index, which is kept in the path ('registered_titles.0').
    """
    found: dict[str, str] = {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, str(key)))
        elif isinstance(node, list) and node and all(isinstance(item, str) for item in node):
            found[".".join(path)] = "; ".join(vietnamese(item) for item in node)

    walk(details, ())
    cleaned: dict[str, str] = {}
    for path, message in found.items():
        parts = path.split(".")
        while parts and parts[0] in ("json", "payload", "form", "query"):
            parts = parts[1:]
        cleaned[".".join(parts)] = message
    return cleaned


def error_for(field_name: str, errors: Mapping[str, str]) -> str:
    """Return the message that belongs to a field, including those of its list items."""
    messages = [m for path, m in errors.items() if path == field_name or path.startswith(f"{field_name}.")]
    return "; ".join(dict.fromkeys(messages))
