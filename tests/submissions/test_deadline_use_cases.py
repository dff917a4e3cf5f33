"""The deadline watcher and the Academy's decisions on obligations, on the in-memory unit of work.

The clock is the fake's: a test moves it past a due day and runs one round of the watcher. The HTTP
answers (who may restore or exempt, the status board's colours) stay in test_deadlines.py.
"""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from services.submissions.app import eligibility
from services.submissions.app.watcher import check_deadlines
from services.submissions.app.work import InMemorySubmissions
from services.submissions.projections.registry_view import VIEW
from services.submissions.tables import eligibility as eligibility_table
from shared.envelope import Envelope
from shared.errors import Conflict, RuleBroken
from tests.submissions.conftest import HOA_BINH, PHU_THO, TUYEN_QUANG, YEN_BAI, plan
from tests.submissions.fakes import at, submissions_2023
from tests.submissions.test_filing_use_cases import CONTEXT, file, officer


@pytest.fixture
def uow() -> InMemorySubmissions:
    return submissions_2023()


def counted(uow: InMemorySubmissions) -> Counter[str]:
    return Counter(event.type for event in uow.recorded)


def ineligible(uow: InMemorySubmissions) -> set[str]:
    query = sa.select(eligibility_table.c.school_id).where(~eligibility_table.c.eligible)
    with uow.reader.connect() as conn:
        return set(conn.execute(query).scalars())


def test_nothing_is_missed_before_the_end_of_the_due_day(uow: InMemorySubmissions) -> None:
    at(uow, "2023-03-05T23:59:00+07:00")
    assert check_deadlines(uow) == 0 and uow.recorded == []


def test_each_miss_is_recorded_once_and_a_school_without_a_plan_is_ineligible(
    uow: InMemorySubmissions,
) -> None:
    for school in (HOA_BINH, PHU_THO):
        file(uow, "01", plan(), officer(school), school_id=school)
    at(uow, "2023-03-06T00:00:01+07:00")
    assert check_deadlines(uow) == 68 - 2  # every other 2023 school owed Form 01
    assert check_deadlines(uow) == 0  # a second round (or a restart) records nothing again
    assert counted(uow)["DeadlineMissed"] == counted(uow)["SchoolDeclaredIneligible"] == 66
    assert YEN_BAI in ineligible(uow) and HOA_BINH not in ineligible(uow)


def test_cluster_filings_are_missed_by_clusters(uow: InMemorySubmissions) -> None:
    at(uow, "2023-03-16T09:00:00+07:00")
    check_deadlines(uow)
    assert counted(uow)["DeadlineMissed"] == 68 + 8 * 2  # PLAN by 68 schools; 02 and 03 by 8 clusters


def test_an_exempt_filer_is_not_missed_and_is_exempted_once(uow: InMemorySubmissions) -> None:
    eligibility.exempt_filing(uow, 2023, "PLAN", TUYEN_QUANG, "Thiên tai", CONTEXT)
    with pytest.raises(Conflict):
        eligibility.exempt_filing(uow, 2023, "PLAN", TUYEN_QUANG, "Thiên tai", CONTEXT)
    with pytest.raises(RuleBroken) as unknown:
        eligibility.exempt_filing(uow, 2023, "NOPE", TUYEN_QUANG, "x", CONTEXT)
    assert unknown.value.code == "unknown_deadline"
    at(uow, "2023-03-06T08:00:00+07:00")
    assert check_deadlines(uow) == 68 - 1
    assert TUYEN_QUANG not in ineligible(uow)


def test_the_academy_restores_eligibility_once_and_only_where_it_was_lost(uow: InMemorySubmissions) -> None:
    with pytest.raises(Conflict):
        eligibility.restore_eligibility(uow, 2023, YEN_BAI, "chưa mất tư cách", CONTEXT)
    at(uow, "2023-03-06T08:00:00+07:00")
    check_deadlines(uow)
    restored = eligibility.restore_eligibility(uow, 2023, YEN_BAI, "Gửi qua bưu điện đúng hạn", CONTEXT)
    assert restored["eligible"] is True and YEN_BAI not in ineligible(uow)
    with pytest.raises(Conflict) as again:
        eligibility.restore_eligibility(uow, 2023, YEN_BAI, "again", CONTEXT)
    assert again.value.code == "not_ineligible"


def extend_for(uow: InMemorySubmissions, code: str, due: str, filer_id: str | None) -> None:
    """Let the view learn of a DeadlineExtended the registry recorded (for one filer, or everyone)."""
    data = {"year": 2023, "deadline_code": code, "previous_due": "2023-03-05", "due": due, "reason": "Lũ"}
    data |= {"filer_id": filer_id} if filer_id else {}
    event = Envelope(type="DeadlineExtended", source="registry", stream_id="campaign-2023", data=data)
    with uow.transaction() as conn:
        VIEW.apply(conn, event, dict(data))


def test_a_school_s_own_extension_moves_its_stamp_and_its_miss_and_no_one_else_s(
    uow: InMemorySubmissions,
) -> None:
    extend_for(uow, "PLAN", "2023-03-20", YEN_BAI)
    at(uow, "2023-03-06T00:00:01+07:00")
    assert check_deadlines(uow) == 68 - 1  # every school but Yên Bái missed Form 01
    assert YEN_BAI not in ineligible(uow) and HOA_BINH in ineligible(uow)
    at(uow, "2023-03-18T09:00:00+07:00")
    filed = file(uow, "01", plan(), officer(YEN_BAI), school_id=YEN_BAI)
    assert (filed["on_time"], str(filed["due"])) == (True, "2023-03-20")
    at(uow, "2023-03-21T00:00:01+07:00")
    check_deadlines(uow)  # the clusters' Mẫu 02 and 03 are missed meanwhile; Yên Bái's plan is not
    assert plan_missed_by(uow) == 68 - 1 and YEN_BAI not in ineligible(uow)


def plan_missed_by(uow: InMemorySubmissions) -> int:
    """Return how many Form 01 misses were recorded."""
    return sum(1 for e in uow.recorded if e.type == "DeadlineMissed" and e.data["deadline_code"] == "PLAN")


def test_a_school_that_lets_its_own_extension_pass_misses_it_on_its_own_day(uow: InMemorySubmissions) -> None:
    extend_for(uow, "PLAN", "2023-03-20", YEN_BAI)
    at(uow, "2023-03-20T23:59:00+07:00")
    check_deadlines(uow)
    assert YEN_BAI not in ineligible(uow)
    at(uow, "2023-03-21T00:00:01+07:00")
    check_deadlines(uow)
    assert plan_missed_by(uow) == 68 and YEN_BAI in ineligible(uow)
    missed = [e.data for e in uow.recorded if e.type == "DeadlineMissed" and e.data["filer_id"] == YEN_BAI]
    assert [m["due"] for m in missed] == ["2023-03-20"]
