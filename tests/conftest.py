"""Fixtures for real Kafka and PostgreSQL: from the environment, testcontainers, or the deploy script.

With CI=true a missing Kafka or PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from shared.db import fresh_database as shared_fresh_database
from shared.kafka_access import ACCESS_FILE, admin_client, apply
from shared.settings import KafkaAuth
from tests.ports import quiet_port

logging.getLogger("mail.log").setLevel(
    logging.WARNING
)  # aiosmtpd: a line per connection, often after capture closed

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true" or os.environ.get("THIDUA_TESTS_STRICT") == "1"
"""In CI and under make test (deploy/test.sh) a test never skips for want of a server: it fails."""


def unavailable(what: str, why: str) -> None:
    """Skip a test that needs a server which is not there, or fail it in CI."""
    message = f"{what} is not available: {why}"
    if IN_CI:
        pytest.fail(message + " (CI=true: a missing server is a failure)")
    pytest.skip(message)


KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
POSTGRES_IMAGE = "postgres:16"


def docker_has(image: str) -> bool:
    """Return whether a Docker engine answers and already holds the image (testcontainers never pulls)."""
    try:
        import docker

        docker.from_env(timeout=3).images.get(image)
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return bootstrap servers of a real broker: the environment's, a local image's, or deploy/kafka.sh."""
    if servers := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield servers
        return
    if docker_has(KAFKA_IMAGE):
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer(KAFKA_IMAGE).with_kraft() as container:
            yield container.get_bootstrap_server()
        return
    broker = LocalBroker(port=quiet_port(2), home=tmp_path_factory.mktemp("kafka"))  # one a test worker
    try:
        broker.start()
    except subprocess.CalledProcessError as exc:
        unavailable("Kafka", f"deploy/kafka.sh start failed: {exc.stderr}")
    try:
        yield f"127.0.0.1:{broker.port}"
    finally:
        broker.stop()


class LocalBroker:
    """A broker of our own through deploy/kafka.sh (tests that stop and start it use a dedicated one)."""

    def __init__(self, port: int, home: Path, **settings: str):
        self.port = port
        self.home = home
        self.env = {**os.environ, "KAFKA_PORT": str(port), "KAFKA_HOME": str(home), **settings}

    def start(self) -> None:
        """Start the broker and wait until it answers."""
        self._run("start")

    def stop(self) -> None:
        """Stop the broker cleanly."""
        self._run("stop")

    def _run(self, action: str) -> None:
        subprocess.run(
            ["bash", str(ROOT / "deploy" / "kafka.sh"), action],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=180,
        )


@dataclass(frozen=True)
class SecuredKafka:
    """A broker with SASL/SCRAM and the declared ACLs: its address, namespace and every password."""

    bootstrap: str
    namespace: str
    passwords: dict[str, str]
    admin_password: str = field(repr=False, default="")

    def url(self) -> str:
        """Return the bus URL of the secured broker with the namespace the ACLs were applied under."""
        return f"kafka://{self.bootstrap}?namespace={self.namespace}"

    def auth(self, principal: str) -> KafkaAuth:
        """Return the credentials of a declared principal."""
        return KafkaAuth(principal, self.passwords[principal])

    def fresh(self) -> SecuredKafka:
        """Return the same broker under a new namespace, with the declared ACLs applied to it too."""
        namespace = f"s{uuid.uuid4().hex[:8]}."
        admin = admin_client(self.bootstrap, self.admin_password)
        try:
            apply(admin, tomllib.loads(ACCESS_FILE.read_text()), self.passwords, namespace)
        finally:
            admin.close()
        return replace(self, namespace=namespace)


@pytest.fixture(scope="session")
def secured_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredKafka]:
    """Start a broker secured as deploy/kafka.sh secures it (KAFKA_SECURITY=sasl), with the declared ACLs."""
    namespace = f"s{uuid.uuid4().hex[:8]}."
    failure = ""
    for attempt in range(3):  # a port found free can be taken before the broker binds it: try others
        home = tmp_path_factory.mktemp("secured-kafka")
        port = quiet_port(2)
        broker = LocalBroker(
            port,
            home,
            KAFKA_SECURITY="sasl",
            KAFKA_ACCESS_NAMESPACE=namespace,
            KAFKA_CONTROLLER_PORT=str(port + 1),
        )
        try:
            broker.start()
            break
        except subprocess.CalledProcessError as exc:
            failure = f"attempt {attempt + 1}: {exc.stderr}"
            with contextlib.suppress(subprocess.CalledProcessError):
                broker.stop()
    else:
        unavailable("Kafka", f"deploy/kafka.sh start (secured) failed: {failure}")
    try:
        passwords = json.loads((home / "secrets" / "credentials.json").read_text())
        admin = (home / "secrets" / "admin.password").read_text().strip()
        yield SecuredKafka(f"127.0.0.1:{port}", namespace, passwords, admin)
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Return an admin URL of a real PostgreSQL server: TEST_POSTGRES_URL, or a container."""
    if url := os.environ.get("TEST_POSTGRES_URL"):
        yield url
        return
    if docker_has(POSTGRES_IMAGE):
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer(POSTGRES_IMAGE, driver="psycopg") as container:
            yield container.get_connection_url()
        return
    unavailable("PostgreSQL", "set TEST_POSTGRES_URL or run a Docker engine")


def fresh_database(server_url: str) -> AbstractContextManager[str]:
    """Create an empty database on a PostgreSQL server for one test, dropped afterwards."""
    return shared_fresh_database(server_url, prefix="test")


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """Return the URL of a fresh, empty database on the PostgreSQL server, dropped afterwards."""
    with fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return an empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def embedded_bus_url(tmp_path: Path) -> str:
    """Return the URL of a fresh embedded event log."""
    return f"file:{tmp_path / 'eventlog.sqlite'}"


@pytest.fixture(params=["embedded", "kafka"])
def bus_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return a bus URL, once for the embedded log and once for real Kafka."""
    if request.param == "embedded":
        return f"file:{tmp_path / 'eventlog.sqlite'}"
    return str(request.getfixturevalue("kafka_url"))


