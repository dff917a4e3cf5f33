"""One contract, two adapters: the embedded log and real Kafka behave the same for our needs."""

from __future__ import annotations

import time

import pytest

from shared.bus import Bus, OutgoingRecord, Record, Start, make_bus


@pytest.fixture
def bus(bus_url: str, topic: str):  # type: ignore[no-untyped-def]
    bus = make_bus(bus_url, partitions=3)
    bus.ensure_topics([topic])
    yield bus
    bus.close()


def record(topic: str, key: str, n: int) -> OutgoingRecord:
    """Return a record whose value is its number."""
    return OutgoingRecord(topic, key.encode(), [("n", str(n).encode())], str(n).encode())


def poll_all(subscription, expected: int, timeout: float = 30.0) -> list[Record]:  # type: ignore[no-untyped-def]
    """Poll until ``expected`` records arrived or the deadline passed."""
    got: list[Record] = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        got += subscription.poll(100, 0.5)
    return got


def test_records_of_one_key_arrive_in_order_with_headers(bus: Bus, topic: str) -> None:
    bus.publish([record(topic, f"k{n % 4}", n) for n in range(40)])
    sub = bus.subscribe("g1", [topic])
    got = poll_all(sub, 40)
    sub.close()
    assert len(got) == 40
    for key in ("k0", "k1", "k2", "k3"):
        values = [int(r.value) for r in got if r.key == key.encode()]  # type: ignore[arg-type]
        assert values == sorted(values)
        assert len(values) == 10
    assert all(r.header("n") == r.value for r in got)


def test_a_group_resumes_after_its_committed_offsets(bus: Bus, topic: str) -> None:
    bus.publish([record(topic, "k", n) for n in range(10)])
    first = bus.subscribe("g-resume", [topic])
    got = poll_all(first, 10)
    half = [r for r in got if int(r.value) < 5]  # type: ignore[arg-type]
    first.commit({(r.topic, r.partition): r.offset + 1 for r in half})
    first.close()
    second = bus.subscribe("g-resume", [topic])
    rest = poll_all(second, 5)
    second.close()
    assert sorted(int(r.value) for r in rest) == [5, 6, 7, 8, 9]  # type: ignore[arg-type]


def test_groups_read_independently(bus: Bus, topic: str) -> None:
    bus.publish([record(topic, "k", n) for n in range(3)])
    a, b = bus.subscribe("ga", [topic]), bus.subscribe("gb", [topic])
    got_a, got_b = poll_all(a, 3), poll_all(b, 3)
    a.close()
    b.close()
    assert len(got_a) == len(got_b) == 3


def test_rewind_reads_everything_again(bus: Bus, topic: str) -> None:
    bus.publish([record(topic, "k", n) for n in range(5)])
    sub = bus.subscribe("g-rewind", [topic])
    assert len(poll_all(sub, 5)) == 5
    sub.rewind()
    again = poll_all(sub, 5)
    sub.close()
    assert sorted(int(r.value) for r in again) == [0, 1, 2, 3, 4]  # type: ignore[arg-type]


def test_a_rewind_moves_the_group_not_only_the_member(bus: Bus, topic: str) -> None:
    """A member that takes over mid-rebuild (a rebalance, a subscription opened again after an outage)
    starts from the beginning too, not from the offsets committed before the rewind."""
    bus.publish([record(topic, "k", n) for n in range(6)])
    first = bus.subscribe("g-rewound", [topic])
    got = poll_all(first, 6)
    first.commit({(r.topic, r.partition): r.offset + 1 for r in got})
    first.settle()
    first.close()
    rewound = bus.subscribe("g-rewound", [topic])
    rewound.rewind()
    rewound.close()  # gone before reading anything again
    successor = bus.subscribe("g-rewound", [topic])
    again = poll_all(successor, 6)
    successor.close()
    assert sorted(int(r.value) for r in again) == [0, 1, 2, 3, 4, 5]  # type: ignore[arg-type]


