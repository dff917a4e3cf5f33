"""The Academy's award decision: a verdict on every proposal within the quotas, then the register."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.registry.bootstrap import proposals_runner
from services.registry.domain.awards import DecideAwards, Verdict, YearAwards, decide, quotas
from services.registry.service import Registry
from services.vocabulary import SCORING_TOPIC, SUBMISSIONS_TOPIC
from shared.bus import OutgoingRecord
from shared.envelope import Envelope
from shared.errors import Conflict, RuleBroken
from tests.registry.conftest import auth, event_types, make_campaign, register

RULES = {"award_rules": {"flag_quota": 1, "merit_quota": 2, "national_quotas": None}}
PROPOSALS = [
    {
        "school_id": "a",
        "cluster_id": "k1",
        "award": "co_thi_dua",
        "status": "proposed",
        "rank": 1,
        "final": 95,
    },
    {
        "school_id": "b",
        "cluster_id": "k1",
        "award": "bang_khen",
        "status": "proposed",
        "rank": 2,
        "final": 93,
    },
    {
        "school_id": "c",
        "cluster_id": "k1",
        "award": "bang_khen",
        "status": "rejected_by_vote",
        "rank": 3,
        "final": 91,
    },
    {
        "school_id": "d",
        "cluster_id": "k2",
        "award": "co_thi_dua",
        "status": "proposed",
        "rank": 1,
        "final": 94,
    },
]
SCHOOLS = {s: {"code": s.upper(), "name": f"Trường {s.upper()}"} for s in "abcd"}
CLUSTERS = {"k1": "Cụm Một", "k2": "Cụm Hai"}
COMPLETE = dict.fromkeys("abcd", 2)
"""Every school's Form 09 with both copies confirmed."""


def command(*verdicts: Verdict) -> DecideAwards:
    return DecideAwards(2023, "125-QĐ/HVCTQG", date(2024, 1, 15), "Nguyễn Xuân Thắng", "Giám đốc", verdicts)


A = Verdict("a", "co_thi_dua", True)
B = Verdict("b", "bang_khen", True)
D = Verdict("d", "co_thi_dua", True)


REFUSING = {"award_rules": {**RULES["award_rules"], "incomplete_dossier": "refuse"}}
ONE_COPY = {**COMPLETE, "d": 1}
D_ANYWAY = Verdict("d", "co_thi_dua", True, override_reason="Tỉnh ủy đã xác nhận bằng văn bản riêng")


