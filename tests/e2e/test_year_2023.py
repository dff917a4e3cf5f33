"""A whole 2023 year for one cluster on real Kafka and PostgreSQL, from Form 01 to the cluster dossier.

Registry events reach submissions through Kafka; one school files its plan late, one never files it,
and one cross-inspection is done. The status board shows exactly that, and the deadline watcher
records each missed filing once, although it is restarted mid-way and two watchers race at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from services.notifications.bootstrap import audit_runner
from services.notifications.bootstrap import bootstrap as notifications_bootstrap
from services.notifications.bootstrap import migrate as notifications_migrate
from services.notifications.tables import audit_entries
from services.submissions.app.watcher import check_deadlines
from services.submissions.bootstrap import bootstrap
from services.submissions.config import SubmissionsSettings
from services.submissions.wsgi import create_app
from services.vocabulary import REGISTRY_TOPIC, SUBMISSIONS_TOPIC
from shared.settings import KafkaAuth
from tests.conftest import SecuredKafka, fresh_database
from tests.e2e.contract_check import read_as_an_outside_system
from tests.factories import notifications_settings, rebuilt_state_equals_live
from tests.submissions.conftest import (
    CLUSTER,
    HOA_BINH,
    PHU_THO,
    TUYEN_QUANG,
    YEN_BAI,
    World,
    auth,
    figures,
    head,
    officer,
    plan,
    scores,
    seeded_world,
)

pytestmark = pytest.mark.e2e
MEMBERS = [HOA_BINH, PHU_THO, TUYEN_QUANG, YEN_BAI, "sch_bacgiang", "sch_backan", "sch_thainguyen"]
FILERS = [s for s in MEMBERS if s != YEN_BAI]  # Yên Bái files nothing all year


@dataclass(frozen=True)
class YearBus:
    """The broker a year runs on: its URL, and each principal's credentials when it is secured."""

    url: str
    secured: SecuredKafka | None = None

    def auth(self, principal: str) -> KafkaAuth | None:
        """Return a principal's credentials (None on the open broker)."""
        return None if self.secured is None else self.secured.auth(principal)


@pytest.fixture(params=["open broker", "secured broker"])
def year_bus(request: pytest.FixtureRequest) -> YearBus:
    """The year runs on the open broker, and again on the one secured with SASL/SCRAM and the ACLs."""
    if request.param == "open broker":
        return YearBus(str(request.getfixturevalue("kafka_url")))
    secured = request.getfixturevalue("secured_kafka").fresh()
    return YearBus(secured.url(), secured)


@pytest.fixture
def world(year_bus: YearBus, postgres_server: str, tmp_path: Path) -> Iterator[World]:
    with fresh_database(postgres_server) as database:
        world = seeded_world(tmp_path, database, year_bus.url, year_bus.auth)
        yield world
        world.registry.close()


def filed(
    world: World, when: str, form: str, payload: dict[str, Any], headers: dict[str, str], **body: Any
) -> None:
    world.at(when)
    response = world.client.post(
        "/filings", json={"year": 2023, "form": form, "payload": payload, **body}, headers=headers
    )
    assert response.status_code == 201, (form, body, response.get_json())


def restarted(world: World) -> World:
    """Return the same service as a new process would build it: new engine, nothing kept in memory."""
    settings = SubmissionsSettings(
        common=world.service.settings,
        documents_dir=str(world.service.documents_dir),
        max_upload_bytes=world.service.config.max_upload_bytes,
        watch_interval=1,
        integration_keys={},
    )
    service = bootstrap(settings)
    fresh = World(service, world.registry, create_app(service).test_client(), world.now)
    service.clock = lambda: fresh.now
    return fresh


