"""One JSON error shape for every service: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from shared.bus.base import BusUnavailable
from shared.catalogue import InvalidEventData
from shared.db import is_transient
from shared.errors import STATUS, DomainError
from shared.eventstore import ConcurrencyError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the API reports to the caller with a status, a stable code and details."""

    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


class ErrorDetail(Schema):
    """What went wrong: a stable code, a message for people, and details (field messages, ids)."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw(required=True)


class ErrorResponse(Schema):
    """Every error answer of the suite: ``{"error": {"code", "message", "details"}}``."""

    error = fields.Nested(ErrorDetail, required=True)


RETRY_AFTER_SECONDS = 5
"""What a 503 tells the caller to wait before trying again."""


def outage(error: BaseException) -> str | None:
    """Say which part is down when an error is a passing outage (``database``, ``bus``), else None.

    The database is unreachable, its connection broke, it refused a serialisation or timed out a
    pool checkout; or the bus cannot be reached. The transaction was rolled back: nothing changed.
    """
    if is_transient(error) or isinstance(error, sa.exc.TimeoutError | sa.exc.InterfaceError):
        return "database"
    if isinstance(error, BusUnavailable):
        return "bus"
    return None


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """Return the JSON body of an error response."""
    return {"error": {"code": code, "message": message, "details": details if details is not None else {}}}


def register_error_handlers(app: Flask) -> None:
    """Answer every error, including framework ones, in the one JSON shape."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> ResponseReturnValue:
        return jsonify(error_body(exc.code, exc.message, exc.details)), exc.status

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError) -> ResponseReturnValue:
        return jsonify(error_body(exc.code, exc.message, exc.details)), STATUS.get(type(exc), 422)

    @app.errorhandler(ConcurrencyError)
    def _concurrency_error(exc: ConcurrencyError) -> ResponseReturnValue:
        details = {"stream_id": exc.stream_id, "expected_version": exc.expected, "actual_version": exc.actual}
        return jsonify(error_body("version_conflict", str(exc), details)), 409

    @app.errorhandler(InvalidEventData)
    def _invalid_event(exc: InvalidEventData) -> ResponseReturnValue:
        # The API's schema let through what the event catalogue refuses: still the caller's input.
        body = error_body("validation_failed", "the request body or parameters are not valid", exc.messages)
        return jsonify(body), 422

    @app.errorhandler(RecursionError)
    def _too_deep(_exc: RecursionError) -> ResponseReturnValue:
        return jsonify(error_body("nested_too_deeply", "the request body is nested too deeply")), 400

    @app.errorhandler(OverflowError)
    @app.errorhandler(sa.exc.DataError)
    def _out_of_range(_exc: Exception) -> ResponseReturnValue:
        # A number too large for the database (SQLite raises OverflowError, PostgreSQL a DataError);
        # the transaction it was in is rolled back, so nothing changed.
        return jsonify(error_body("out_of_range", "a number in the request is out of range")), 400

    @app.errorhandler(ValueError)
    def _value_error(exc: ValueError) -> ResponseReturnValue:
        # Python refuses to read an integer of more than 4,300 digits (CVE-2020-10735): a body with one
        # is bad input, refused before anything is read from it.
        if "integer string conversion" in str(exc):
            body = error_body("number_too_long", "a number in the request has too many digits")
            return jsonify(body), 400
        return _unexpected(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        data = getattr(exc, "data", None) or {}
        details = data.get("messages") if isinstance(data, dict) else None
        code = "validation_failed" if status == 422 else (exc.name or "error").lower().replace(" ", "_")
        message = "the request body or parameters are not valid" if status == 422 else (exc.description or "")
        return jsonify(error_body(code, message, details)), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> ResponseReturnValue:
        if down := outage(exc):
            log.warning("%s unavailable: answered 503", down, extra={"error": type(exc).__name__})
            body = error_body("unavailable", f"the {down} is unavailable; try again shortly", {"part": down})
            return jsonify(body), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
        log.exception("unhandled error")
        return jsonify(error_body("internal_error", "an unexpected error occurred")), 500