@pytest.mark.parametrize(
    ("case", "verdicts", "rules", "copies", "refusal"),
    [
        ("every proposal decided", (A, B, D), RULES, COMPLETE, None),
        (
            "one not awarded, with its reason",
            (A, B, Verdict("d", "co_thi_dua", False, "Hồ sơ thiếu")),
            RULES,
            COMPLETE,
            None,
        ),
        (
            "not awarded without a reason",
            (A, B, Verdict("d", "co_thi_dua", False, " ")),
            RULES,
            COMPLETE,
            "verdict_reason_required",
        ),
        ("a proposal left undecided", (A, B), RULES, COMPLETE, "undecided_proposals"),
        (
            "a school the vote rejected",
            (A, B, D, Verdict("c", "bang_khen", True)),
            RULES,
            COMPLETE,
            "not_proposed",
        ),
        (
            "a school never proposed",
            (A, B, D, Verdict("x", "co_thi_dua", True)),
            RULES,
            COMPLETE,
            "not_proposed",
        ),
        ("a proposal decided twice", (A, A, B, D), RULES, COMPLETE, "verdict_twice"),
        (
            "more flags than the national quota",
            (A, B, D),
            {"award_rules": {**RULES["award_rules"], "national_quotas": {"co_thi_dua": 1, "bang_khen": 5}}},
            COMPLETE,
            "over_quota",
        ),
        (
            "one copy of Form 09, no reason to award all the same",
            (A, B, D),
            RULES,
            ONE_COPY,
            "override_reason_required",
        ),
        (
            "one copy of Form 09, awarded all the same with the reason",
            (A, B, D_ANYWAY),
            RULES,
            ONE_COPY,
            None,
        ),
        (
            "one copy of Form 09 where the campaign refuses it",
            (A, B, D_ANYWAY),
            REFUSING,
            ONE_COPY,
            "dossier_incomplete",
        ),
        ("one copy of Form 09: left for a supplementary decision", (A, B), RULES, ONE_COPY, None),
        ("every copy confirmed: none may be left undecided", (A, B), RULES, COMPLETE, "undecided_proposals"),
        (
            "one copy of Form 09 and not awarded: nothing to explain",
            (A, B, Verdict("d", "co_thi_dua", False, "x")),
            REFUSING,
            ONE_COPY,
            None,
        ),
    ],
)
def test_the_decision_rules(
    case: str, verdicts: tuple[Verdict, ...], rules: Any, copies: dict[str, int], refusal: str | None
) -> None:
    if refusal:
        with pytest.raises(RuleBroken) as refused:
            decide(command(*verdicts), rules, PROPOSALS, SCHOOLS, CLUSTERS, YearAwards(), copies=copies)
        assert refused.value.code == refusal, case
        return
    events = decide(command(*verdicts), rules, PROPOSALS, SCHOOLS, CLUSTERS, YearAwards(), copies=copies)
    assert events[0].type == "AwardsDecided", case
    granted = [(e.data["school_id"], e.data["school_code"], e.data["award"]) for e in events[1:]]
    expected = [(v.school_id, v.school_id.upper(), v.award) for v in verdicts if v.awarded]
    assert granted == expected, case
    overridden = {e.data["school_id"]: e.data.get("override_reason") for e in events[1:]}
    assert overridden == {v.school_id: v.override_reason or None for v in verdicts if v.awarded}, case
    assert {e.data["decision_id"] for e in events} == {events[0].data["decision_id"]}


def test_a_year_has_one_main_decision() -> None:
    first = decide(command(A, B, D), RULES, PROPOSALS, SCHOOLS, CLUSTERS, YearAwards(), copies=COMPLETE)
    with pytest.raises(Conflict):
        decide(
            command(A, B, D),
            RULES,
            PROPOSALS,
            SCHOOLS,
            CLUSTERS,
            YearAwards((first[0].data,)),
            copies=COMPLETE,
        )


def test_a_refusal_names_the_rule_it_applies_and_its_source() -> None:
    letter = {"document": "Công văn số 3552-CV/HVCTQG", "article": "mục II.5.2"}
    rules = {**REFUSING, "sources": {"award_rules.incomplete_dossier": letter}}
    with pytest.raises(RuleBroken) as refused:
        decide(command(A, B, D), rules, PROPOSALS, SCHOOLS, CLUSTERS, YearAwards(), copies=ONE_COPY)
    assert refused.value.details["rule"] == "award_rules.incomplete_dossier"
    assert refused.value.details["source"] == letter
    with pytest.raises(RuleBroken) as unsourced:
        decide(command(A, B, D), REFUSING, PROPOSALS, SCHOOLS, CLUSTERS, YearAwards(), copies=ONE_COPY)
    assert "source" not in unsourced.value.details  # no source given: none invented


