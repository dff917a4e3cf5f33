"""Notifications fixtures: a real SMTP server (aiosmtpd) and HTTP receivers on loopback, and a scene
where the seeded registry and a submissions service feed a notifications service over one bus."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from services.notifications.bootstrap import (
    Notifications,
    bootstrap,
    deliverer,
    mailer,
    migrate,
    notices_runner,
)
from services.notifications.wsgi import create_app
from services.vocabulary import SUBMISSIONS_TOPIC
from tests.factories import notifications_settings
from tests.ports import quiet_port
from tests.submissions.conftest import World, auth, seeded_world


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def sent(self) -> list[tuple[str, str]]:
        """Return (recipient, decoded subject) of every message."""
        return [(str(m["To"]), str(m["Subject"])) for m in self.messages]

    def subjects(self, to: str | None = None) -> list[str]:
        """Return the decoded subjects of the messages to one address (or all)."""
        return [subject for recipient, subject in self.sent() if to is None or recipient == to]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = quiet_port()  # aiosmtpd binds it itself
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@dataclass
class Receiver:
    """What one HTTP endpoint answers and what it received."""

    statuses: list[int] = field(default_factory=list)  # answered in turn; 200 once they run out
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    gate: threading.Event | None = None  # a slow endpoint waits on it before answering
    location: str | None = None  # a Location header to answer with (a redirect)
    answer: bytes = b""  # the body it answers with


class Receivers:
    """A local HTTP server whose paths are separate webhook endpoints."""

    def __init__(self) -> None:
        self.endpoints: dict[str, Receiver] = {}
        receivers = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                endpoint = receivers.endpoints.setdefault(self.path, Receiver())
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if endpoint.gate is not None:
                    endpoint.gate.wait(30)
                endpoint.received.append((dict(self.headers), body))
                status = endpoint.statuses.pop(0) if endpoint.statuses else 200
                self.send_response(status)
                if endpoint.location:
                    self.send_header("Location", endpoint.location)
                self.send_header("Content-Length", str(len(endpoint.answer)))
                self.end_headers()
                self.wfile.write(endpoint.answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # it binds a port of its own
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def endpoint(self, path: str, **kwargs: Any) -> Receiver:
        self.endpoints[path] = Receiver(**kwargs)
        return self.endpoints[path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    server = Receivers()
    yield server
    server.close()


@dataclass
class NoticeScene:
    """Registry and submissions (the world) feeding a notifications service, with its client."""

    world: World
    service: Notifications
    client: FlaskClient

    def sync(self) -> None:
        """Relay registry and submissions events and let the notices consumer catch up."""
        self.world.sync_registry()
        self.world.service.relay(SUBMISSIONS_TOPIC).drain()
        runner = notices_runner(self.service)
        runner.run_until_caught_up(timeout=120)
        runner.close()

    def open_tokens(self, tokens: Sequence[str]) -> Mapping[str, str]:
        """Open sealed addresses through submissions' key API, as the mailer does in a deployment."""
        answer = self.world.client.post(
            "/personal/open", json={"tokens": list(tokens)}, headers=auth("service")
        )
        assert answer.status_code == 200, answer.get_json()
        values: Mapping[str, str] = answer.get_json()["values"]
        return values

    def send_mail(self) -> int:
        """Send every due e-mail (in as many rounds as it takes); return how many were sent."""
        sender, total = mailer(self.service), 0
        sender.opener = self.open_tokens
        while sent := sender.send_due():
            total += sent
        return total

    def deliver(self) -> int:
        hooks = deliverer(self.service)
        try:
            return hooks.deliver_due()
        finally:
            hooks.close()


def build_notice_scene(
    tmp_path: Path, bus_url: str, smtp_port: int, webhook_allowed: str = "127.0.0.1"
) -> NoticeScene:
    world = seeded_world(tmp_path, f"sqlite:///{tmp_path / 'submissions.sqlite'}", bus_url)
    settings = notifications_settings(
        tmp_path, smtp_port=smtp_port, bus_url=bus_url, webhook_allowed=webhook_allowed
    )
    migrate(settings)
    service = bootstrap(settings)
    service.clock = lambda: world.now
    return NoticeScene(world, service, create_app(service).test_client())


def json_body(raw: bytes) -> dict[str, Any]:
    return json.loads(raw)  # type: ignore[no-any-return]
