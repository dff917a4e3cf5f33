"""OpenAPI documentation for what a marshmallow schema does not describe: free-form JSON, files, uploads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_smorest import Blueprint

FREE_OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}
FREE_ARRAY: dict[str, Any] = {"type": "array", "items": FREE_OBJECT}
FILE: dict[str, Any] = {"type": "string", "format": "binary"}


def answers(
    blp: Blueprint,
    description: str,
    content: Mapping[str, dict[str, Any]] | None = None,
    public: bool = False,
) -> Callable[[Any], Any]:
    """Document a view's 200 answer (JSON object by default, or the given media types); public: no token."""
    doc: dict[str, Any] = {
        "responses": {
            "200": {
                "description": description,
                "content": dict(content or {"application/json": {"schema": FREE_OBJECT}}),
            }
        }
    }
    if public:
        doc["security"] = []
    return blp.doc(**doc)


def uploads(blp: Blueprint, field: str, description: str) -> Callable[[Any], Any]:
    """Document a multipart upload of one file in a form field."""
    schema = {
        "type": "object",
        "required": [field],
        "properties": {field: {**FILE, "description": description}},
    }
    return blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": schema}}})
