"""Chaos: two replicas of every API and worker on a three-broker cluster, killed under a write load.

PostgreSQL for every service, topics with three replicas and min ISR 2, every process real (gunicorn
and the worker entry points). While writes go through the APIs, one broker is killed with -9, then
each service's active relay, one replica of the notifications worker and one API replica, and each
comes back a few seconds later. Then nothing may be lost, duplicated in effect, forked or dead-lettered.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from bench.cluster import LocalCluster
from services.registry.contracts import CONSUMED as REGISTRY_CONSUMED
from services.registry.feeds import FORWARDER
from services.scoring.app.rebuilds import rebuild
from services.scoring.bootstrap import bootstrap as scoring_bootstrap
from services.scoring.bootstrap import migrate as scoring_migrate
from services.scoring.config import load_settings as scoring_settings
from services.scoring.contracts import CONSUMED as SCORING_EVENTS
from services.submissions.contracts import REGISTRY_EVENTS
from services.vocabulary import REGISTRY_TOPIC, SCORING_TOPIC, SUBMISSIONS_TOPIC
from shared.auth import mint_token
from shared.bus import make_bus
from shared.catalogue import Catalogue
from shared.db import create_engine
from shared.deadletter import dlq_topic
from tests.chaos import checks
from tests.chaos.load import Load
from tests.conftest import fresh_database, unavailable
from tests.e2e.postgres_server import PrivateServer
from tests.e2e.processes import Suite
from tests.factories import TEST_SECRET

pytestmark = [pytest.mark.chaos, pytest.mark.e2e, pytest.mark.timeout(600)]
SERVICES = ("registry", "submissions", "scoring", "notifications")
TOPICS = {"registry": REGISTRY_TOPIC, "submissions": SUBMISSIONS_TOPIC, "scoring": SCORING_TOPIC}
ADMIN = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'chaos', 'academy_admin')}"}
FAILOVER_SECONDS = 5


def free_base_port() -> int:
    """Return a port from which six consecutive ports are free on loopback, below the kernel's range for
    outgoing ports: in that range a broker's own connections took a port the next node was to bind."""
    for _ in range(200):
        base = random.randrange(20000, 29990, 10)
        try:
            for port in range(base, base + 6):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no six free ports in a row between 20000 and 29999")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """Start a three-node cluster of the test's own."""
    cluster = LocalCluster(free_base_port(), tmp_path_factory.mktemp("cluster"))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def databases(postgres_server: str) -> Iterator[dict[str, str]]:
    """Return a fresh PostgreSQL database per service (and one for the rebuild)."""
    with ExitStack() as stack:
        yield {name: stack.enter_context(fresh_database(postgres_server)) for name in (*SERVICES, "rebuild")}