def test_end_offsets_and_positions_show_what_is_left(bus: Bus, topic: str) -> None:
    bus.publish([record(topic, "k", n) for n in range(4)])
    sub = bus.subscribe("g-ends", [topic])
    ends = sub.end_offsets()
    assert sum(ends.values()) == 4
    poll_all(sub, 4)
    positions = sub.positions()
    sub.close()
    assert all(positions[tp] == end for tp, end in ends.items() if end)


def test_ensure_topics_is_idempotent_and_ping_answers(bus: Bus, topic: str) -> None:
    bus.ensure_topics([topic, topic])
    assert bus.ping() is True


def test_a_kafka_namespace_keeps_topics_and_groups_apart(kafka_bootstrap: str, topic: str) -> None:
    first, second = (make_bus(f"kafka://{kafka_bootstrap}?namespace=ns{n}{topic[5:15]}.") for n in (1, 2))
    for bus in (first, second):
        bus.ensure_topics([topic])
    first.publish([record(topic, "k", 1)])
    second.publish([record(topic, "k", 2), record(topic, "k", 3)])
    sub = first.subscribe("g", [topic])
    got = poll_all(sub, 1)
    assert sub.poll(100, 1.0) == []
    sub.close()
    assert [(r.topic, r.value) for r in got] == [(topic, b"1")]  # callers see the plain topic name
    first.close()
    second.close()


def test_an_operator_reads_from_the_start_an_offset_or_a_time(bus: Bus, topic: str) -> None:
    bus.publish([record(topic, "k", n) for n in range(6)])  # one key: one partition, offsets 0..5
    assert [int(r.value) for r in bus.read([topic], Start(), 100)] == [0, 1, 2, 3, 4, 5]  # type: ignore[arg-type]
    assert [int(r.value) for r in bus.read([topic], Start(offset=4), 100)] == [4, 5]  # type: ignore[arg-type]
    assert len(bus.read([topic], Start(), 2)) == 2
    later = int(time.time() * 1000) + 60_000
    assert bus.read([topic], Start(timestamp_ms=later), 100) == []
    assert len(bus.read([topic], Start(timestamp_ms=0), 100)) == 6


def test_group_lag_shows_committed_and_end_offsets(bus: Bus, topic: str) -> None:
    bus.publish([record(topic, "k", n) for n in range(5)])
    sub = bus.subscribe("g-lag", [topic])
    got = poll_all(sub, 5)
    first_two = [r for r in got if int(r.value) < 2]  # type: ignore[arg-type]
    sub.commit({(r.topic, r.partition): r.offset + 1 for r in first_two})
    sub.close()
    (lag,) = [g for g in bus.group_lag() if g.group == "g-lag" and g.topic == topic]
    assert (lag.committed, lag.end, lag.lag) == (2, 5, 3)


def test_topics_are_listed_by_prefix(bus: Bus, topic: str) -> None:
    prefix = topic.removesuffix(".events") + ".inbound."
    bus.ensure_topics([f"{prefix}HOABINH", f"{prefix}PHUTHO", f"{prefix}PHUTHO.dlq"])
    assert bus.topics(prefix) == [f"{prefix}HOABINH", f"{prefix}PHUTHO", f"{prefix}PHUTHO.dlq"]
    assert bus.topics(prefix + "HOA") == [f"{prefix}HOABINH"]
    assert topic in bus.topics()


def test_topic_ends_count_each_partitions_records_and_kafka_names_a_groups_live_members(
    bus: Bus, topic: str, bus_url: str
) -> None:
    bus.publish([record(topic, f"k{n}", n) for n in range(7)])
    ends = bus.topic_ends([topic])
    assert sorted(p for _t, p in ends) == [0, 1, 2] and sum(ends.values()) == 7
    sub = bus.subscribe("g-members", [topic])
    poll_all(sub, 7)
    members = [m for m in bus.group_members() if m.group == "g-members"]
    if bus_url.startswith("kafka"):
        (member,) = members
        assert sorted(member.partitions) == [f"{topic}[0]", f"{topic}[1]", f"{topic}[2]"] and member.client_id
    else:
        assert members == []  # the embedded log keeps offsets, not live membership
    sub.close()
