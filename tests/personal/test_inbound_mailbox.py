"""An inbound topic is a mailbox: once a confirmation is recorded (its signatory sealed), the record the
provincial system wrote, with the signatory in clear, is deleted; numbering and delivery go on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.submissions.policies.inbound import InboundConfirmations
from shared.bus import Start
from tests.submissions.conftest import World, seeded_world
from tests.submissions.test_inbound_confirmations import HOA_BINH_INBOUND, confirmation, deliver

SIGNATORY = "Phó Bí thư Thường trực Tỉnh ủy".encode()


@pytest.fixture
def world(bus_url: str, tmp_path: Path) -> Iterator[World]:
    world = seeded_world(tmp_path, f"sqlite:///{tmp_path / 'submissions.sqlite'}", bus_url)
    yield world
    world.service.close()
    world.registry.close()


def on_the_mailbox(world: World) -> list[bytes]:
    return [r.value or b"" for r in world.service.bus.read([HOA_BINH_INBOUND], Start(), 100)]


def test_the_mailbox_forgets_what_was_recorded_and_the_next_confirmation_still_arrives(world: World) -> None:
    bus = world.service.bus
    assert deliver(world, confirmation(1)) == 0
    assert any(SIGNATORY in value for value in on_the_mailbox(world))
    assert bus.forget_consumed(InboundConfirmations.name, [HOA_BINH_INBOUND]) == 1
    assert not any(SIGNATORY in value for value in on_the_mailbox(world))
    assert bus.forget_consumed("a-group-that-read-nothing", [HOA_BINH_INBOUND]) == 0
    assert deliver(world, confirmation(2)) == 0
    assert world.event_types() == ["AchievementReportConfirmed", "AchievementReportConfirmed"]
    with world.service.engine.connect() as conn:
        stored = repr(world.service.store.read_after(conn, 0, 100))
    assert SIGNATORY.decode() not in stored, "recorded sealed"