def test_a_school_receives_one_award_for_the_years_results_where_the_campaign_says_so() -> None:
    both = [*PROPOSALS, {**PROPOSALS[1], "school_id": "a"}]  # a proposed for a flag and a certificate
    law = {"document": "Luật Thi đua, khen thưởng số 06/2022/QH15"}
    rules = {**RULES, "sources": {"award_rules.one_award_per_achievement": law}}
    twice = command(A, B, D, Verdict("a", "bang_khen", True))
    with pytest.raises(RuleBroken) as refused:
        decide(twice, rules, both, SCHOOLS, CLUSTERS, YearAwards(), copies=COMPLETE)
    assert refused.value.code == "one_award_per_achievement"
    assert (refused.value.details["school_ids"], refused.value.details["source"]) == (["a"], law)
    anyway = "Tỉnh ủy đã xác nhận bằng văn bản riêng"
    a_flag = Verdict("a", "co_thi_dua", True, override_reason=anyway)
    one_copy = {**COMPLETE, "a": 1}  # the certificate's proposal waits for a supplementary decision
    first = decide(command(a_flag, B, D), rules, both, SCHOOLS, CLUSTERS, YearAwards(), copies=one_copy)
    a_merit = Verdict("a", "bang_khen", True, override_reason=anyway)
    later = DecideAwards(2023, "126-QĐ/HVCTQG", date(2024, 2, 1), "Nguyễn Xuân Thắng", "Giám đốc", (a_merit,))
    so_far = YearAwards((first[0].data,))
    with pytest.raises(RuleBroken, match="one award"):  # nor in a supplementary decision
        decide(later, rules, both, SCHOOLS, CLUSTERS, so_far, supplementary=True, copies=one_copy)
    revoked = YearAwards((first[0].data,), frozenset({("a", "co_thi_dua")}))
    assert decide(later, rules, both, SCHOOLS, CLUSTERS, revoked, supplementary=True, copies=one_copy)
    allowing = {"award_rules": {**RULES["award_rules"], "one_award_per_achievement": False}}
    assert decide(twice, allowing, both, SCHOOLS, CLUSTERS, YearAwards(), copies=COMPLETE)


def test_quotas_are_declared_or_each_clusters_times_the_clusters() -> None:
    assert quotas(RULES, 3) == {"co_thi_dua": 3, "bang_khen": 6}
    declared = {"award_rules": {**RULES["award_rules"], "national_quotas": {"co_thi_dua": 2, "bang_khen": 4}}}
    assert quotas(declared, 3) == {"co_thi_dua": 2, "bang_khen": 4}


def drafted(year: int, cluster_id: str, revision: int, proposals: list[dict[str, Any]]) -> OutgoingRecord:
    """Return an AwardProposalDrafted as scoring publishes it."""
    data = {"year": year, "revision": revision, "cluster_id": cluster_id, "proposals": proposals}
    envelope = Envelope(
        "AwardProposalDrafted", "scoring", f"result-{cluster_id}", data, stream_version=revision
    )
    return OutgoingRecord(SCORING_TOPIC, *envelope.to_record())


def confirmed(*school_ids: str) -> list[OutgoingRecord]:
    """Return both copies of each school's Form 09 confirmation, as submissions publishes them."""
    records = []
    for school_id in school_ids:
        for copy in (1, 2):
            data = {"year": 2023, "school_id": school_id, "copy": copy, "confirmed_by": "X"}
            stream = f"confirmation-2023-{school_id}-{copy}"
            envelope = Envelope("AchievementReportConfirmed", "submissions", stream, data, stream_version=1)
            records.append(OutgoingRecord(SUBMISSIONS_TOPIC, *envelope.to_record()))
    return records


def proposal(school_id: str, award: str, rank: int, status: str = "proposed") -> dict[str, Any]:
    return {
        "school_id": school_id,
        "award": award,
        "rank": rank,
        "final": 96 - rank,
        "vote_share": 0.8,
        "status": status,
    }


def campaign(quotas: dict[str, int] | None) -> dict[str, Any]:
    """Return the 2023 campaign with its national quotas (None: each cluster's quota per cluster)."""
    content = make_campaign(2023)
    content["award_rules"]["national_quotas"] = quotas
    return content