@pytest.fixture
def kafka_url(kafka_bootstrap: str) -> str:
    """Return a Kafka bus URL with a namespace of this test's own, so its topics and groups are private."""
    return f"kafka://{kafka_bootstrap}?namespace=t{uuid.uuid4().hex[:10]}."


@pytest.fixture
def topic() -> str:
    """Return a topic name no other test uses."""
    return f"test.{uuid.uuid4().hex[:10]}.events"


TIERS = ("fast", "contract", "service", "process")
PROCESS_DIRS = {"e2e", "browser", "chaos", "deploy"}
PURE_FIXTURES = {
    "_fast_tier_touches_nothing",
    "request",
    "monkeypatch",
    "capsys",
    "caplog",
    "recwarn",
    "uow",
    "fake_registry",
    "seeded",
}
"""Fixtures a fast test may use: none reaches a database file, a socket or a process."""
CONTRACT_MODULES = {
    "test_bus_contract",
    "test_consumer",
    "test_embedded_log",
    "test_eventstore",
    "test_leases",
    "test_migrations",
    "test_positions",
    "test_read_order",
    "test_recovery_positions",
    "test_relay",
    "test_relay_exactly_once",
    "test_tracking",
}
"""The ports' test bases in tests/shared, run over every backend."""
SERVICE_MODULES_ON_EVERY_BACKEND = {
    "tests/notifications/test_audit_chain.py",
    "tests/personal/test_erasure.py",
    "tests/personal/test_key_recovery.py",
    "tests/scoring/test_live_rebuild.py",
    "tests/scoring/test_rebuild_as_of_exports.py",
    "tests/scoring/test_scenario_2023.py",
    "tests/scoring/test_scoped_reads.py",
    "tests/submissions/test_scoped_reads.py",
}
"""Service tests whose proof leans on the database itself (the queries of scoped reads and rebuilds, the
audit chain's order, sealed personal data): they run on PostgreSQL as well as SQLite. Every other service
test runs on SQLite only; the backends multiply in the contract tier."""


def tier_of(item: pytest.Item) -> str:
    """Return a test's tier: its own marker, else by where it lives and which fixtures it uses."""
    for tier in TIERS:
        if item.get_closest_marker(tier) is not None:
            return tier
    path = Path(str(item.fspath))
    if PROCESS_DIRS & set(path.parts) or item.get_closest_marker("e2e") or item.get_closest_marker("chaos"):
        return "process"
    params = set(getattr(item, "callspec", None).params) if hasattr(item, "callspec") else set()
    if set(getattr(item, "fixturenames", ())) - params <= PURE_FIXTURES:
        return "fast"
    if path.stem in CONTRACT_MODULES:
        return "contract"
    return "service"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test with its tier (``-m fast`` is make check), and run the slowest tiers first: the
    workers take modules in this order, so the long process modules do not start last and run alone."""
    tiers = {}
    for item in items:
        tiers[item] = tier = tier_of(item)
        if item.get_closest_marker(tier) is None:
            item.add_marker(getattr(pytest.mark, tier))
    matrix = [item for item in items if tiers[item] == "service" and _second_backend(item)]
    if matrix:
        config.hook.pytest_deselected(items=matrix)
        dropped = set(matrix)
        items[:] = [item for item in items if item not in dropped]
    items.sort(key=lambda item: -TIERS.index(tiers[item]))  # stable: a module's tests keep their order


def _second_backend(item: pytest.Item) -> bool:
    """Say whether a service test is the PostgreSQL copy of one that need not run there."""
    params = getattr(item, "callspec", None)
    if params is None or params.params.get("database_url") != "postgres":
        return False
    path = Path(str(item.fspath)).resolve().relative_to(Path(__file__).resolve().parents[1]).as_posix()
    return path not in SERVICE_MODULES_ON_EVERY_BACKEND


@pytest.fixture(autouse=True)
def _fast_tier_touches_nothing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the fast tier, opening a socket, a database file or a process fails the test."""
    if request.node.get_closest_marker("fast") is None:
        return

    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a fast test opens no socket, database file or process")

    import sqlite3

    connect = sqlite3.connect

    def memory_only(database: object, *args: object, **kwargs: object) -> object:
        if str(database) not in (":memory:", "") and "mode=memory" not in str(database):
            refused()
        return connect(database, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket.socket, "bind", refused)
    monkeypatch.setattr(sqlite3, "connect", memory_only)
    monkeypatch.setattr(subprocess, "Popen", refused)