class Chaos:
    """The suite under test and what is done to it."""

    def __init__(self, suite: Suite, cluster: LocalCluster, databases: dict[str, str]):
        self.suite, self.cluster, self.databases = suite, cluster, databases
        self.failovers: list[float] = []
        self.log: list[str] = []

    def kill_active_relay(self, service: str) -> str:
        """Kill the worker replica that holds the service's relay lease; return its name."""
        pid = checks.lease_holder_pid(self.databases[service], f"{service}-relay")
        name = next(n for n in self.suite.processes if self.suite.pid_of(n) == pid)
        self.suite.kill(name)
        killed_at = time.monotonic()
        self.suite.wait_until(
            lambda: checks.lease_holder_pid(self.databases[service], f"{service}-relay") not in (None, pid),
            f"a standby to take over {service}'s relay",
            timeout=4 * FAILOVER_SECONDS,
        )
        self.failovers.append(time.monotonic() - killed_at)
        return name

    def pause_active_relay(self, service: str = "submissions") -> None:
        """Stop the relay's lease holder (SIGSTOP) until a standby holds the lease, then let it go on: a
        zombie whose producer the standby's has fenced."""
        lease = f"{service}-relay"
        pid = checks.lease_holder_pid(self.databases[service], lease)
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        paused_at = time.monotonic()
        try:
            self.suite.wait_until(
                lambda: (
                    checks.lease_holder_pid(self.databases[service], f"{service}-relay") not in (None, pid)
                ),
                f"a standby to take over {service}'s relay from the paused one",
                timeout=4 * FAILOVER_SECONDS,
            )
            self.failovers.append(time.monotonic() - paused_at)
        finally:
            os.kill(pid, signal.SIGCONT)

    def drop_and_recover(self, service: str, admin: sa.Engine) -> list[str]:
        """Stop the service's replicas, drop its database, recover it from its topic, compare, start again."""
        names = [n for n in list(self.suite.processes) if n.startswith(f"{service}-")]
        for name in (n for n in names if "-api-" in n):
            self.suite.stop(name)
        self.suite.wait_until(
            lambda: checks.relay_behind(self.databases[service]) == 0, f"{service}'s relay to publish all"
        )
        for name in (n for n in names if "-worker-" in n):
            self.suite.stop(name)
        before = checks.snapshot(self.databases[service])
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {service} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {service}")
        self.suite.migrate(service)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", "from services.cli import main; main()", "recover", service],
            env=self.suite.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        took = time.monotonic() - started
        assert done.returncode == 0, done.stderr[-2000:]
        after = checks.snapshot(self.databases[service])
        assert after["events"] == before["events"], "the same events, in each stream's order"
        assert after["state"] == before["state"], "the same state"
        assert after["progress"] == after["newest"], "the relay's progress past every recovered event"
        for name in names:
            self.suite.restart(name)
        lines = [line.removeprefix(f"{service}: ") for line in done.stdout.splitlines()]
        count = sum(len(stream) for stream in before["events"].values())
        compared = (
            f"{count} events in {len(before['events'])} streams and {len(before['state'])} state tables"
        )
        return [*lines, f"{compared} equal to the dropped database's, recovered in {took:.1f} s"]

    def step(self, description: str, action: Callable[[], object]) -> None:
        """Do one thing to the suite and note it."""
        started = time.monotonic()
        action()
        self.log.append(f"{description} ({time.monotonic() - started:.1f} s)")


def test_nothing_is_lost_duplicated_forked_or_dead_lettered_when_brokers_and_replicas_die(
    cluster: LocalCluster, databases: dict[str, str], tmp_path: Path
) -> None:
    bus_url = f"kafka://{cluster.bootstrap}?namespace=chaos{uuid.uuid4().hex[:8]}."
    env = suite_env(bus_url, tmp_path, databases)
    suite = Suite(env, tmp_path)
    chaos = Chaos(suite, cluster, databases)
    try:
        apis, health, schools = start_suite(suite, databases)
        load = Load(apis["registry"], apis["submissions"], ADMIN, pause=0.1)
        writer = threading.Thread(target=load.run, args=(schools, 30, 2))
        writer.start()
        killed: dict[str, str] = {}
        chaos.step("kill -9 broker 2", lambda: cluster.kill(2))
        for service in ("registry", "submissions", "scoring"):
            chaos.step(
                f"kill -9 {service}'s active relay",
                lambda s=service: killed.update({s: chaos.kill_active_relay(s)}),
            )
            if service == "registry":
                chaos.step("start broker 2 again", lambda: cluster.start_node(2))
                # the load registers schools all along: the provincial feeds forward in transactions
                chaos.step("kill -9 broker 3 while the provincial feeds forward", lambda: cluster.kill(3))
                chaos.step("start broker 3 again", lambda: cluster.start_node(3))
            chaos.step(f"start {killed[service]} again", lambda s=service: suite.restart(killed[s]))
        chaos.step("kill -9 notifications-worker-1", lambda: suite.kill("notifications-worker-1"))
        chaos.step("kill -9 submissions-api-1", lambda: suite.kill("submissions-api-1"))
        load.done.wait(5)
        chaos.step("start notifications-worker-1 again", lambda: suite.restart("notifications-worker-1"))
        chaos.step("start submissions-api-1 again", lambda: suite.restart("submissions-api-1"))
        writer.join(300)
        assert load.done.is_set()

        assert_whole(suite, chaos, databases, apis, health, load.answers, env)
    finally:
        suite.stop_all()


