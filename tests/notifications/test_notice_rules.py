"""Which notices an event causes (the domain alone, fast tier): keys, kinds, recipients and values."""

from __future__ import annotations

from services.notifications.app.messages import render
from services.notifications.domain import notices as decide
from services.notifications.domain.notices import ACADEMY, Recipients

HOA_BINH = Recipients("school:sch_hoabinh", ("ha@hoabinh.invalid",), "Trường Chính trị tỉnh Hòa Bình")
CLUSTER = Recipients("cluster:cl_2023_trung_du_bac", (), "Cụm trưởng (Trường Chính trị tỉnh Hòa Bình)")


def test_a_receipt_is_one_an_event_and_reads_dates_as_people_do() -> None:
    data = {
        "form": "01",
        "year": 2023,
        "filed_at": "2023-03-05T10:00:00+00:00",
        "due": "2023-03-05",
        "on_time": True,
        "submission_id": "sub_1",
    }
    notice = decide.receipt("ev-1", data, HOA_BINH)
    assert (notice.key, notice.kind, notice.to, notice.template) == (
        "receipt:ev-1",
        "receipt",
        HOA_BINH,
        "receipt",
    )
    assert (notice.values["filed_at"], notice.values["due"]) == ("05/03/2023 17:00", "05/03/2023")


def test_a_returned_filing_carries_its_reason_and_who_returned_it() -> None:
    data = {"form": "04", "year": 2023, "submission_id": "sub_2", "reason": "Thiếu số liệu"}
    returned = decide.reviewed("ev-2", True, data, HOA_BINH, CLUSTER.name)
    accepted = decide.reviewed("ev-3", False, data, HOA_BINH, ACADEMY.name)
    assert (returned.kind, returned.template, returned.values["reason"]) == (
        "returned",
        "returned",
        "Thiếu số liệu",
    )
    assert (accepted.kind, accepted.key, accepted.values["reviewer_name"]) == (
        "accepted",
        "accepted:ev-3",
        ACADEMY.name,
    )


def test_a_missed_deadline_is_told_once_a_deadline_and_filer() -> None:
    data = {"year": 2023, "deadline_code": "PLAN", "filer_id": "sch_hoabinh", "due": "2023-03-05"}
    notice = decide.overdue(data, HOA_BINH, None)
    assert notice.key == "overdue:2023:PLAN:sch_hoabinh"
    assert (notice.values["deadline_title"], notice.values["consequence"]) == ("PLAN", "deduction")


def test_ineligibility_and_results_go_to_the_academy_too() -> None:
    ineligible = decide.ineligible(
        {"year": 2023, "school_id": "sch_hoabinh", "reason": "Nộp muộn"}, "Hòa Bình", HOA_BINH
    )
    assert [n.to for n in ineligible] == [HOA_BINH, ACADEMY]
    assert {n.key for n in ineligible} == {"ineligible:2023:sch_hoabinh"}
    results = decide.results({"year": 2023, "cluster_id": "cl", "revision": 2}, [], CLUSTER, "Cụm Tây Bắc")
    assert [(n.to, n.key) for n in results] == [
        (CLUSTER, "results:2023:cl:2"),
        (ACADEMY, "results:2023:cl:2"),
    ]
    assert results[0].values["cluster_name"] == "Cụm Tây Bắc"


def test_a_results_mail_names_its_cluster_writes_decimal_commas_and_unranked_schools_as_such() -> None:
    table = [
        {"school_id": "a", "name": "Trường A", "rank": 1, "final": 99.5, "eligible": True},
        {"school_id": "b", "name": "Trường B", "rank": None, "final": 80.25, "eligible": False},
    ]
    [mail, _] = decide.results(
        {"year": 2023, "cluster_id": "cl", "revision": 1}, table, CLUSTER, "Cụm Tây Bắc"
    )
    subject, body = render(mail.template, **mail.values)
    assert subject == "Kết quả chấm điểm thi đua năm 2023 của Cụm Tây Bắc (lần 1)"
    assert "1. Trường A: 99,5 điểm" in body
    assert "Không xếp hạng: Trường B: 80,25 điểm (không đủ điều kiện bình xét)" in body
    assert "—." not in body and "0.00" not in body


