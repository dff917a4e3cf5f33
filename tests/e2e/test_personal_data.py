"""One officer forgotten, on Kafka and PostgreSQL, every service in its own process.

A cluster lists two officers (Form 03); a filing of the first officer's school mails them its receipt; a
provincial system confirms a Form 09 naming its signatory; the Academy exports what is held about the
officer, then erases them. Their name, e-mail and phone are then found nowhere in clear: no database, no
record of any topic (dead letters included), no file under the data directory (logs, mail, documents,
exports). The audit chain verifies, rebuilds give the erased form, and the other officer is untouched.
"""

from __future__ import annotations

import json
import mailbox
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from kafka import KafkaAdminClient, KafkaConsumer

from services.vocabulary import inbound_topic
from shared.auth import mint_token
from shared.db import create_engine
from shared.envelope import Envelope
from shared.personal import ERASED
from shared.signing import SIGNATURE_HEADER, signature
from tests.conftest import fresh_database
from tests.e2e.processes import Suite, mail_catcher
from tests.factories import TEST_SECRET
from tests.ports import quiet_port
from tests.submissions.conftest import CLUSTER, HOA_BINH, PHU_THO, plan

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]
ADMIN = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'e2e', 'academy_admin')}"}
OPERATOR = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'e2e', 'operator')}"}
HEAD = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'e2e', 'cluster_head', CLUSTER)}"}
SCHOOL = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'e2e', 'school_officer', HOA_BINH)}"}
LAN = {
    "name": "Nguyễn Thị Lan",
    "position": "Trưởng phòng Tổ chức - Hành chính",
    "email": "lan.nt@tct.hoabinh.gov.vn",
}
LAN_PHONE = "0218 3852 417"
MINH = {"name": "Trần Văn Minh", "position": "Phó Chánh Văn phòng", "email": "minh.tv@tct.phutho.gov.vn"}
SERVICES = ("registry", "submissions", "scoring", "notifications")
SYSTEM_KEY = "a provincial system's key of 32+ characters"


@dataclass
class Running:
    suite: Suite
    urls: dict[str, str]
    databases: dict[str, str]
    home: Path
    bootstrap: str
    namespace: str

    def get(self, service: str, path: str, headers: dict[str, str] = ADMIN, **params: Any) -> Any:
        answer = requests.get(f"{self.urls[service]}{path}", params=params, headers=headers, timeout=10)
        assert answer.ok, answer.text
        return answer.json()

    def post(self, service: str, path: str, body: Any, headers: dict[str, str] = ADMIN) -> Any:
        answer = requests.post(f"{self.urls[service]}{path}", json=body, headers=headers, timeout=10)
        assert answer.ok, answer.text
        return answer.json()

    def scalar(self, service: str, sql: str) -> Any:
        engine = create_engine(self.databases[service])
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(sql)).scalar()
        finally:
            engine.dispose()

    def thidua(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "services.cli", *args],
            env=self.suite.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


@pytest.fixture
def running(kafka_bootstrap: str, postgres_server: str, tmp_path: Path) -> Iterator[Running]:
    smtp_port, namespace = quiet_port(), f"p{uuid.uuid4().hex[:8]}."
    home = tmp_path / "var"
    (home / "logs").mkdir(parents=True)
    with (
        fresh_database(postgres_server) as registry_db,
        fresh_database(postgres_server) as submissions_db,
        fresh_database(postgres_server) as scoring_db,
        fresh_database(postgres_server) as notifications_db,
        mail_catcher(smtp_port, home / "mail"),
    ):
        databases = dict(
            zip(SERVICES, (registry_db, submissions_db, scoring_db, notifications_db), strict=True)
        )
        suite = Suite(
            {
                "THIDUA_BUS_URL": f"kafka://{kafka_bootstrap}?namespace={namespace}",
                **{f"{service.upper()}_DATABASE_URL": url for service, url in databases.items()},
                "THIDUA_JWT_SECRET": TEST_SECRET,
                "THIDUA_PERSONAL_KEY": "the master key of personal data, 32+ chars",
                "THIDUA_DATA_DIR": str(home),
                "THIDUA_CLOCK_AT": "2023-03-10T09:00:00+07:00",
                "THIDUA_INTEGRATION_KEYS": json.dumps({"HOABINH": SYSTEM_KEY}),
                "SUBMISSIONS_DOCUMENTS_DIR": str(home / "documents"),
                "SMTP_PORT": str(smtp_port),
                "MAIL_STORE": str(home / "mail"),
                "NOTIFY_INTERVAL": "0.5",
                "SUBMISSIONS_WATCH_INTERVAL": "1",
            },
            home / "logs",
        )
        try:
            for service in SERVICES:
                suite.migrate(service)
            suite.run_role("registry", "seed")
            urls = {service: suite.start_api(service) for service in SERVICES}
            suite.env.update({f"{service.upper()}_URL": url for service, url in urls.items()})
            for service in SERVICES:
                suite.start_worker(service)
            running = Running(suite, urls, databases, home, kafka_bootstrap, namespace)
            suite.wait_for_year(urls["submissions"], 2023, 120)
            yield running
        finally:
            suite.stop_all()


