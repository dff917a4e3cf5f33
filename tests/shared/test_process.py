"""Workers never die quietly: a dead loop ends the process loudly; health says what each loop does."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from shared.process import EXIT_LOOP_DIED, LoopDied, Worker, serve_health

pytestmark = pytest.mark.service  # the health endpoint answers over HTTP


class Closable:
    """A loop object that records being closed."""

    def __init__(self) -> None:
        self.closed = False

    def run(self, stop: threading.Event) -> None:
        stop.wait()

    def describe(self) -> dict[str, str]:
        return {"group": "g"}

    def close(self) -> None:
        self.closed = True


def test_a_loop_that_raises_stops_the_others_and_ends_the_worker_with_a_failure() -> None:
    steady = Closable()

    def broken(_stop: threading.Event) -> None:
        raise ValueError("boom")

    worker = Worker("w", {"steady": steady, "broken": broken}, dict)
    with pytest.raises(LoopDied) as raised:
        worker.run()
    assert raised.value.code == EXIT_LOOP_DIED
    assert steady.closed, "the other loops are stopped and closed"
    assert worker.failed == {"broken": "ValueError: boom"}
    assert not worker.healthy()


def test_a_loop_that_returns_before_the_stop_counts_as_dead() -> None:
    worker = Worker("w", {"quitter": lambda _stop: None}, dict)
    with pytest.raises(LoopDied):
        worker.run()
    assert "returned before" in worker.failed["quitter"]


def test_a_stopped_worker_ends_cleanly_and_closes_its_loops() -> None:
    loop = Closable()
    worker = Worker("w", {"loop": loop}, dict)
    thread = threading.Thread(target=worker.run)
    thread.start()
    worker.stop.set()
    thread.join(5)
    assert not thread.is_alive() and loop.closed and not worker.failed


def get(url: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_health_endpoint_reports_each_loop_and_the_topic_warnings() -> None:
    loop = Closable()
    worker = Worker("w", {"consumer": loop}, lambda: {"t.events": "1 replicas, 3 configured"})
    ended: list[BaseException] = []

    def run() -> None:
        try:
            worker.run()
        except LoopDied as died:
            ended.append(died)

    thread = threading.Thread(target=run)
    server = serve_health(worker, 0)  # it binds a port of its own
    status, body = get(f"http://127.0.0.1:{server.server_address[1]}/healthz")
    assert status == 200, "a worker whose loops have not started yet is starting, not failing"
    thread.start()
    assert worker.started.wait(5)
    port = server.server_address[1]
    try:
        status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200
        assert body["details"]["loops"]["consumer"] == {"alive": True, "group": "g"}
        assert body["details"]["topic_warnings"] == {"t.events": "1 replicas, 3 configured"}
        worker.failed["consumer"] = "RuntimeError: gone"
        status, body = get(f"http://127.0.0.1:{port}/healthz")
        assert (status, body["status"]) == (503, "failing")
    finally:
        server.shutdown()
        worker.stop.set()
        thread.join(5)
    assert ended, "a worker with a failed loop ends with LoopDied"