def test_the_academy_decides_the_proposals_and_keeps_the_register(
    client: FlaskClient, registry: Registry
) -> None:
    assert client.post("/campaigns", json=campaign(None), headers=auth()).status_code == 201
    a, b, c = (register(client, code) for code in ("A", "B", "C"))
    body = {"year": 2023, "name": "Cụm Tây Bắc", "region": "Bắc", "member_school_ids": [a, b, c]}
    cluster = client.post("/clusters", json=body, headers=auth()).get_json()["cluster_id"]
    registry.bus.ensure_topics([SCORING_TOPIC, SUBMISSIONS_TOPIC])
    registry.bus.publish(
        [
            drafted(2023, cluster, 1, [proposal(c, "co_thi_dua", 1)]),
            drafted(2023, cluster, 2, [proposal(a, "co_thi_dua", 1), proposal(b, "bang_khen", 2)]),
            drafted(2023, cluster, 1, [proposal(c, "co_thi_dua", 1)]),  # an old draft, re-driven late
            *confirmed(a, b, c),
        ]
    )
    runner = proposals_runner(registry)
    runner.run_until_caught_up(timeout=60)
    runner.rebuild(timeout=60)  # a read model: emptied and read again from the topic, to the same rows
    runner.close()
    before = client.get("/awards/2023/proposals", headers=auth("operator")).get_json()
    assert [(p["school_id"], p["award"]) for p in before["proposals"]] == [
        (a, "co_thi_dua"),
        (b, "bang_khen"),
    ]
    assert before["quotas"] == {"co_thi_dua": 1, "bang_khen": 2} and before["decided"] is False
    assert client.get("/awards/2023/decision", headers=auth()).status_code == 404

    decision = {
        "number": "125-QĐ/HVCTQG",
        "signed_on": "2024-01-15",
        "signer_name": "Nguyễn Xuân Thắng",
        "signer_title": "Giám đốc",
        "verdicts": [
            {"school_id": a, "award": "co_thi_dua", "awarded": True},
            {"school_id": b, "award": "bang_khen", "awarded": False, "reason": "Chưa đủ điều kiện"},
        ],
    }
    assert (
        client.post("/awards/2023/decision", json=decision, headers=auth("cluster_head", cluster)).status_code
        == 403
    )
    issued = client.post("/awards/2023/decision", json=decision, headers=auth())
    assert issued.status_code == 201, issued.get_json()
    assert issued.get_json()["number"] == "125-QĐ/HVCTQG"
    again = client.post("/awards/2023/decision", json=decision, headers=auth())
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "awards_decided"
    assert event_types(registry).count("AwardGranted") == 1

    merged = {
        "predecessor_ids": [a],
        "successor_id": c,
        "effective_date": "2025-07-01",
        "legal_basis": "Sáp nhập",
    }
    assert client.post("/schools/merges", json=merged, headers=auth()).status_code == 201
    (entry,) = client.get(f"/awards/register?school_id={c}", headers=auth("operator")).get_json()
    assert (entry["school_id"], entry["held_by"], entry["award"], entry["year"]) == (a, c, "co_thi_dua", 2023)
    assert entry["school_name"] == "Trường Chính trị A" and entry["cluster_name"] == "Cụm Tây Bắc"
    assert client.get(f"/awards/register?school_id={b}", headers=auth("operator")).get_json() == []


def test_a_decision_beyond_the_quota_changes_nothing(client: FlaskClient, registry: Registry) -> None:
    quotas = {"co_thi_dua": 1, "bang_khen": 2}
    assert client.post("/campaigns", json=campaign(quotas), headers=auth()).status_code == 201
    a, b, c = (register(client, code) for code in ("A", "B", "C"))
    body = {"year": 2023, "name": "Cụm", "region": "Bắc", "member_school_ids": [a, b, c]}
    cluster = client.post("/clusters", json=body, headers=auth()).get_json()["cluster_id"]
    registry.bus.ensure_topics([SCORING_TOPIC, SUBMISSIONS_TOPIC])
    ranked = [proposal(a, "bang_khen", 1), proposal(b, "bang_khen", 2), proposal(c, "bang_khen", 3)]
    registry.bus.publish([drafted(2023, cluster, 1, ranked), *confirmed(a, b, c)])
    runner = proposals_runner(registry)
    runner.run_until_caught_up(timeout=60)
    runner.close()
    before = event_types(registry)
    decision = {
        "number": "1-QĐ",
        "signed_on": "2024-01-15",
        "signer_name": "Nguyễn Xuân Thắng",
        "signer_title": "Giám đốc",
        "verdicts": [{"school_id": s, "award": "bang_khen", "awarded": True} for s in (a, b, c)],
    }
    refused = client.post("/awards/2023/decision", json=decision, headers=auth())
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "over_quota"
    details = refused.get_json()["error"]["details"]
    assert details["over"] == [{"award": "bang_khen", "awarded": 3, "quota": 2}]
    assert details["rule"] == "award_rules.national_quotas"  # the refusal names the rule it applies
    assert event_types(registry) == before