def test_a_whole_year_of_one_cluster(
    world: World, year_bus: YearBus, postgres_server: str, tmp_path: Path
) -> None:
    for school in FILERS:
        if school != TUYEN_QUANG:
            filed(world, "2023-03-03T10:00:00+07:00", "01", plan(), officer(school), school_id=school)
    world.at("2023-03-06T08:00:00+07:00")
    assert (
        check_deadlines(world.service) == 61 + 2
    )  # Yên Bái, Tuyên Quang and the 61 schools of other clusters
    filed(world, "2023-03-07T09:00:00+07:00", "01", plan(), officer(TUYEN_QUANG), school_id=TUYEN_QUANG)

    officers = [
        {
            "school_id": s,
            "name": f"Cán bộ {n}",
            "position": "Chánh Văn phòng",
            "email": f"thidua{n}@truong.vn",
            "phone": "0210 3811 000",
        }
        for n, s in enumerate(MEMBERS)
    ]
    cluster_plan = {
        "purpose": "Đẩy mạnh thi đua",
        "contents": ["Kiểm tra chéo"],
        "division_of_work": "Cụm trưởng",
    }
    filed(world, "2023-03-10T10:00:00+07:00", "02", cluster_plan, head(), cluster_id=CLUSTER)
    filed(world, "2023-03-10T10:05:00+07:00", "03", {"officers": officers}, head(), cluster_id=CLUSTER)
    filed(
        world,
        "2023-03-20T10:00:00+07:00",
        "PHAT_DONG",
        {"launched_on": "2023-03-20", "summary": "Phát động"},
        head(),
        cluster_id=CLUSTER,
    )
    for school in FILERS:
        filed(
            world,
            "2023-03-25T10:00:00+07:00",
            "DANG_KY_CUM",
            {"activities": ["Hội thi giảng viên giỏi"]},
            officer(school),
            school_id=school,
        )
    inspection = {
        "inspected_school_id": PHU_THO,
        "inspecting_school_ids": ["sch_thainguyen"],
        "cross_inspection": True,
        "inspected_on": "2023-06-15",
        "findings": "Đạt yêu cầu",
        "verified_scores": [{"criterion": "DOT_PHA.1", "points": 11}],
    }
    filed(world, "2023-06-16T10:00:00+07:00", "KIEM_TRA", inspection, head(), cluster_id=CLUSTER)
    filed(
        world,
        "2023-07-25T10:00:00+07:00",
        "SO_KET",
        {"held_on": "2023-07-25", "summary": "Sơ kết"},
        head(),
        cluster_id=CLUSTER,
    )

    first = world
    world = restarted(world)  # the watcher's process is restarted mid-year
    first.service.close()
    world.at("2023-08-01T08:00:00+07:00")
    assert check_deadlines(world.service) == 7 * 2 + 7  # other clusters: 02, 03 (03-15) and SO_KET (07-30)

    filed(
        world,
        "2023-08-05T10:00:00+07:00",
        "BAO_CAO_SO_KET",
        {"summary": "Báo cáo sơ kết"},
        head(),
        cluster_id=CLUSTER,
    )
    for school in FILERS:
        filed(
            world,
            "2023-11-01T10:00:00+07:00",
            "04",
            {"summary": "Tổng kết", "figures": figures()},
            officer(school),
            school_id=school,
        )
        filed(world, "2023-11-02T10:00:00+07:00", "5.1", scores(), officer(school), school_id=school)
    filed(
        world,
        "2023-11-08T10:00:00+07:00",
        "HOI_NGHI_TONG_KET",
        {"held_on": "2023-11-20", "venue": "Hòa Bình", "programme": "Chương trình"},
        head(),
        cluster_id=CLUSTER,
    )
    dossier = {
        "report_06": "Báo cáo tổng kết",
        "minutes_07": "Biên bản",
        "score_table": [{"school_id": HOA_BINH, "score": 95}],
        "ballots": [{"school_id": HOA_BINH, "award": "co_thi_dua", "voters": 7, "in_favour": 6}],
        "proposals_08": [{"school_id": HOA_BINH, "award": "co_thi_dua", "voters": 7, "in_favour": 6}],
        "nomination": {"head_school_id": PHU_THO, "deputy_school_ids": ["sch_thainguyen"]},
    }
    filed(world, "2023-11-28T10:00:00+07:00", "HO_SO_CUM", dossier, head(), cluster_id=CLUSTER)

    world.at("2023-12-01T08:00:00+07:00")
    other = restarted(world)  # two watchers race at the year's end
    counts: list[int] = []
    threads = [
        threading.Thread(target=lambda w=w: counts.append(check_deadlines(w.service))) for w in (world, other)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    other.service.close()
    # Since August: the mid-year report, conference and dossier of the 7 other clusters, and Form 04 and
    # the score sheet of the 61 schools of other clusters and of Yên Bái; each recorded by one watcher only.
    assert sum(counts) == 7 * 3 + 62 * 2

    board = world.client.get(
        f"/status-board?year=2023&cluster_id={CLUSTER}", headers=auth("operator")
    ).get_json()
    cells = {row["school_id"]: {k: v["status"] for k, v in row["cells"].items()} for row in board["schools"]}
    assert cells[YEN_BAI] == {"PLAN": "missing", "YEAR_END_REPORT": "missing", "SCORE_SHEET": "missing"}
    assert cells[TUYEN_QUANG] == {"PLAN": "late", "YEAR_END_REPORT": "on_time", "SCORE_SHEET": "on_time"}
    for school in set(FILERS) - {TUYEN_QUANG}:
        assert cells[school] == {"PLAN": "on_time", "YEAR_END_REPORT": "on_time", "SCORE_SHEET": "on_time"}
    assert {row["school_id"]: row["eligible"] for row in board["schools"]}[YEN_BAI] is False
    cluster_cells = board["clusters"][0]["cells"]
    assert len(cluster_cells) == 6
    assert all(cell["status"] == "on_time" for cell in cluster_cells.values())

    types = world.event_types()
    missed_here = [e for e in missed_events(world) if e["cluster_id"] == CLUSTER]
    assert sorted((e["deadline_code"], e["filer_id"]) for e in missed_here) == sorted(
        [("PLAN", YEN_BAI), ("PLAN", TUYEN_QUANG), ("YEAR_END_REPORT", YEN_BAI), ("SCORE_SHEET", YEN_BAI)]
    )
    assert types.count("SchoolDeclaredIneligible") == 61 + 2

    # The state tables both services decide from are what their own events make of them.
    for service in (world.registry, world.service):
        applied, same = rebuilt_state_equals_live(service)
        assert same and applied > 100, service.settings.service

    # Everything submissions recorded reaches the audit trail through Kafka, once.
    world.service.relay(SUBMISSIONS_TOPIC).drain()
    with fresh_database(postgres_server) as audit_db:
        settings = notifications_settings(
            tmp_path, database_url=audit_db, bus_url=year_bus.url, kafka=year_bus.auth("notifications")
        )
        notifications_migrate(settings)
        notifications = notifications_bootstrap(settings)
        runner = audit_runner(notifications)
        runner.run_until_caught_up(timeout=180)
        runner.close()
        with notifications.engine.connect() as conn:
            audited = conn.execute(
                sa.select(sa.func.count())
                .select_from(audit_entries)
                .where(audit_entries.c.topic == SUBMISSIONS_TOPIC)
            ).scalar()
        notifications.close()
    world.service.close()
    assert audited == len(types)

    # A provincial system reading the topics (librdkafka, the CloudEvents SDK) finds every event
    # described by the published JSON Schemas.
    servers, namespace = year_bus.url.removeprefix("kafka://").split("?namespace=")
    reader = year_bus.auth("operator")
    read = read_as_an_outside_system(servers, namespace, SUBMISSIONS_TOPIC, reader)
    assert sum(read.values()) >= len(types) and set(read) == set(types)
    registry = read_as_an_outside_system(servers, namespace, REGISTRY_TOPIC, reader)
    assert {"SchoolRegistered", "ClusterFormed", "SchoolJoinedCluster", "CampaignOpened"} <= set(registry)


def missed_events(world: World) -> list[dict[str, Any]]:
    with world.service.engine.connect() as conn:
        return [
            s.envelope.data
            for s in world.service.store.read_after(conn, 0, 100_000)
            if s.envelope.type == "DeadlineMissed"
        ]  # type: ignore[misc]
