"""The portal's calls keep a read model's document per person and URL, and ask again with its ETag: the
service answers 304 while nothing changed, and the caller gets the same JSON as a full answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from shared.web.conditional import document, served
from shared.web.gateway import Gateway


class Board:
    """A service with one document; it notes each request's status and who asked."""

    def __init__(self) -> None:
        self.content: dict[str, Any] = {"year": 2023, "cells": [{"school": "Trường Chính trị tỉnh Yên Bái"}]}
        self.answers: list[tuple[str, int]] = []
        app = Flask("board")

        @app.get("/status-board")
        def board():  # type: ignore[no-untyped-def]
            answer = served(document({**self.content, "for": request.args.get("year")}))
            self.answers.append((request.headers["Authorization"][-12:], answer.status_code))
            return answer

        self.server = make_server("127.0.0.1", 0, app, threaded=True)  # a port of its own
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def board() -> Iterator[Board]:
    served_board = Board()
    yield served_board
    served_board.server.shutdown()


def test_a_document_unchanged_is_answered_304_and_read_from_what_the_caller_kept(board: Board) -> None:
    gateway = Gateway({"submissions": board.url}, secret="s" * 40)
    academy = gateway.as_person("an", "academy_admin", None)
    first = academy.get("submissions", "/status-board", year=2023)
    again = gateway.as_person("an", "academy_admin", None).get("submissions", "/status-board", year=2023)
    assert again == first and first["cells"][0]["school"] == "Trường Chính trị tỉnh Yên Bái"
    assert [status for _who, status in board.answers] == [200, 304]
    board.content["cells"].append({"school": "Trường Chính trị tỉnh Lào Cai"})
    changed = academy.get("submissions", "/status-board", year=2023)
    assert len(changed["cells"]) == 2 and board.answers[-1][1] == 200
    other_year = academy.get("submissions", "/status-board", year=2024)
    assert other_year["for"] == "2024" and board.answers[-1][1] == 200, "another URL is another document"


def test_a_document_kept_for_one_person_is_never_offered_for_another(board: Board) -> None:
    gateway = Gateway({"submissions": board.url}, secret="s" * 40)
    gateway.as_person("an", "academy_admin", None).get("submissions", "/status-board", year=2023)
    head = gateway.as_person("binh", "cluster_head", "cl_1")
    head.get("submissions", "/status-board", year=2023)
    assert [status for _who, status in board.answers] == [200, 200], "each person's first read is whole"
    head.get("submissions", "/status-board", year=2023)
    assert board.answers[-1][1] == 304
