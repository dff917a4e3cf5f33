"""The web helpers: one error shape, health and readiness, correlation ids in JSON logs."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from flask import Flask

from shared.bus import BusUnavailable
from shared.errors import Conflict, NotFound, RuleBroken
from shared.eventstore import ConcurrencyError
from shared.logs import bound_correlation, configure_logging
from shared.web import make_app
from tests.factories import TEST_SECRET


def build(ready: bool = True) -> Flask:
    app, _api = make_app("t", "test", TEST_SECRET, {"database": lambda: ready, "bus": lambda: 1 / 0})

    @app.get("/refuse/<kind>")
    def refuse(kind: str) -> None:
        errors = {"missing": NotFound("no such thing"), "clash": Conflict("taken"), "rule": RuleBroken("no")}
        if kind == "stale":
            raise ConcurrencyError("s-1", 1, 2)
        raise errors[kind]

    return app


@pytest.mark.parametrize(
    ("kind", "status"), [("missing", 404), ("clash", 409), ("rule", 422), ("stale", 409)]
)
def test_domain_errors_map_to_their_status_in_the_one_shape(kind: str, status: int) -> None:
    response = build().test_client().get(f"/refuse/{kind}")
    assert response.status_code == status
    assert set(response.get_json()["error"]) == {"code", "message", "details"}


def test_an_unknown_route_and_a_wrong_method_answer_json() -> None:
    client = build().test_client()
    assert client.get("/nowhere").get_json()["error"]["code"] == "not_found"
    assert client.delete("/healthz").status_code == 405
    assert "error" in client.delete("/healthz").get_json()


def test_readiness_reports_each_dependency_and_fails_when_one_is_down() -> None:
    response = build().test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["error"]["details"]["checks"] == {"database": True, "bus": False}


def test_logs_are_json_lines_with_the_correlation_id(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("registry")
    try:
        with bound_correlation("corr-7"):
            logging.getLogger("thidua.test").info("school registered")
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    finally:
        logging.getLogger().handlers.clear()
    assert line["message"] == "school registered"
    assert line["correlation_id"] == "corr-7"
    assert line["service"] == "registry"


@pytest.mark.parametrize(
    ("error", "part"),
    [
        (lambda: BusUnavailable("no broker"), "bus"),
        (
            lambda: sa.exc.OperationalError("SELECT 1", {}, Exception("could not serialize access")),
            "database",
        ),
        (lambda: sa.exc.TimeoutError("QueuePool limit reached"), "database"),
    ],
)
def test_an_outage_of_the_database_or_the_bus_answers_503_with_retry_after(error, part) -> None:  # type: ignore[no-untyped-def]
    app, _api = make_app(__name__, "t", TEST_SECRET, {})

    @app.route("/boom")
    def boom() -> str:
        raise error()

    answer = app.test_client().get("/boom")
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "5")
    assert answer.get_json()["error"]["code"] == "unavailable"
    assert answer.get_json()["error"]["details"] == {"part": part}


def test_a_programming_error_is_still_a_500() -> None:
    app, _api = make_app(__name__, "t", TEST_SECRET, {})

    @app.route("/boom")
    def boom() -> str:
        raise KeyError("bug")

    answer = app.test_client().get("/boom")
    assert answer.status_code == 500 and "Retry-After" not in answer.headers


def test_a_body_with_a_number_of_thousands_of_digits_is_a_400_in_the_error_shape() -> None:
    from flask_smorest import Blueprint
    from marshmallow import Schema, fields

    class Body(Schema):
        year = fields.Integer(required=True)

    app, api = make_app("t", "test", TEST_SECRET, {})
    blp = Blueprint("b", __name__)

    @blp.route("/years", methods=["POST"])
    @blp.arguments(Body)
    def post_year(body: dict[str, int]) -> dict[str, int]:
        return body

    api.register_blueprint(blp)
    client = app.test_client()
    answer = client.post("/years", data='{"year": ' + "9" * 5000 + "}", content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "number_too_long"
    assert client.post("/years", json={"year": 2024}).get_json() == {"year": 2024}


def test_a_request_target_too_long_is_a_414_in_the_error_shape() -> None:
    answer = build().test_client().get("/healthz?" + "a" * 9000)
    assert answer.status_code == 414
    assert answer.get_json()["error"]["code"] == "request_uri_too_long"