def test_the_same_results_have_the_same_digest_and_a_changed_score_another() -> None:
    table = [{"school_id": "a", "rank": 1, "final": 99.5, "eligible": True}]
    assert decide.results_digest(table) == decide.results_digest([dict(table[0])])
    assert decide.results_digest(table) != decide.results_digest([{**table[0], "final": 99.0}])


def test_an_award_decision_tells_each_school_its_verdict_and_each_cluster_head_its_clusters() -> None:
    verdict = {"school_id": "sch_hoabinh", "award": "co_thi_dua", "cluster_id": "cl", "granted": True}
    data = {"year": 2023, "number": "12-QĐ/HVCTQG", "signed_on": "2024-01-15", "verdicts": [verdict]}
    caused = decide.awards(data, {"sch_hoabinh": "Hòa Bình"}, {"sch_hoabinh": HOA_BINH}, {"cl": CLUSTER})
    assert [(n.kind, n.to, n.template) for n in caused] == [
        ("award", HOA_BINH, "award"),
        ("awards", CLUSTER, "cluster_awards"),
    ]
    assert caused[0].values["signed_on"] == "15/01/2024" and caused[0].values["award_name"] != "co_thi_dua"
    assert caused[1].values["verdicts"][0]["school_name"] == "Hòa Bình"


def test_a_supplementary_decision_tells_the_cluster_head_again_and_a_revocation_tells_school_and_head() -> (
    None
):
    verdict = {"school_id": "sch_hoabinh", "award": "bang_khen", "cluster_id": "cl", "awarded": True}
    data = {"year": 2023, "number": "140-QĐ", "signed_on": "2024-03-01", "verdicts": [verdict]}
    supplement = {**data, "kind": "supplementary", "decision_id": "qd_2"}
    main_keys = [
        n.key
        for n in decide.awards(data, {"sch_hoabinh": "Hòa Bình"}, {"sch_hoabinh": HOA_BINH}, {"cl": CLUSTER})
    ]
    later = decide.awards(supplement, {"sch_hoabinh": "Hòa Bình"}, {"sch_hoabinh": HOA_BINH}, {"cl": CLUSTER})
    assert later[1].key not in main_keys and later[1].values["supplementary"] is True  # not taken for a copy
    revocation = {
        "year": 2023,
        "school_id": "sch_hoabinh",
        "award": "co_thi_dua",
        "reason": "Kê khai không trung thực",
        "legal_basis": "Chương VII Luật Thi đua, khen thưởng",
    }
    caused = decide.revoked(revocation, "Trường Chính trị tỉnh Hòa Bình", HOA_BINH, CLUSTER)
    assert [(n.kind, n.to, n.template) for n in caused] == [
        ("revoked", HOA_BINH, "revoked"),
        ("revoked", CLUSTER, "revoked"),
    ]
    assert len({n.key for n in caused}) == 2 and caused[0].values["award_name"] == "Cờ thi đua của Học viện"
    subject, body = render("revoked", **caused[0].values)
    assert subject.startswith("Thu hồi khen thưởng") and "Căn cứ: Chương VII" in body


def test_a_corrected_decision_tells_each_school_it_ruled_on_and_each_cluster_head_what_changed() -> None:
    data = {
        "year": 2023,
        "decision_id": "qd_1",
        "reason": "Gõ nhầm số quyết định",
        "before": {"number": "15-QĐ/HVCTQG", "signed_on": "2024-01-15"},
        "after": {"number": "16-QĐ/HVCTQG", "signed_on": "2024-01-16"},
        "paper_sha256": "ab" * 32,
    }
    caused = decide.corrected(data, {"sch_hoabinh": HOA_BINH}, {"cl": CLUSTER})
    assert [(n.kind, n.to) for n in caused] == [("corrected", HOA_BINH), ("corrected", CLUSTER)]
    assert len({n.key for n in caused}) == 2
    subject, body = render("corrected", **caused[0].values)
    assert subject.startswith("Đính chính Quyết định khen thưởng số 15-QĐ/HVCTQG")
    assert "«15-QĐ/HVCTQG» thành «16-QĐ/HVCTQG»" in body and "«15/01/2024» thành «16/01/2024»" in body
    assert "Lý do: Gõ nhầm số quyết định" in body
