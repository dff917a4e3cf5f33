"""The hash-chained audit trail: a tampered, removed or reordered entry is found by verify; searches."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from services.notifications.app.chain import check_chain
from services.notifications.bootstrap import audit_runner, bootstrap, migrate
from services.notifications.tables import audit_entries
from services.notifications.wsgi import create_app
from services.vocabulary import REGISTRY_TOPIC, SUBMISSIONS_TOPIC
from shared.auth import mint_token
from shared.bus import OutgoingRecord
from tests.factories import TEST_SECRET, make_envelope, notifications_settings

OPERATOR = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'olga', 'operator')}"}


def trail(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    settings = notifications_settings(tmp_path, database_url=database_url)
    migrate(settings)
    service = bootstrap(settings)
    service.bus.ensure_topics([REGISTRY_TOPIC, SUBMISSIONS_TOPIC])
    events = [
        make_envelope(
            "school-a",
            1,
            type="SchoolRegistered",
            data={"school_id": "sch_a", "name": "A"},
            actor="academy_admin:x",
        ),
        make_envelope(
            "submission-1",
            1,
            type="PlanSubmitted",
            data={"filer_type": "school", "filer_id": "sch_a", "cluster_id": "cl_1", "year": 2023},
            actor="school_officer:y",
        ),
        make_envelope(
            "cluster-1", 1, type="ClusterFormed", data={"cluster_id": "cl_1"}, actor="academy_admin:x"
        ),
        make_envelope(
            "submission-2",
            1,
            type="PlanSubmitted",
            data={"filer_type": "school", "filer_id": "sch_b", "cluster_id": "cl_1", "year": 2023},
            actor="school_officer:z",
        ),
    ]
    service.bus.publish(
        [
            OutgoingRecord(REGISTRY_TOPIC if e.type != "PlanSubmitted" else SUBMISSIONS_TOPIC, *e.to_record())
            for e in events
        ]
    )
    runner = audit_runner(service)
    runner.run_until_caught_up()
    runner.close()
    return service, create_app(service).test_client()


def verify(client: FlaskClient) -> dict:  # type: ignore[type-arg]
    return client.get("/audit/verify", headers=OPERATOR).get_json()  # type: ignore[no-any-return]


def test_an_intact_chain_verifies(database_url: str, tmp_path: Path) -> None:
    service, client = trail(tmp_path, database_url)
    assert verify(client) == {"ok": True, "checked": 4, "first_broken": None}
    service.close()


def test_an_altered_entry_is_the_first_broken_link(database_url: str, tmp_path: Path) -> None:
    service, client = trail(tmp_path, database_url)
    with service.engine.begin() as conn:
        second = conn.execute(
            sa.select(audit_entries.c.seq).order_by(audit_entries.c.seq).offset(1).limit(1)
        ).scalar()
        conn.execute(
            audit_entries.update().where(audit_entries.c.seq == second).values(actor="academy_admin:mallory")
        )
    result = verify(client)
    assert (result["ok"], result["checked"], result["first_broken"]["seq"]) == (False, 1, second)
    assert "altered" in result["first_broken"]["reason"]
    service.close()


def test_a_removed_entry_breaks_the_chain_at_the_next_one(database_url: str, tmp_path: Path) -> None:
    service, client = trail(tmp_path, database_url)
    with service.engine.begin() as conn:
        seqs = list(conn.execute(sa.select(audit_entries.c.seq).order_by(audit_entries.c.seq)).scalars())
        conn.execute(audit_entries.delete().where(audit_entries.c.seq == seqs[2]))
    result = verify(client)
    assert (result["ok"], result["first_broken"]["seq"]) == (False, seqs[3])
    assert "removed or reordered" in result["first_broken"]["reason"]
    service.close()


def test_the_trail_is_searched_by_school_cluster_actor_type_and_time_and_exported(
    database_url: str, tmp_path: Path
) -> None:
    service, client = trail(tmp_path, database_url)

    def search(query: str) -> list[str]:  # events of two topics arrive in either order: compare sorted
        return sorted(
            e["stream_id"] for e in client.get(f"/audit/events?{query}", headers=OPERATOR).get_json()
        )

    assert search("school_id=sch_a") == ["school-a", "submission-1"]
    assert search("cluster_id=cl_1") == ["cluster-1", "submission-1", "submission-2"]
    assert search("actor=academy_admin:x") == ["cluster-1", "school-a"]
    assert search("type=PlanSubmitted&per_page=1&page=2") == ["submission-2"]
    assert search("since=2000-01-01T00:00:00%2B00:00&until=2001-01-01T00:00:00%2B00:00") == []
    assert len(search("since=2000-01-01T00:00:00%2B00:00")) == 4
    assert client.get("/audit/events?since=yesterday", headers=OPERATOR).status_code == 422
    exported = (
        client.get("/audit/events.csv?school_id=sch_a", headers=OPERATOR).data.decode().lstrip("\ufeff")
    )
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert sorted(r["stream_id"] for r in rows) == ["school-a", "submission-1"]
    assert len(rows[0]["hash"]) == 64
    service.close()


def test_the_scheduled_check_reports_the_chain_as_a_metric_the_alert_watches(
    database_url: str, tmp_path: Path
) -> None:
    service, _client = trail(tmp_path, database_url)
    assert check_chain(service.engine)["ok"] is True
    assert REGISTRY.get_sample_value("thidua_audit_chain_ok") == 1
    assert REGISTRY.get_sample_value("thidua_audit_chain_checked_entries") == 4
    with service.engine.begin() as conn:
        conn.execute(audit_entries.update().where(audit_entries.c.seq == 1).values(type="Forged"))
    assert check_chain(service.engine)["ok"] is False
    assert REGISTRY.get_sample_value("thidua_audit_chain_ok") == 0
    service.close()
