"""The access log of every API: the token of a one-time link is replaced, the rest of the line kept."""

from __future__ import annotations

import datetime

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