def test_each_role_reads_the_award_endpoints_only_as_far_as_scoring_lets_it(
    client: FlaskClient, registry: Registry
) -> None:
    assert client.post("/campaigns", json=campaign(None), headers=auth()).status_code == 201
    a, b, c = (register(client, code) for code in ("A", "B", "C"))
    clusters = {}
    for name, members in (("Cụm Một", [a, b]), ("Cụm Hai", [c])):
        body = {"year": 2023, "name": name, "region": "Bắc", "member_school_ids": members}
        clusters[name] = client.post("/clusters", json=body, headers=auth()).get_json()["cluster_id"]
    one, two = clusters["Cụm Một"], clusters["Cụm Hai"]
    registry.bus.ensure_topics([SCORING_TOPIC, SUBMISSIONS_TOPIC])
    registry.bus.publish(
        [
            drafted(2023, one, 1, [proposal(a, "co_thi_dua", 1), proposal(b, "bang_khen", 2)]),
            drafted(2023, two, 1, [proposal(c, "co_thi_dua", 1)]),
            *confirmed(a, b, c),
        ]
    )
    runner = proposals_runner(registry)
    runner.run_until_caught_up(timeout=60)
    runner.close()
    verdicts = [
        {"school_id": a, "award": "co_thi_dua", "awarded": True},
        {"school_id": b, "award": "bang_khen", "awarded": True},
        {"school_id": c, "award": "co_thi_dua", "awarded": True},
    ]
    decision = {"number": "1-QĐ", "signed_on": "2024-01-15", "signer_name": "Nguyễn Xuân Thắng"}
    decision |= {"signer_title": "Giám đốc", "verdicts": verdicts}
    assert client.post("/awards/2023/decision", json=decision, headers=auth()).status_code == 201

    everyone = {a, b, c}
    table: list[tuple[str, str | None, set[str] | None, set[str]]] = [
        # role, tenant, proposals read (None: 403), schools in the decision and the register
        ("academy_admin", None, everyone, everyone),
        ("operator", None, everyone, everyone),
        ("cluster_head", one, {a, b}, {a, b}),
        ("cluster_head", two, {c}, {c}),
        ("school_officer", a, None, {a}),
        ("school_officer", c, None, {c}),
        ("provincial_viewer", "B", None, {b}),
        ("integration", "C", None, {c}),
        ("provincial_viewer", "NOWHERE", None, set()),
    ]
    for role, tenant, proposals_read, schools_read in table:
        headers = auth(role, tenant)
        answer = client.get("/awards/2023/proposals", headers=headers)
        if proposals_read is None:
            assert answer.status_code == 403, (role, tenant)
        else:
            assert {p["school_id"] for p in answer.get_json()["proposals"]} == proposals_read, (role, tenant)
        found = client.get("/awards/2023/decision", headers=headers).get_json()
        assert {v["school_id"] for v in found["verdicts"]} == schools_read, (role, tenant)
        entries = client.get("/awards/register?year=2023", headers=headers).get_json()
        assert {e["school_id"] for e in entries} == schools_read, (role, tenant)


