"""Form 09 confirmations arrive signed on the integration topic; forged or unsigned ones go to the DLQ."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import sqlalchemy as sa

from services.submissions import tables
from services.submissions.bootstrap import inbound_runner
from services.submissions.contracts import INBOUND_EVENTS
from services.submissions.policies.inbound import InboundConfirmations
from services.vocabulary import inbound_topic
from shared.bus import OutgoingRecord
from shared.consumer import ConsumerRunner
from shared.deadletter import dlq_topic
from shared.envelope import Envelope
from shared.eventstore import Context, NewEvent
from shared.signing import SIGNATURE_HEADER, signature
from tests.factories import renamed, with_next_version
from tests.submissions.conftest import (
    CLUSTER,
    HOA_BINH,
    INTEGRATION_KEY,
    PHU_THO,
    PHU_THO_KEY,
    World,
    auth,
    file,
    head,
)

HOA_BINH_INBOUND = inbound_topic("HOABINH")


def confirmation(
    copy: int,
    key: str | None = INTEGRATION_KEY,
    sender: str = "HOABINH",
    event_type: str = "AchievementReportConfirmed",
    topic: str = HOA_BINH_INBOUND,
    **data: object,
) -> OutgoingRecord:
    """Return an inbound record of a Form 09 confirmation, signed with a key (or not signed)."""
    body = {
        "year": 2023,
        "school_id": HOA_BINH,
        "copy": copy,
        "confirmed_by": sender,
        "confirmed_on": "2023-11-25",
        "signatory": "Phó Bí thư Thường trực Tỉnh ủy",
        **data,
    }
    envelope = Envelope(
        event_type,
        f"integration/{sender}",
        f"confirmation-{HOA_BINH}",
        body,
        id=str(uuid.uuid4()),
    )
    key_bytes, headers, value = envelope.to_record()
    if key is not None:
        headers.append(
            (
                SIGNATURE_HEADER,
                signature(key.encode(), envelope.id, envelope.type, envelope.source, value).encode(),
            )
        )
    return OutgoingRecord(topic, key_bytes, headers, value)


def deliver(world: World, *records: OutgoingRecord) -> int:
    """Publish inbound records and let the inbound consumer catch up; return how many it dead-lettered."""
    bus = world.service.bus
    bus.ensure_topics(sorted({r.topic for r in records}))
    bus.publish(list(records))
    runner = inbound_runner(world.service)
    runner.run_until_caught_up(timeout=60)
    runner.close()
    return runner.stats.dead_lettered


def test_a_signed_confirmation_is_recorded_once_per_copy(world: World) -> None:
    assert deliver(world, confirmation(1), confirmation(2), confirmation(2)) == 0
    assert world.event_types() == ["AchievementReportConfirmed", "AchievementReportConfirmed"]


def test_forged_unsigned_or_impersonating_confirmations_go_to_the_dlq_and_change_nothing(
    world: World,
) -> None:
    forged = confirmation(1, key="some-other-key-that-is-not-the-provinces-key")
    unsigned = confirmation(1, key=None)
    stranger = confirmation(1, sender="NOWHERE")
    impersonating = confirmation(2, confirmed_by="THAIBINH")
    invalid = confirmation(3)
    assert deliver(world, forged, unsigned, stranger, impersonating, invalid) == 5
    assert world.event_types() == []
    sub = world.service.bus.subscribe("dlq-check", [dlq_topic(HOA_BINH_INBOUND)])
    letters = sub.poll(100, 1.0)
    sub.close()
    errors = [letter.header("dlq_error").decode() for letter in letters]
    assert len(errors) == 5
    assert sum("signature" in e for e in errors) == 2
    assert any("the topic of integration/HOABINH" in e for e in errors)
    assert any("in the name of" in e for e in errors)
    assert any("InvalidEventData" in e for e in errors)
    assert json.loads(letters[0].value)["school_id"] == HOA_BINH


def test_a_dossier_is_complete_when_both_copies_of_each_proposal_are_confirmed(world: World) -> None:
    dossier = {
        "report_06": "Báo cáo",
        "minutes_07": "Biên bản",
        "score_table": [],
        "ballots": [{"school_id": HOA_BINH, "award": "co_thi_dua", "voters": 7, "in_favour": 6}],
        "proposals_08": [{"school_id": HOA_BINH, "award": "co_thi_dua", "voters": 7, "in_favour": 6}],
        "nomination": {"head_school_id": HOA_BINH, "deputy_school_ids": ["sch_phutho"]},
    }
    world.at("2023-11-28T10:00:00+07:00")
    assert file(world, "HO_SO_CUM", dossier, head(), cluster_id=CLUSTER).status_code == 201

    def state() -> dict:  # type: ignore[type-arg]
        board = world.client.get(
            f"/status-board?year=2023&cluster_id={CLUSTER}", headers=auth("operator")
        ).get_json()
        return board["clusters"][0]["dossier"]  # type: ignore[no-any-return]

    assert state() == {"proposed": {HOA_BINH: []}, "complete": False}
    deliver(world, confirmation(1))
    assert state() == {"proposed": {HOA_BINH: [1]}, "complete": False}
    deliver(world, confirmation(2))
    assert state() == {"proposed": {HOA_BINH: [1, 2]}, "complete": True}


def test_a_signed_event_of_a_type_the_suite_does_not_take_goes_to_the_dlq_with_a_reason(world: World) -> None:
    assert deliver(world, confirmation(1, event_type="AchievementReportWithdrawn")) == 1
    assert world.event_types() == []
    sub = world.service.bus.subscribe("dlq-check", [dlq_topic(HOA_BINH_INBOUND)])
    [letter] = sub.poll(100, 1.0)
    sub.close()
    assert letter.header("dlq_error") == (
        b"UnknownEventType: 'AchievementReportWithdrawn is not a type submissions-inbound takes'"
    )


def test_a_system_cannot_confirm_on_another_systems_topic_even_with_its_own_valid_signature(
    world: World,
) -> None:
    phu_tho = {"key": PHU_THO_KEY, "sender": "PHUTHO", "confirmed_by": "PHUTHO", "school_id": PHU_THO}
    on_its_own = confirmation(1, topic=inbound_topic("PHUTHO"), **phu_tho)
    on_hoa_binhs = confirmation(2, **phu_tho)
    assert deliver(world, on_its_own, on_hoa_binhs) == 1
    assert world.event_types() == ["AchievementReportConfirmed"]
    sub = world.service.bus.subscribe("dlq-check", [dlq_topic(HOA_BINH_INBOUND)])
    [letter] = sub.poll(100, 1.0)
    sub.close()
    assert b"wrote on" in (letter.header("dlq_error") or b"")


def test_a_confirmation_of_version_1_still_applies_after_version_2_is_declared(world: World) -> None:
    old = confirmation(1, ban_so=1)  # version 1 named the copy "ban_so"; version 2 calls it "copy"
    envelope = Envelope.from_record(old.key, old.headers, old.value)
    data = {k: v for k, v in envelope.data.items() if k != "copy"}
    key_bytes, headers, value = replace(envelope, data=data).to_record()
    headers.append(
        (
            SIGNATURE_HEADER,
            signature(INTEGRATION_KEY.encode(), envelope.id, envelope.type, envelope.source, value).encode(),
        )
    )
    bus = world.service.bus
    bus.ensure_topics([HOA_BINH_INBOUND])
    bus.publish([OutgoingRecord(HOA_BINH_INBOUND, key_bytes, headers, value)])
    catalogue = with_next_version(INBOUND_EVENTS, "AchievementReportConfirmed", renamed(ban_so="copy"))
    projection = InboundConfirmations(world.service, world.service.config.integration_keys)
    runner = ConsumerRunner(projection, world.service.engine, tables.processed_events, bus, catalogue)
    runner.run_until_caught_up(timeout=60)
    runner.close()
    assert runner.stats.dead_lettered == 0
    assert world.event_types() == ["AchievementReportConfirmed"]


def test_a_system_confirming_for_a_school_it_does_not_answer_for_is_dead_lettered(world: World) -> None:
    # Phú Thọ's own key, topic and name, vouching for Hòa Bình's school: the attack of issue 37.
    foreign = confirmation(
        1, key=PHU_THO_KEY, sender="PHUTHO", confirmed_by="PHUTHO", topic=inbound_topic("PHUTHO")
    )
    nowhere = confirmation(
        2,
        key=PHU_THO_KEY,
        sender="PHUTHO",
        confirmed_by="PHUTHO",
        topic=inbound_topic("PHUTHO"),
        school_id="sch_does_not_exist",
        year=1999,
    )
    assert deliver(world, foreign, nowhere) == 2
    assert world.event_types() == []
    sub = world.service.bus.subscribe("dlq-check", [dlq_topic(inbound_topic("PHUTHO"))])
    errors = sorted(letter.header("dlq_error").decode() for letter in sub.poll(100, 1.0))
    sub.close()
    assert "PHUTHO does not answer for school" in errors[1]
    assert "knows no school sch_does_not_exist" in errors[0]
    assert deliver(world, confirmation(1)) == 0  # Hòa Bình's own still lands in its place
    assert world.event_types() == ["AchievementReportConfirmed"]


def test_a_confirmation_recorded_in_error_is_voided_by_the_academy_and_the_rightful_one_lands(
    world: World,
) -> None:
    wrong = {"year": 2023, "school_id": HOA_BINH, "copy": 1, "confirmed_by": "PHUTHO"}
    wrong |= {"confirmed_on": "2023-11-25", "signatory": "Bí thư"}
    with world.service.transaction() as conn:  # as an older version recorded it
        recorded = [NewEvent("AchievementReportConfirmed", wrong)]
        world.service.record(conn, f"confirmation-2023-{HOA_BINH}-1", recorded, Context())
    assert deliver(world, confirmation(1)) == 0
    assert world.event_types() == ["AchievementReportConfirmed"]  # the wrong one holds the place
    url = f"/confirmations/2023/{HOA_BINH}/1/voiding"
    reason = {"reason": "Tỉnh ủy Phú Thọ xác nhận nhầm trường của tỉnh Hòa Bình"}
    assert world.client.post(url, json=reason, headers=head()).status_code == 403
    voided = world.client.post(url, json=reason, headers=auth())
    assert voided.status_code == 201
    assert voided.get_json()["confirmed_by"] == "PHUTHO"
    nothing = world.client.post(f"/confirmations/2023/{HOA_BINH}/2/voiding", json=reason, headers=auth())
    assert nothing.status_code == 404
    assert deliver(world, confirmation(1)) == 0
    assert world.event_types() == [
        "AchievementReportConfirmed",
        "AchievementReportConfirmationVoided",
        "AchievementReportConfirmed",
    ]
    with world.service.engine.connect() as conn:
        by = conn.execute(sa.select(tables.confirmations.c.confirmed_by)).scalars().all()
    assert by == ["HOABINH"]