def confirmation(signatory: str) -> tuple[bytes, list[tuple[str, bytes]], bytes]:
    """Return a Form 09 confirmation of Hòa Bình's first copy, signed by its provincial system."""
    data = {
        "year": 2023,
        "school_id": HOA_BINH,
        "copy": 1,
        "confirmed_by": "HOABINH",
        "confirmed_on": "2023-03-09",
        "signatory": signatory,
    }
    envelope = Envelope("AchievementReportConfirmed", "integration/HOABINH", f"confirmation-{HOA_BINH}", data)
    key, headers, value = envelope.to_record()
    signed = signature(SYSTEM_KEY.encode(), envelope.id, envelope.type, envelope.source, value)
    return key, [*headers, (SIGNATURE_HEADER, signed.encode())], value


def publish_confirmation(running: Running, signatory: str) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=running.bootstrap)
    key, headers, value = confirmation(signatory)
    producer.send(running.namespace + inbound_topic("HOABINH"), value=value, key=key, headers=headers)
    producer.flush(30)
    producer.close()


def every_record(running: Running) -> bytes:
    """Return the keys, headers and values of every record on every topic of this run (even aborted ones)."""
    admin = KafkaAdminClient(bootstrap_servers=running.bootstrap)
    topics = [t for t in admin.list_topics() if t.startswith(running.namespace)]
    admin.close()
    consumer = KafkaConsumer(
        *topics,
        bootstrap_servers=running.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_uncommitted",
        consumer_timeout_ms=5000,
    )
    found = b"".join((r.key or b"") + b"".join(v for _, v in r.headers) + (r.value or b"") for r in consumer)
    consumer.close()
    assert topics and found
    return found


def every_row(running: Running) -> bytes:
    """Return every row of every table of the four databases, as text."""
    dumped = []
    for url in running.databases.values():
        engine = create_engine(url)
        try:
            metadata = sa.MetaData()
            metadata.reflect(engine)
            with engine.connect() as conn:
                for table in metadata.sorted_tables:
                    dumped += [repr(tuple(row)) for row in conn.execute(table.select())]
        finally:
            engine.dispose()
    return "\n".join(dumped).encode()


def every_file(home: Path) -> bytes:
    """Return the bytes of every file under the data directory (logs, mail, documents, exports)."""
    return b"".join(path.read_bytes() for path in sorted(home.rglob("*")) if path.is_file())


def clear_forms(values: list[str]) -> list[bytes]:
    """Return how each value may appear in clear: UTF-8, JSON-escaped, and repr-escaped."""
    forms = []
    for value in values:
        forms += [value.encode(), json.dumps(value).strip('"').encode(), repr(value).strip("'").encode()]
    return forms


def found_in(haystack: bytes, values: list[str]) -> list[str]:
    return sorted({v for v in values for form in clear_forms([v]) if form in haystack})


def mail_to(home: Path, address: str) -> int:
    box = home / "mail"
    return (
        sum(address in str(m.get("To", "")) for m in mailbox.Maildir(box, create=False))
        if box.exists()
        else 0
    )