def test_a_decision_is_drafted_issued_corrected_and_an_award_revoked_through_the_api(
    client: FlaskClient, registry: Registry
) -> None:
    assert client.post("/campaigns", json=campaign(None), headers=auth()).status_code == 201
    a, b = (register(client, code) for code in ("A", "B"))
    body = {"year": 2023, "name": "Cụm Tây Bắc", "region": "Bắc", "member_school_ids": [a, b]}
    cluster = client.post("/clusters", json=body, headers=auth()).get_json()["cluster_id"]
    registry.bus.ensure_topics([SCORING_TOPIC, SUBMISSIONS_TOPIC])
    registry.bus.publish(
        [
            drafted(2023, cluster, 1, [proposal(a, "co_thi_dua", 1), proposal(b, "bang_khen", 2)]),
            *confirmed(a, b),
        ]
    )
    runner = proposals_runner(registry)
    runner.run_until_caught_up(timeout=60)
    runner.close()
    verdicts = [
        {"school_id": a, "award": "co_thi_dua", "awarded": True},
        {"school_id": b, "award": "bang_khen", "awarded": True},
    ]
    assert client.post("/awards/2023/drafts", json={}, headers=auth("school_officer", a)).status_code == 403
    control = client.post("/awards/2023/drafts", json={"number": "1\x00"}, headers=auth())
    assert control.status_code == 422  # a draft may be blank, never carry control characters
    started = client.post("/awards/2023/drafts", json={"verdicts": verdicts, "number": ""}, headers=auth())
    assert started.status_code == 201, started.get_json()
    draft = started.get_json()
    assert (
        draft["counts"]["co_thi_dua"] == {"earlier": 0, "adding": 1, "quota": 1} and draft["over_quota"] == []
    )
    path = f"/awards/2023/drafts/{draft['decision_id']}"
    particulars = {"number": "125-QĐ/HVCTQG", "signed_on": "2024-01-15", "signer_name": "Nguyễn Xuân Thắng"}
    saved = client.put(
        path, json={**particulars, "signer_title": "Giám đốc", "verdicts": verdicts}, headers=auth()
    )
    assert saved.status_code == 200 and saved.get_json()["number"] == "125-QĐ/HVCTQG"
    assert client.put("/awards/2023/drafts/qd_none", json={}, headers=auth()).status_code == 404
    issued = client.post(f"{path}/issue", headers=auth())
    assert issued.status_code == 201, issued.get_json()
    assert client.post(f"{path}/issue", headers=auth()).status_code == 404  # issued: no draft any more
    decision_id = issued.get_json()["decision_id"]
    correction = {"number": "127-QĐ/HVCTQG", "reason": "Gõ nhầm số"}
    corrected = client.post(
        f"/awards/2023/decisions/{decision_id}/corrections", json=correction, headers=auth()
    )
    assert (
        corrected.status_code == 201
        and corrected.get_json()["corrections"][0]["before"]["number"] == "125-QĐ/HVCTQG"
    )
    revocation = {
        "school_id": b,
        "award": "bang_khen",
        "reason": "Kê khai sai",
        "legal_basis": "Chương VII Luật số 06/2022/QH15",
    }
    assert (
        client.post(
            "/awards/2023/revocations", json={**revocation, "legal_basis": ""}, headers=auth()
        ).status_code
        == 422
    )
    held = client.get("/awards/2023/decisions", headers=auth("operator")).headers["ETag"]
    unchanged = client.get("/awards/2023/decisions", headers={**auth("operator"), "If-None-Match": held})
    assert (unchanged.status_code, unchanged.data) == (304, b"")  # a document, until a revocation moves it
    revoked = client.post("/awards/2023/revocations", json=revocation, headers=auth())
    assert revoked.status_code == 201 and revoked.get_json()["revoked"] is True
    after = client.get("/awards/2023/decisions", headers={**auth("operator"), "If-None-Match": held})
    (listed,) = after.get_json()
    assert after.status_code == 200 and after.headers["ETag"] != held
    assert listed["number"] == "127-QĐ/HVCTQG" and {
        v["school_id"]: v["revoked"] for v in listed["verdicts"]
    } == {a: False, b: True}
    assert [t for t in event_types(registry) if t.startswith("Award")] == [
        "AwardDecisionDraftSaved",
        "AwardDecisionDraftSaved",
        "AwardsDecided",
        "AwardGranted",
        "AwardGranted",
        "AwardDecisionCorrected",
        "AwardRevoked",
    ]