def test_a_database_crash_a_lost_quorum_a_zombie_relay_and_a_recovery_lose_and_repeat_nothing(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    """Under the same load: two of three brokers down (below min ISR 2), the submissions relay paused
    (SIGSTOP) past its lease and resumed, PostgreSQL killed at once and started again, and the
    registry's database dropped and recovered from Kafka while the other services run on."""
    try:
        server = PrivateServer()
    except FileNotFoundError as missing:
        unavailable("PostgreSQL", str(missing))  # in CI a failure, never a skip
    admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
    databases = {name: server.url.replace("/postgres?", f"/{name}?") for name in (*SERVICES, "rebuild")}
    bus_url = f"kafka://{cluster.bootstrap}?namespace=chaos{uuid.uuid4().hex[:8]}."
    env = suite_env(bus_url, tmp_path, databases)
    suite = Suite(env, tmp_path)
    chaos = Chaos(suite, cluster, databases)
    try:
        server.start()
        with admin.connect() as conn:
            for name in databases:
                conn.exec_driver_sql(f"CREATE DATABASE {name}")
        apis, health, schools = start_suite(suite, databases)
        load = Load(apis["registry"], apis["submissions"], ADMIN, pause=0.1)
        writer = threading.Thread(target=load.run, args=(schools, 30, 2))
        writer.start()

        accepted = sum(load.answers.accepted.values())
        chaos.step("kill -9 brokers 2 and 3 (below min ISR)", lambda: (cluster.kill(2), cluster.kill(3)))
        time.sleep(10)
        during = sum(load.answers.accepted.values()) - accepted
        chaos.step("start brokers 2 and 3 again", lambda: (cluster.start_node(2), cluster.start_node(3)))
        chaos.log.append(f"writes accepted while the quorum was lost: {during}")
        assert during > 0, "the APIs keep accepting writes while Kafka cannot take them"

        chaos.step("SIGSTOP submissions' active relay past its lease, then SIGCONT", chaos.pause_active_relay)
        chaos.step("kill PostgreSQL at once", server.kill)
        time.sleep(4)
        chaos.step("start PostgreSQL again", server.start)
        recovered: list[str] = []
        chaos.step(
            "drop the registry's database and recover it from Kafka",
            lambda: recovered.extend(chaos.drop_and_recover("registry", admin)),
        )
        writer.join(300)
        assert load.done.is_set()
        print("\nrecovery drill:", "; ".join(recovered))
        assert_whole(suite, chaos, databases, apis, health, load.answers, env)
    finally:
        suite.stop_all()
        admin.dispose()
        server.close()


def suite_env(bus_url: str, home: Path, databases: dict[str, str]) -> dict[str, str]:
    """Return the environment of every process of the suite under test."""
    return {
        "THIDUA_BUS_URL": bus_url,
        "THIDUA_TOPIC_REPLICATION": "3",
        "THIDUA_TOPIC_MIN_INSYNC": "2",
        "THIDUA_FAILOVER_SECONDS": str(FAILOVER_SECONDS),
        "THIDUA_JWT_SECRET": TEST_SECRET,
        "THIDUA_DATA_DIR": str(home),
        "THIDUA_CLOCK_AT": "2023-03-01T09:00:00+07:00",
        "NOTIFY_INTERVAL": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        **{f"{s.upper()}_DATABASE_URL": databases[s] for s in SERVICES},
    }


def start_suite(
    suite: Suite, databases: dict[str, str]
) -> tuple[dict[str, list[str]], dict[str, int], list[str]]:
    """Migrate, seed and start two replicas of every API and worker; return the APIs, the workers'
    health ports and the 2023 provincial schools."""
    for service in SERVICES:
        suite.migrate(service)
    suite.run_role("registry", "seed")
    apis = {s: [suite.start_api(s, f"{s}-api-{n}") for n in (1, 2)] for s in SERVICES}
    health = {}
    for service in SERVICES:
        for n in (1, 2):
            name = f"{service}-worker-{n}"
            health[name] = suite.start_worker(service, name, health=True)
    suite.wait_until(
        lambda: (
            checks.query(
                databases["submissions"],
                "SELECT (SELECT count(*) FROM reg_members WHERE year = 2023)"
                " * (SELECT count(*) FROM reg_campaigns) AS n",
            )[0].n
            >= 68
        ),
        "submissions to learn the seeded clusters",
        timeout=120,
    )
    schools = [
        s["school_id"]
        for s in requests.get(
            f"{apis['registry'][0]}/schools",
            params={"kind": "provincial", "year": 2023, "per_page": 100},
            headers=ADMIN,
            timeout=10,
        ).json()
    ]
    assert len(schools) == 63
    return apis, health, schools


def assert_whole(  # type: ignore[no-untyped-def]
    suite: Suite, chaos: Chaos, databases: dict[str, str], apis, health, answers, env: dict[str, str]
) -> None:
    """Wait until the suite converged, then check that nothing was lost, repeated, forked or dead-lettered."""
    bus_url = env["THIDUA_BUS_URL"]
    bus = make_bus(bus_url)

    def converged() -> bool:
        behind = sum(checks.relay_behind(databases[s]) for s in TOPICS)
        lag = sum(g.lag for g in bus.group_lag())
        total = sum(len(checks.stored(databases[s])) for s in TOPICS)
        return (
            behind == 0
            and lag == 0
            and sum(checks.audit_counts(databases["notifications"]).values()) == total
        )

    suite.wait_until(converged, "every event published, consumed and audited", timeout=240)
    feeds = [g for g in bus.group_lag() if g.group.endswith(FORWARDER)]
    assert feeds and all(g.committed == g.end for g in feeds), "the provincial feeds resumed to the end"
    suite.wait_until(converged, "the suite to stay converged", timeout=60)
    for name, port in health.items():  # a worker started again late (after a recovery) may still start
        suite.wait_until(lambda p=port: _ready(p), f"{name} to be ready", timeout=60)
    stops = {}
    for name in [n for n in list(suite.processes) if "-worker-" in n]:
        started = time.monotonic()
        stops[name] = (suite.stop(name, timeout=30), time.monotonic() - started)
    stores = {s: checks.stored(databases[s]) for s in TOPICS}
    topics = {s: checks.on_topic(bus, TOPICS[s]) for s in TOPICS}
    every_id = {i for s in TOPICS for i in stores[s]}
    lengths = {
        **checks.stream_lengths(databases["registry"]),
        **checks.stream_lengths(databases["submissions"]),
    }
    audit = checks.audit_counts(databases["notifications"])
    dead = {t: sum(checks.on_topic(bus, dlq_topic(t)).values()) for t in TOPICS.values()}
    summary = describe(answers, stores, topics, audit, dead, chaos.failovers, stops)
    print("\nchaos:", "; ".join(chaos.log), "\n" + summary)

    assert answers.server_errors == [], "no 5xx except connection failures to a dead process"
    assert answers.refused == [], "the load sends only valid writes"
    for stream, accepted in answers.accepted.items():
        assert lengths.get(stream, 0) == accepted, f"{stream}: every accepted write stored once"
    for service in TOPICS:
        assert set(stores[service]) <= set(topics[service]), f"every stored {service} event is on its topic"
        repeated = {event_id: n for event_id, n in topics[service].items() if n > 1}
        assert repeated == {}, f"{service}: each event once on its topic (read_committed)"
    assert set(audit) == every_id and set(audit.values()) == {1}, "every event audited exactly once"
    verify = requests.get(f"{apis['notifications'][1]}/audit/verify", headers=ADMIN, timeout=30).json()
    assert verify == {"ok": True, "checked": len(every_id), "first_broken": None}
    expect_tracked = {
        ("submissions", "submissions-registry-view"): _of_types(stores["registry"], REGISTRY_EVENTS),
        ("registry", "registry-nominations"): _of_types(stores["submissions"], REGISTRY_CONSUMED),
        ("scoring", "scoring"): _of_types({**stores["registry"], **stores["submissions"]}, SCORING_EVENTS),
        ("notifications", "notifications-notices"): every_id,  # it sees every type
    }
    for (service, consumer), expected in expect_tracked.items():
        assert expected <= checks.passed(databases[service], consumer, bus), (
            f"{consumer} applied every event once"
        )
    assert dead == dict.fromkeys(TOPICS.values(), 0), "no valid event in any DLQ"
    assert all(code == 0 and took < 12 for code, took in stops.values()), stops

    rebuilt_settings = scoring_settings({**env, "SCORING_DATABASE_URL": databases["rebuild"]})
    scoring_migrate(rebuilt_settings)
    rebuilt = scoring_bootstrap(rebuilt_settings)
    try:
        rebuild(rebuilt, timeout=180)
    finally:
        rebuilt.close()
    live = checks.results(databases["scoring"])
    assert live and checks.results(databases["rebuild"]) == live, "scoring's read model equals a rebuild"


def _ready(port: int) -> bool:
    """Return whether a worker's /readyz answers 200."""
    try:
        return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _of_types(events: dict[str, tuple[str, str]], catalogue: Catalogue) -> set[str]:
    """Return the ids of the events whose type a consumer's catalogue declares."""
    return {event_id for event_id, (_stream, event_type) in events.items() if event_type in catalogue}


def describe(answers, stores, topics, audit, dead, failovers, stops) -> str:  # type: ignore[no-untyped-def]
    """Say, with counts, what the load did and what the suite holds afterwards."""
    on_topics = [f"{s} {sum(t.values())} ({sum(t.values()) - len(t)} repeats)" for s, t in topics.items()]
    return "\n".join(
        [
            f"writes {answers.writes}: accepted {sum(answers.accepted.values())}, refused "
            f"{len(answers.refused)}, connection failures {answers.connection_failures}, "
            f"503 with Retry-After {answers.unavailable}, other 5xx {len(answers.server_errors)}",
            "stored " + ", ".join(f"{s} {len(e)}" for s, e in stores.items()),
            "on topics (read_committed) " + ", ".join(on_topics),
            f"audited {sum(audit.values())}; dead letters {sum(dead.values())}",
            "relay failovers " + ", ".join(f"{f:.1f} s" for f in failovers),
            "worker stops " + ", ".join(f"{n} exit {code} in {t:.1f} s" for n, (code, t) in stops.items()),
        ]
    )


def test_topics_get_the_configured_replicas_and_a_thinner_existing_topic_is_reported(
    cluster: LocalCluster,
) -> None:
    url = f"kafka://{cluster.bootstrap}?namespace=repl{uuid.uuid4().hex[:8]}."
    make_bus(url, replication=1).ensure_topics(["thin.events"])
    bus = make_bus(url, replication=3, min_insync=2)
    bus.ensure_topics(["thin.events", "thick.events"])
    assert bus.topic_warnings == {"thin.events": "1 replicas, 3 configured"}
    bus.ensure_topics(["thick.events"])
    assert "thick.events" not in bus.topic_warnings, "the topic it created has the configured replicas"
    physical = url.split("namespace=")[1] + "thick.events"
    admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap.split(","))
    try:
        [topic] = admin.describe_topics([physical])
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, physical)])
    finally:
        admin.close()
    assert {len(p["replica_nodes"]) for p in topic["partitions"]} == {3}
    assert configs["topic"][physical]["min.insync.replicas"]["value"] == "2"
