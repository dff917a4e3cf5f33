"""The provincial feeds: each award event copied once to the outbound topic of each system it concerns."""

from __future__ import annotations

import pytest

from services.registry.feeds import FORWARDER, provincial_copies, provincial_feeds
from services.vocabulary import REGISTRY_TOPIC, outbound_topic
from shared.bus import Bus, BusUnavailable, OutgoingRecord, Record, Start, make_bus
from shared.envelope import Envelope
from shared.forwarder import Forwarder


def granted(code: str, year: int = 2023) -> Envelope:
    data = {
        "year": year,
        "decision_id": "qd_1",
        "number": "15-QĐ/HVCTQG",
        "signed_on": f"{year + 1}-01-15",
        "school_id": f"sch_{code.lower()}",
        "school_code": code,
        "cluster_id": "cl_1",
        "award": "co_thi_dua",
    }
    return Envelope("AwardGranted", "registry", f"awards-{year}", data, stream_version=2)


def as_record(envelope: Envelope) -> Record:
    key, headers, value = envelope.to_record()
    return Record(REGISTRY_TOPIC, 0, 0, key, headers, value, 0)


def test_only_an_award_granted_is_copied_and_only_to_its_schools_system() -> None:
    (copy,) = provincial_copies(as_record(granted("HOABINH")))
    assert copy.topic == outbound_topic("HOABINH")
    assert copy.value == granted_value(copy)  # the record itself: same body and headers
    decided = Envelope("AwardsDecided", "registry", "awards-2023", {"year": 2023}, stream_version=1)
    assert provincial_copies(as_record(decided)) == []
    assert (
        provincial_copies(Record(REGISTRY_TOPIC, 0, 0, b"k", [("ce_type", b"AwardGranted")], b"{", 0)) == []
    )
    assert provincial_copies(as_record(granted("HÀ NỘI"))) == []  # no system's topic can bear that name


def test_a_revocation_reaches_its_schools_system_and_a_correction_every_awarded_schools() -> None:
    revoked = Envelope(
        "AwardRevoked",
        "registry",
        "awards-2023",
        {"school_code": "HOABINH", "award": "co_thi_dua"},
        stream_version=3,
    )
    assert [c.topic for c in provincial_copies(as_record(revoked))] == [outbound_topic("HOABINH")]
    corrected = Envelope(
        "AwardDecisionCorrected",
        "registry",
        "awards-2023",
        {"school_codes": ["HOABINH", "LAOCAI", "HÀ NỘI"], "after": {"number": "2"}},
        stream_version=4,
    )
    topics = [c.topic for c in provincial_copies(as_record(corrected))]
    assert topics == [outbound_topic("HOABINH"), outbound_topic("LAOCAI")]  # a bad code is skipped, not all


def granted_value(copy: OutgoingRecord) -> bytes:
    envelope = Envelope.from_record(copy.key, copy.headers, copy.value)
    assert envelope.type == "AwardGranted"
    return copy.value


def publish(bus: Bus, *envelopes: Envelope) -> None:
    bus.ensure_topics([REGISTRY_TOPIC])
    bus.publish([OutgoingRecord(REGISTRY_TOPIC, *e.to_record()) for e in envelopes])


def outbound_ids(bus: Bus, code: str) -> list[str]:
    """Return the CloudEvent ids on a system's outbound topic, as a read_committed reader sees them."""
    bus.ensure_topics([outbound_topic(code)])
    return [(r.header("ce_id") or b"").decode() for r in bus.read([outbound_topic(code)], Start(), 100)]


def test_each_award_reaches_its_province_once_across_runs(bus_url: str) -> None:
    bus = make_bus(bus_url, partitions=2)
    hoa_binh, phu_tho, again = granted("HOABINH"), granted("PHUTHO"), granted("HOABINH", 2024)
    publish(bus, hoa_binh, phu_tho)
    feeds = provincial_feeds(bus)
    assert feeds.run_until_caught_up() == 2
    feeds.close()
    publish(bus, again)
    second = provincial_feeds(bus)  # a new holder of the lease: it reads on from the committed offsets
    assert second.run_until_caught_up() == 1
    second.close()
    assert sorted(outbound_ids(bus, "HOABINH")) == sorted([hoa_binh.id, again.id])  # each once
    assert outbound_ids(bus, "PHUTHO") == [phu_tho.id]
    revoked = Envelope("AwardRevoked", "registry", "awards-2023", {"school_code": "PHUTHO"}, stream_version=3)
    corrected = Envelope(
        "AwardDecisionCorrected",
        "registry",
        "awards-2023",
        {"school_codes": ["HOABINH", "PHUTHO"]},
        stream_version=4,
    )
    publish(bus, revoked, corrected)
    third = provincial_feeds(bus)
    assert third.run_until_caught_up() == 2
    third.close()
    assert outbound_ids(bus, "PHUTHO") == [phu_tho.id, revoked.id, corrected.id]  # its own, and no other's
    assert sorted(outbound_ids(bus, "HOABINH")) == sorted([hoa_binh.id, again.id, corrected.id])
    bus.close()


@pytest.mark.kafka
def test_a_paused_forwarder_is_fenced_by_the_next_and_copies_nothing_twice(kafka_url: str) -> None:
    bus = make_bus(kafka_url, partitions=1)
    first = granted("HOABINH")
    publish(bus, first)
    zombie = provincial_feeds(bus)
    assert zombie.run_until_caught_up() == 1
    publish(bus, granted("HOABINH", 2024))
    successor = Forwarder(FORWARDER, make_bus(kafka_url, partitions=1), (REGISTRY_TOPIC,), provincial_copies)
    successor._subscribed()  # the new holder's producer fences the zombie's transactional id
    with pytest.raises(BusUnavailable):
        for _ in range(20):  # the zombie's next batch (once it is assigned one) cannot commit
            zombie.run_once()
    zombie.close()
    assert successor.run_until_caught_up() >= 1
    successor.close()
    ids = outbound_ids(bus, "HOABINH")
    assert len(ids) == len(set(ids)) == 2, ids
    bus.close()
