"""The secured broker: every principal does what deploy/kafka-access.toml grants, and nothing else."""

from __future__ import annotations

import tomllib

import pytest

from services.registry.feeds import provincial_feeds
from services.vocabulary import outbound_topic
from shared.bus import Bus, BusUnavailable, OutgoingRecord, Record, Start, Subscription, make_bus
from shared.kafka_access import ACCESS_FILE, grants
from tests.conftest import SecuredKafka
from tests.factories import make_envelope
from tests.registry.test_provincial_feeds import granted, publish

pytestmark = pytest.mark.kafka
REGISTRY, SUBMISSIONS, SCORING = (
    "thidua.registry.events",
    "thidua.submissions.events",
    "thidua.scoring.events",
)
INBOUND, PHU_THO_INBOUND = "thidua.integration.inbound.HOABINH", "thidua.integration.inbound.PHUTHO"


def bus_of(kafka: SecuredKafka, principal: str | None):  # type: ignore[no-untyped-def]
    """Return a bus authenticated as a principal (or not at all)."""
    return make_bus(kafka.url(), partitions=1, auth=None if principal is None else kafka.auth(principal))


def record(topic: str) -> OutgoingRecord:
    return OutgoingRecord(topic, *make_envelope("school-1").to_record())


def first_records(subscription: Subscription) -> list[Record]:
    """Poll a subscription until it returns something (or 10 s pass); return what it returned."""
    for _ in range(20):
        if got := subscription.poll(10, 0.5):
            return got
    return []


@pytest.fixture(scope="module")
def topics(secured_kafka: SecuredKafka) -> SecuredKafka:
    """Create the topics as their owners would (each service creates the topics it publishes)."""
    bus_of(secured_kafka, "registry").ensure_topics([REGISTRY])
    bus_of(secured_kafka, "submissions").ensure_topics(
        [SUBMISSIONS, INBOUND, f"{INBOUND}.dlq", PHU_THO_INBOUND]
    )
    bus_of(secured_kafka, "scoring").ensure_topics([SCORING])
    return secured_kafka


def test_an_unauthenticated_client_is_refused(topics: SecuredKafka) -> None:
    with pytest.raises(BusUnavailable):
        bus_of(topics, None).publish([record(REGISTRY)], timeout=5)


def test_an_integration_principal_writes_its_own_inbound_topic_and_nothing_else(topics: SecuredKafka) -> None:
    bus = bus_of(topics, "integration-HOABINH")
    bus.publish([record(INBOUND)])
    for elsewhere in (SUBMISSIONS, PHU_THO_INBOUND):
        with pytest.raises(BusUnavailable, match="TopicAuthorizationFailed"):
            bus.publish([record(elsewhere)], timeout=5)


def test_a_service_writes_its_own_topic_but_not_another_services(topics: SecuredKafka) -> None:
    bus = bus_of(topics, "registry")
    bus.publish([record(REGISTRY)])
    with pytest.raises(BusUnavailable, match="TopicAuthorizationFailed"):
        bus.publish([record(SCORING)], timeout=5)


def test_a_service_reads_what_it_consumes_in_its_own_groups_only(topics: SecuredKafka) -> None:
    bus_of(topics, "registry").publish([record(REGISTRY)])
    scoring = bus_of(topics, "scoring")
    own = scoring.subscribe("scoring", [REGISTRY])
    got = first_records(own)
    own.close()
    assert got, "scoring reads the registry topic in its own group"
    stranger = scoring.subscribe("notifications-audit", [REGISTRY])
    with pytest.raises(BusUnavailable, match="GroupAuthorizationFailed"):
        for _ in range(20):
            stranger.poll(10, 0.5)
    stranger.close()


def test_the_operator_reads_every_topic_but_writes_none_but_the_redrive_targets(topics: SecuredKafka) -> None:
    operator = bus_of(topics, "operator")
    assert operator.read([REGISTRY], Start(), 10), "the operator reads any topic"
    with pytest.raises(BusUnavailable):
        operator.ensure_topics(["thidua.something.else"])


def test_submissions_deletes_what_it_recorded_from_a_mailbox_and_no_one_else_may(
    topics: SecuredKafka,
) -> None:
    bus_of(topics, "integration-HOABINH").publish([record(INBOUND)])
    submissions = bus_of(topics, "submissions")
    inbound = submissions.subscribe("submissions-inbound", [INBOUND])
    got = first_records(inbound)
    inbound.commit({(r.topic, r.partition): r.offset + 1 for r in got})
    inbound.close()
    assert submissions.forget_consumed("submissions-inbound", [INBOUND]) == 1
    assert submissions.read([INBOUND], Start(), 10) == [], "the mailbox keeps nothing it delivered"
    with pytest.raises(BusUnavailable):
        bus_of(topics, "scoring").forget_consumed("submissions-inbound", [INBOUND])


def test_the_declared_file_gives_each_service_only_its_topics() -> None:
    access = tomllib.loads(ACCESS_FILE.read_text())
    writes = {
        (g.principal, g.name) for g in grants(access) if g.operation == "WRITE" and g.resource == "TOPIC"
    }
    assert {topic for principal, topic in writes if principal == "registry"} == {
        REGISTRY,
        f"{SUBMISSIONS}.dlq",
        f"{SCORING}.dlq",
        f"{REGISTRY}.dlq",
        "thidua.integration.outbound.",  # a prefix: every school's system hears of its awards
    }
    assert {topic for principal, topic in writes if principal == "submissions"} == {
        SUBMISSIONS,
        f"{REGISTRY}.dlq",
        *(f"thidua.integration.inbound.{code}.dlq" for code in access["integration"]["codes"]),
    }
    assert {topic for principal, topic in writes if principal == "integration-HOABINH"} == {INBOUND}


def test_a_provincial_system_receives_the_awards_of_its_own_schools_and_no_others(
    secured_kafka: SecuredKafka,
) -> None:
    kafka = secured_kafka.fresh()
    registry = bus_of(kafka, "registry")
    hoa_binh, phu_tho = granted("HOABINH"), granted("PHUTHO")
    publish(registry, hoa_binh, phu_tho)
    feeds = provincial_feeds(registry)  # as the registry's principal: its topic, group and transactions
    assert feeds.run_until_caught_up() == 2
    feeds.close()
    province = bus_of(kafka, "integration-HOABINH")
    own = province.subscribe("integration-HOABINH", [outbound_topic("HOABINH")])
    got: list[str] = []
    for _ in range(40):
        got += [
            (r.header("ce_type") or b"").decode() + ":" + (r.header("ce_id") or b"").decode()
            for r in own.poll(10, 0.5)
        ]
        if got:
            break
    own.close()
    assert got == [f"AwardGranted:{hoa_binh.id}"]
    assert nothing_read(province, outbound_topic("PHUTHO")), "another province's awards stay hidden"
    assert nothing_read(province, REGISTRY), "and so does the registry's topic, where every award is"


def nothing_read(bus: Bus, topic: str) -> bool:
    """Return whether a bus reads nothing of a topic (it is refused, or gets no records)."""
    try:
        return bus.read([topic], Start(), 10) == []
    except BusUnavailable:
        return True
