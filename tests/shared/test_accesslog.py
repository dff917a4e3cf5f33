"""The access log of every API: the token of a one-time link is replaced, the rest of the line kept."""

from __future__ import annotations

import datetime

from flask import Blueprint, Flask
from gunicorn.config import Config

from shared.web.accesslog import RedactingLogger, redacted


def test_the_token_of_an_invitation_link_is_replaced() -> None:
    line = "GET /loi-moi/Zx8_secret-TOKEN HTTP/1.1"
    assert redacted(line) == "GET /loi-moi/*** HTTP/1.1"
    assert redacted("POST /loi-moi/abc?x=1 HTTP/1.1") == "POST /loi-moi/***?x=1 HTTP/1.1"
    assert redacted("GET /truong/mau/01 HTTP/1.1") == "GET /truong/mau/01 HTTP/1.1"


def test_gunicorns_atoms_carry_no_token() -> None:
    class Answer:
        status = "200 OK"
        sent = 10
        headers: list[tuple[str, str]] = []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/loi-moi/Zx8_secret-TOKEN",
        "PATH_INFO": "/loi-moi/Zx8_secret-TOKEN",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
    }
    atoms = RedactingLogger(Config()).atoms(Answer(), [], environ, datetime.timedelta(milliseconds=3))
    assert "Zx8_secret-TOKEN" not in str(atoms)
    assert atoms["r"] == "GET /loi-moi/*** HTTP/1.1" and atoms["U"] == "/loi-moi/***"


def test_the_token_of_a_password_reset_link_is_replaced() -> None:
    assert redacted("GET /dat-lai-mat-khau/Q-9_sEcReT HTTP/1.1") == "GET /dat-lai-mat-khau/*** HTTP/1.1"


def test_every_portal_route_that_carries_a_token_is_one_the_log_redacts() -> None:
    secret_routes = [rule for rule in _portal_rules() if "<token>" in rule]
    assert secret_routes  # the invitation and the reset, at least
    for rule in secret_routes:
        assert redacted(rule.replace("<token>", "s3cr3t")).endswith("/***"), rule


def _portal_rules() -> list[str]:
    """Return the URL rules of every blueprint of the portal's views."""
    import importlib
    import pkgutil

    import services.portal.views as views

    app = Flask("probe")
    for module in pkgutil.iter_modules(views.__path__):
        for value in vars(importlib.import_module(f"{views.__name__}.{module.name}")).values():
            if isinstance(value, Blueprint) and value.name not in app.blueprints:
                app.register_blueprint(value)
    return [str(rule) for rule in app.url_map.iter_rules()]
