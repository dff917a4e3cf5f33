"""The app factory pieces: Flask + flask-smorest, errors, correlation ids, /healthz and /readyz."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from flask import Flask, Response, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api
from werkzeug.exceptions import RequestURITooLarge
from werkzeug.routing import IntegerConverter, Map

from shared import tracing
from shared.logs import correlation_id
from shared.metrics import LagCollector, instrument
from shared.service import ServiceContext
from shared.web.errors import ErrorResponse, error_body, register_error_handlers
from shared.web.headers import register_security_headers

ReadinessCheck = Callable[[], bool]
MAX_BODY_BYTES = 1024 * 1024
"""Largest request body a JSON API reads (a service that takes uploads sets its own)."""


class FastJSON(DefaultJSONProvider):
    """Flask's JSON, answers written by orjson (a year's status board spent most of its time in the stdlib
    encoder); dates still go through Flask's own conversion, and requests are still read by the stdlib,
    whose refusals (nesting, huge numbers) the error handlers know."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialize with orjson; an unusual option (indentation in debug) falls back to Flask's way."""
        if kwargs.get("indent") or set(kwargs) - {
            "default",
            "ensure_ascii",
            "sort_keys",
            "separators",
            "indent",
        }:
            return super().dumps(obj, **kwargs)
        option = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
        if kwargs.get("sort_keys", self.sort_keys):
            option |= orjson.OPT_SORT_KEYS
        return orjson.dumps(obj, default=kwargs.get("default", self.default), option=option).decode()


class SuiteApi(Api):
    """flask-smorest's Api, documenting the suite's error shape for every error response."""

    ERROR_SCHEMA = ErrorResponse


class BoundedInt(IntegerConverter):
    """``<int:...>`` in routes: a number beyond what the databases store matches no route (404)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


CORRELATION_HEADER = "X-Correlation-ID"
MAX_URI_LENGTH = 8190
"""The longest request target an API takes (gunicorn's former default), refused with 414 beyond."""


def make_app(
    name: str,
    title: str,
    jwt_secret: str,
    checks: Mapping[str, ReadinessCheck],
    config: Mapping[str, Any] | None = None,
    lags: LagCollector | None = None,
) -> tuple[Flask, Api]:
    """Return a Flask app and its flask-smorest Api with the suite's conventions wired in (and /metrics)."""
    app = Flask(name)
    app.url_map.converters["int"] = BoundedInt
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        API_TITLE=title,
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        JWT_SECRET=jwt_secret,
    )
    app.json = FastJSON(app)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.config.update(config or {})
    api = SuiteApi(
        app, spec_kwargs={"components": {"securitySchemes": _SECURITY}, "security": [{"bearer": []}]}
    )
    register_error_handlers(app)
    _refuse_long_uris(app)
    register_security_headers(app)
    _register_correlation(app)
    _register_tracing(app)
    _register_health(app, checks)
    if lags is not None:
        instrument(app, lags.service, lags)
    return app, api


def service_app(
    import_name: str, service: ServiceContext, title: str, config: Mapping[str, Any] | None = None
) -> tuple[Flask, Api]:
    """Return a service's app: ``make_app`` with its readiness checks and lags, the service in extensions."""
    app, api = make_app(
        import_name,
        title,
        service.settings.jwt_secret,
        {"database": service.database_ready, "bus": service.bus_ready},
        config,
        lags=service.lags(),
    )
    app.extensions[service.settings.service] = service
    return app, api


_SECURITY = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}


def _register_tracing(app: Flask) -> None:
    """Answer each request under a server span, a child of the caller's context (shared.tracing)."""

    @app.before_request
    def _start_span() -> None:
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        g.trace_span = tracing.start_server_span(request.method, route, request.headers)

    @app.after_request
    def _status(response: Response) -> Response:
        g.trace_status = response.status_code
        return response

    @app.teardown_request
    def _end_span(_exc: BaseException | None) -> None:
        tracing.end_server_span(g.pop("trace_span", None), g.pop("trace_status", None))


def _refuse_long_uris(app: Flask) -> None:
    """Refuse a request target longer than MAX_URI_LENGTH with 414, in the suite's error shape."""

    @app.before_request
    def _check_length() -> None:
        target = request.environ.get("RAW_URI") or request.full_path
        if len(target) > MAX_URI_LENGTH:
            raise RequestURITooLarge()


def _register_correlation(app: Flask) -> None:
    """Take the caller's correlation id (or make one), log with it and send it back."""

    @app.before_request
    def _bind() -> None:
        value = request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
        g.correlation_id = value
        g.correlation_token = correlation_id.set(value)

    @app.after_request
    def _echo(response: Response) -> Response:
        if "correlation_id" in g:
            response.headers[CORRELATION_HEADER] = g.correlation_id
        return response

    @app.teardown_request
    def _unbind(_exc: BaseException | None) -> None:
        token = g.pop("correlation_token", None)
        if token is not None:
            correlation_id.reset(token)


def _register_health(app: Flask, checks: Mapping[str, ReadinessCheck]) -> None:
    """Add /healthz (the process answers) and /readyz (its database and bus answer)."""

    @app.get("/healthz")
    def healthz() -> Response:
        """Say the process is alive."""
        return jsonify({"status": "ok"})

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        """Say whether every dependency answers."""
        results = {}
        for dependency, check in checks.items():
            try:
                results[dependency] = bool(check())
            except Exception:
                results[dependency] = False
        if all(results.values()):
            return jsonify({"status": "ready", "checks": results}), 200
        body = error_body("not_ready", "a dependency does not answer", {"checks": results})
        return jsonify(body), 503