def test_an_erased_officer_is_found_nowhere_in_clear_and_the_suite_stays_whole(running: Running) -> None:
    officers = {
        "officers": [
            {"school_id": HOA_BINH, **LAN, "phone": LAN_PHONE},
            {"school_id": PHU_THO, **MINH, "phone": "0210 3846 111"},
        ]
    }
    listed = running.post(
        "submissions",
        "/filings",
        {"year": 2023, "form": "03", "cluster_id": CLUSTER, "payload": officers},
        HEAD,
    )
    running.suite.wait_until(
        lambda: running.scalar("notifications", "SELECT count(*) FROM n_officers") == 2,
        "notifications to keep the listed officers",
        90,
    )
    running.post(
        "submissions",
        "/filings",
        {"year": 2023, "form": "01", "school_id": HOA_BINH, "payload": plan()},
        SCHOOL,
    )
    running.suite.wait_until(
        lambda: mail_to(running.home, LAN["email"]), "the receipt mailed to the officer", 90
    )
    publish_confirmation(running, "Hoàng Văn Ký")
    running.suite.wait_until(
        lambda: running.scalar(
            "submissions", "SELECT count(*) FROM events WHERE type = 'AchievementReportConfirmed'"
        ),
        "the Form 09 confirmation recorded",
        90,
    )
    lan_values = [*LAN.values(), LAN_PHONE]
    assert found_in(every_row(running), lan_values) == [], "stored sealed from the start"
    assert found_in(every_record(running), lan_values) == [], "and sealed on every topic"

    (lan,) = running.get("submissions", "/personal/subjects", find=LAN["email"])
    export = running.get("submissions", f"/personal/subjects/{lan['subject_id']}")
    assert export["fields"] == {**LAN, "phone": LAN_PHONE}
    assert [e["type"] for e in export["events"]] == ["OfficersListed"]
    (signatory,) = running.get("submissions", "/personal/subjects", find="Hoàng Văn Ký")
    assert signatory["kind"] == "AchievementReportConfirmedV1"

    erased = running.post(
        "submissions",
        f"/personal/subjects/{lan['subject_id']}/erasure",
        {"reason": "Theo yêu cầu của chị Lan"},
    )
    assert erased["erased_at"] and erased["fields"] == {}
    running.suite.wait_until(
        lambda: (
            running.scalar("notifications", "SELECT count(*) FROM n_officers") == 1
            and not mail_to(running.home, LAN["email"])
        ),
        "notifications to forget the erased officer and their mail",
        90,
    )
    exports = running.home / "exports"
    exports.mkdir()
    for name, service, path, params in (
        ("filings.json", "submissions", "/filings", {"year": 2023}),
        ("audit.csv", "notifications", "/audit/events.csv", {}),
        ("score-table.xlsx", "scoring", f"/score-tables/2023/{CLUSTER}/export", {}),
    ):
        answer = requests.get(f"{running.urls[service]}{path}", params=params, headers=OPERATOR, timeout=10)
        (exports / name).write_bytes(answer.content)
    assert LAN["email"].encode() not in (exports / "audit.csv").read_bytes()

    running.thidua("rebuild", "scoring")
    running.thidua("state", "rebuild", "submissions")
    filing = running.get("submissions", f"/filings/{listed['submission_id']}")
    first, second = filing["payload"]["officers"]
    assert {first[f] for f in ("name", "position", "email", "phone")} == {ERASED}, "rebuilt erased"
    assert second == {"school_id": PHU_THO, **MINH, "phone": "0210 3846 111"}, "the other officer untouched"
    verified = running.get("notifications", "/audit/verify", OPERATOR)
    assert verified["ok"] is True and verified["checked"] > 5, verified

    assert found_in(every_row(running), lan_values) == []
    assert found_in(every_record(running), lan_values) == []
    assert found_in(every_file(running.home), lan_values) == []
    assert found_in(every_row(running), [*MINH.values()]) == [], "the other officer is sealed too"
    types = running.get("notifications", "/audit/events", OPERATOR, type="PersonalDataErased")
    assert [e["type"] for e in types] == ["PersonalDataErased"]
    assert not [t for t in every_topic_name(running) if t.endswith(".dlq") and topic_has_records(running, t)]
    running.suite.wait_until(
        lambda: found_in(every_record(running), ["Hoàng Văn Ký"]) == [],
        "the inbound mailbox to forget the signatory it recorded (sealed)",
        60,
    )


def every_topic_name(running: Running) -> list[str]:
    admin = KafkaAdminClient(bootstrap_servers=running.bootstrap)
    try:
        return [t for t in admin.list_topics() if t.startswith(running.namespace)]
    finally:
        admin.close()


def topic_has_records(running: Running, topic: str) -> bool:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=running.bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=3000
    )
    try:
        return next(iter(consumer), None) is not None
    finally:
        consumer.close()