def test_only_the_academy_drafts_issues_corrects_or_revokes_and_every_role_reads_its_own_outcome(
    client: FlaskClient, registry: Registry
) -> None:
    assert client.post("/campaigns", json=campaign(None), headers=auth()).status_code == 201
    a, b = (register(client, code) for code in ("A", "B"))
    body = {"year": 2023, "name": "Cụm Tây Bắc", "region": "Bắc", "member_school_ids": [a, b]}
    cluster = client.post("/clusters", json=body, headers=auth()).get_json()["cluster_id"]
    registry.bus.ensure_topics([SCORING_TOPIC, SUBMISSIONS_TOPIC])
    proposed = [proposal(a, "co_thi_dua", 1), proposal(b, "bang_khen", 2)]
    registry.bus.publish([drafted(2023, cluster, 1, proposed), *confirmed(a, b)])
    runner = proposals_runner(registry)
    runner.run_until_caught_up(timeout=60)
    runner.close()
    verdicts = [{"school_id": a, "award": "co_thi_dua", "awarded": True}]
    verdicts.append({"school_id": b, "award": "bang_khen", "awarded": True})
    particulars = {
        "number": "1-QĐ",
        "signed_on": "2024-01-15",
        "signer_name": "A",
        "signer_title": "Giám đốc",
    }
    draft = client.post("/awards/2023/drafts", json={**particulars, "verdicts": verdicts}, headers=auth())
    draft_id = draft.get_json()["decision_id"]
    issued = client.post(f"/awards/2023/drafts/{draft_id}/issue", headers=auth()).get_json()
    another = client.post("/awards/2023/drafts", json={}, headers=auth()).get_json()["decision_id"]
    revocation = {"school_id": a, "award": "co_thi_dua", "reason": "x", "legal_basis": "y"}
    writes = [
        ("post", "/awards/2023/drafts", {}),
        ("get", "/awards/2023/drafts", None),
        ("put", f"/awards/2023/drafts/{another}", {}),
        ("get", f"/awards/2023/drafts/{another}/paper.docx", None),
        ("post", f"/awards/2023/drafts/{another}/issue", None),
        (
            "post",
            f"/awards/2023/decisions/{issued['decision_id']}/corrections",
            {"number": "2", "reason": "x"},
        ),
        ("post", "/awards/2023/revocations", revocation),
    ]
    before = event_types(registry)
    table: list[tuple[str, str | None, set[str]]] = [
        # role, tenant, the schools of the decision it reads (every role may read the paper itself)
        ("operator", None, {a, b}),
        ("cluster_head", cluster, {a, b}),
        ("school_officer", a, {a}),
        ("provincial_viewer", "B", {b}),
        ("integration", "B", {b}),  # a provincial system, for its own school only
        ("integration", "A", {a}),
        ("provincial_viewer", "NOWHERE", set()),
    ]
    for role, tenant, reads in table:
        headers = auth(role, tenant)
        for method, path, payload in writes:
            answer = getattr(client, method)(path, json=payload, headers=headers)
            assert answer.status_code == 403, (role, tenant, method, path)
        (found,) = client.get("/awards/2023/decisions", headers=headers).get_json()
        assert {v["school_id"] for v in found["verdicts"]} == reads, (role, tenant)
        paper = client.get(f"/awards/2023/decisions/{issued['decision_id']}/paper.docx", headers=headers)
        assert paper.status_code == 200, (role, tenant)  # the issued decision is a public paper
    assert event_types(registry) == before, "no refused request recorded anything"
    assert client.get("/awards/2023/decisions").status_code == 401  # and none without a token
