"""A down SMTP server delays e-mail and loses none; an invalid consumed event goes to the DLQ."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.notifications.bootstrap import mailer, notices_runner
from services.notifications.tables import notices
from services.submissions.app.watcher import check_deadlines
from services.vocabulary import SUBMISSIONS_TOPIC
from shared.bus import OutgoingRecord
from shared.deadletter import dlq_topic
from tests.factories import make_envelope
from tests.notifications.conftest import Mailbox, NoticeScene, build_notice_scene
from tests.ports import port_of, refusing


@pytest.fixture
def scene(embedded_bus_url: str, tmp_path: Path) -> Iterator[NoticeScene]:
    down = refusing()  # the mail server is down: nothing listens on its port, nor can start to
    scene = build_notice_scene(tmp_path, embedded_bus_url, smtp_port=port_of(down))
    scene.world.at("2023-03-06T08:00:00+07:00")
    check_deadlines(scene.world.service)
    scene.sync()
    yield scene
    scene.service.close()
    scene.world.service.close()
    scene.world.registry.close()
    down.close()


def pending(scene: NoticeScene) -> int:
    with scene.service.engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(notices).where(notices.c.email_status == "pending")
            ).scalar_one()
        )


def test_a_down_smtp_server_is_retried_later_and_no_email_is_lost(
    scene: NoticeScene, smtp: tuple[Mailbox, int]
) -> None:
    waiting = pending(scene)
    assert waiting == 68  # the Academy's copy of each ineligibility notice (no officers are listed here)
    assert mailer(scene.service).send_due() == 0
    with scene.service.engine.connect() as conn:
        first = conn.execute(notices.select().where(notices.c.email_status == "pending")).mappings().first()
    assert first["attempts"] == 1 and "ConnectionRefused" in first["last_error"]
    assert pending(scene) == waiting
    mailbox, port = smtp  # the server comes back, on its (new) port
    up = mailer(scene.service)
    up.port = port
    assert up.send_due() == 0  # not due again until the backoff has passed
    scene.world.now += timedelta(seconds=6)
    while up.send_due():
        pass
    assert pending(scene) == 0
    assert len(mailbox.messages) == waiting


def test_an_invalid_consumed_event_goes_to_the_dlq_and_the_next_is_applied(scene: NoticeScene) -> None:
    bus = scene.service.bus
    broken = make_envelope(
        "missed-x", 1, type="DeadlineMissed", schema_version=1, data={"year": "not a year"}
    )
    fine = make_envelope(
        "eligibility-x",
        1,
        type="SchoolDeclaredIneligible",
        schema_version=1,
        data={"year": 2023, "school_id": "sch_hoabinh", "reason": "thử nghiệm"},
    )
    bus.publish([OutgoingRecord(SUBMISSIONS_TOPIC, *e.to_record()) for e in (broken, fine)])
    runner = notices_runner(scene.service)
    runner.run_until_caught_up()
    runner.close()
    assert runner.stats.dead_lettered == 1
    sub = bus.subscribe("dlq-check", [dlq_topic(SUBMISSIONS_TOPIC)])
    (letter,) = sub.poll(10, 1.0)
    sub.close()
    assert letter.header("dlq_consumer") == b"notifications-notices"
    with scene.service.engine.connect() as conn:
        kinds = list(
            conn.execute(
                sa.select(notices.c.kind).where(notices.c.notice_key.like("ineligible:2023:sch_hoabinh%"))
            ).scalars()
        )
    assert kinds  # the event after the poison one was applied


def test_a_cluster_result_reaches_the_head_and_the_academy_once_per_change(scene: NoticeScene) -> None:
    from services.notifications.contracts import SCORING_TOPIC
    from tests.submissions.conftest import auth

    scene.sync()  # the registry's clusters: the mail names the cluster
    table = [
        {"school_id": "sch_hoabinh", "rank": 1, "final": 95.5, "eligible": True},
        {"school_id": "sch_yenbai", "rank": None, "final": 0.0, "eligible": False},
    ]

    def computed(revision: int, rows: list[dict[str, object]]) -> OutgoingRecord:
        data = {"year": 2023, "cluster_id": "cl_2023_trung_du_bac", "revision": revision, "table": rows}
        stream = "score_table-2023-cl_2023_trung_du_bac"
        result = make_envelope(stream, revision, type="ScoresComputed", schema_version=1, data=data)
        return OutgoingRecord(SCORING_TOPIC, *result.to_record())

    scene.service.bus.ensure_topics([SCORING_TOPIC])
    changed = [{**table[0], "final": 96.0}, table[1]]
    # delivered twice; the same table again in revision 2; a changed score in revision 3
    scene.service.bus.publish(
        [computed(1, table), computed(1, table), computed(2, table), computed(3, changed)]
    )
    runner = notices_runner(scene.service)
    runner.run_until_caught_up()
    runner.close()
    academy = scene.client.get("/inbox", headers=auth()).get_json()
    results = sorted((n for n in academy if n["kind"] == "results"), key=lambda n: n["subject"])
    cluster = "Cụm thi đua các trường chính trị khu vực Trung du miền núi phía Bắc"
    assert [n["subject"] for n in results] == [
        f"Kết quả chấm điểm thi đua năm 2023 của {cluster} (lần 1)",
        f"Kết quả chấm điểm thi đua năm 2023 của {cluster} (lần 3)",
    ]
    assert "1. Trường Chính trị tỉnh Hòa Bình: 95,5 điểm" in results[0]["body"]
    assert (
        "Không xếp hạng: Trường Chính trị tỉnh Yên Bái: 0 điểm (không đủ điều kiện bình xét)"
        in results[0]["body"]
    )
    head = scene.client.get("/inbox", headers=auth("cluster_head", "cl_2023_trung_du_bac")).get_json()
    assert [n["kind"] for n in head if n["kind"] == "results"] == ["results", "results"]
