"""A 2023 cluster scored by hand and by the service: scores, bands, ranks, targets and proposals.

Worked out by hand from the 2023 template (12 criteria, 100 points), 2 points off per late filing and
5 per missing one, bands at 90/70/50, threshold 90, one flag and two certificates, majority above 1/2:

| school      | self | verified        | bonus | deductions       | final | band            | rank |
|-------------|------|-----------------|-------|------------------|-------|-----------------|------|
| Hòa Bình    | 92   |                 | 3     |                  | 95    | xuat_sac        | 1    |
| Thái Nguyên | 89   |                 | 4     |                  | 93    | xuat_sac        | 2    |
| Tuyên Quang | 89   |                 | 5     | plan late: 2     | 92    | xuat_sac        | 3    |
| Bắc Giang   | 90   |                 | 0     |                  | 90    | xuat_sac        | 4    |
| Phú Thọ     | 89   | DOT_PHA.1 13→11 | 3     |                  | 90    | xuat_sac        | 5    |
| Bắc Kạn     | 0    |                 | 0     | 04, 5.1 missing: 10 | 0  | chua_hoan_thanh | 6    |
| Yên Bái     | 0    |                 | 0     | 3 missing: 15    | 0     | chua_hoan_thanh | none |

Bắc Giang and Phú Thọ tie at 90: Bắc Giang meets 10 targets, Phú Thọ 9 (one discipline violation).
Yên Bái sent no Form 01: it is ineligible and unranked.
"""

from __future__ import annotations

from typing import Any

from services.submissions.app.watcher import check_deadlines
from tests.scoring.conftest import Scene
from tests.submissions.conftest import (
    CLUSTER,
    HOA_BINH,
    PHU_THO,
    TUYEN_QUANG,
    YEN_BAI,
    figures,
    head,
    officer,
    plan,
    scores,
)

BAC_GIANG, BAC_KAN, THAI_NGUYEN = "sch_bacgiang", "sch_backan", "sch_thainguyen"


def filed(
    scene: Scene, when: str, form: str, payload: dict[str, Any], headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    scene.world.at(when)
    response = scene.world.client.post(
        "/filings", json={"year": 2023, "form": form, "payload": payload, **body}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def with_bonus(points: float, **criteria: float) -> dict[str, Any]:
    sheet = scores(**criteria)
    sheet["bonus"] = [{"criterion": "THUONG.1", "points": points}] if points else []
    return sheet


def play_the_year(scene: Scene) -> None:
    """File the scenario of the module docstring."""
    for school in (HOA_BINH, THAI_NGUYEN, BAC_GIANG, PHU_THO, BAC_KAN):
        filed(scene, "2023-03-01T10:00:00+07:00", "01", plan(), officer(school), school_id=school)
    filed(scene, "2023-03-08T10:00:00+07:00", "01", plan(), officer(TUYEN_QUANG), school_id=TUYEN_QUANG)
    inspection = {
        "inspected_school_id": PHU_THO,
        "inspecting_school_ids": [THAI_NGUYEN],
        "cross_inspection": True,
        "inspected_on": "2023-06-15",
        "findings": "Đạt",
        "verified_scores": [{"criterion": "DOT_PHA.1", "points": 11}],
    }
    filed(scene, "2023-06-16T10:00:00+07:00", "KIEM_TRA", inspection, head(), cluster_id=CLUSTER)
    sheets = {
        HOA_BINH: with_bonus(3, **{"DOT_PHA.1": 15, "CHI_TIEU.1": 15}),
        THAI_NGUYEN: with_bonus(4),
        TUYEN_QUANG: with_bonus(5),
        BAC_GIANG: with_bonus(0, **{"CHU_DONG.1": 8}),
        PHU_THO: with_bonus(3),
    }
    for school, sheet in sheets.items():
        report_figures = figures(discipline_violations=1) if school == PHU_THO else figures()
        filed(
            scene,
            "2023-11-01T10:00:00+07:00",
            "04",
            {"summary": "Báo cáo", "figures": report_figures},
            officer(school),
            school_id=school,
        )
        filed(scene, "2023-11-02T10:00:00+07:00", "5.1", sheet, officer(school), school_id=school)
    scene.world.at("2023-11-06T08:00:00+07:00")
    check_deadlines(scene.world.service)
    scene.sync()


def test_scores_bands_ranks_and_targets_match_the_hand_worked_table(scene: Scene) -> None:
    play_the_year(scene)
    table = scene.get(f"/score-tables/2023/{CLUSTER}")
    rows = {r["school_id"]: r for r in table["table"]}
    expected = {
        HOA_BINH: (95, "xuat_sac", 1),
        THAI_NGUYEN: (93, "xuat_sac", 2),
        TUYEN_QUANG: (92, "xuat_sac", 3),
        BAC_GIANG: (90, "xuat_sac", 4),
        PHU_THO: (90, "xuat_sac", 5),
        BAC_KAN: (0, "chua_hoan_thanh", 6),
        YEN_BAI: (0, "chua_hoan_thanh", None),
    }
    assert {s: (r["final"], r["band"], r["rank"]) for s, r in rows.items()} == expected
    assert (rows[BAC_GIANG]["targets_met"], rows[PHU_THO]["targets_met"]) == (10, 9)
    assert [r["school_id"] for r in table["table"]][-1] == YEN_BAI
    assert rows[YEN_BAI]["eligible"] is False
    assert table["tie_break"].startswith("tổng điểm cao hơn, rồi nhiều chỉ tiêu đạt hơn")


def test_the_score_card_says_which_filing_cost_what_and_who_verified_what(scene: Scene) -> None:
    play_the_year(scene)
    phu_tho = scene.get(f"/score-cards/2023/{PHU_THO}")
    (verified,) = [c for c in phu_tho["breakdown"]["criteria"] if c["verified_score"] is not None]
    assert (verified["criterion"], verified["self_score"], verified["points"], verified["verified_by"]) == (
        "DOT_PHA.1",
        13,
        11,
        [THAI_NGUYEN],
    )
    tuyen_quang = scene.get(f"/score-cards/2023/{TUYEN_QUANG}")
    assert [
        (d["deadline_code"], d["reason"], d["points"]) for d in tuyen_quang["breakdown"]["deductions"]
    ] == [
        ("PLAN", "late", 2),
    ]
    assert tuyen_quang["breakdown"]["deductions"][0]["submission_id"].startswith("sub_")
    yen_bai = scene.get(f"/score-cards/2023/{YEN_BAI}")
    assert sorted(d["deadline_code"] for d in yen_bai["breakdown"]["deductions"]) == [
        "PLAN",
        "SCORE_SHEET",
        "YEAR_END_REPORT",
    ]
    assert (yen_bai["deductions"], yen_bai["final"], yen_bai["eligible"]) == (15, 0, False)


def test_targets_report_values_thresholds_and_results(scene: Scene) -> None:
    play_the_year(scene)
    report = {
        s["school_id"]: {t["code"]: t for t in s["targets"]}
        for s in scene.get(f"/targets/2023?cluster_id={CLUSTER}")
    }
    hoa_binh = report[HOA_BINH]
    assert hoa_binh["T4"]["value"] == 0.9 and hoa_binh["T4"]["met"]
    assert round(hoa_binh["T5"]["value"], 4) == 0.1333 and hoa_binh["T5"]["met"]
    assert round(hoa_binh["T7"]["value"], 4) == round(5 / 58, 4)
    assert report[PHU_THO]["T3"] == {**report[PHU_THO]["T3"], "value": 1.0, "met": False}
    assert all(t["value"] is None and not t["met"] for t in report[YEN_BAI].values())


def test_proposals_follow_the_rules_and_the_secret_ballot(scene: Scene) -> None:
    play_the_year(scene)
    before = scene.get(f"/proposals/2023/{CLUSTER}")
    assert [(p["school_id"], p["award"], p["status"]) for p in before["proposals"]] == [
        (HOA_BINH, "co_thi_dua", "awaiting_vote"),
        (THAI_NGUYEN, "bang_khen", "awaiting_vote"),
        (TUYEN_QUANG, "bang_khen", "awaiting_vote"),
    ]
    ballots = [
        {"school_id": HOA_BINH, "award": "co_thi_dua", "voters": 7, "in_favour": 6},
        {"school_id": THAI_NGUYEN, "award": "bang_khen", "voters": 7, "in_favour": 4},
        {"school_id": TUYEN_QUANG, "award": "bang_khen", "voters": 7, "in_favour": 3},
    ]
    dossier = {
        "report_06": "Báo cáo",
        "minutes_07": "Biên bản",
        "score_table": [],
        "ballots": ballots,
        "proposals_08": ballots[:2],
        "nomination": {"head_school_id": PHU_THO, "deputy_school_ids": [THAI_NGUYEN]},
    }
    filed(scene, "2023-11-28T10:00:00+07:00", "HO_SO_CUM", dossier, head(), cluster_id=CLUSTER)
    scene.sync()
    after = scene.get(f"/proposals/2023/{CLUSTER}")
    assert [(p["school_id"], p["status"], p["vote_share"]) for p in after["proposals"]] == [
        (HOA_BINH, "proposed", round(6 / 7, 4)),
        (THAI_NGUYEN, "proposed", round(4 / 7, 4)),
        (TUYEN_QUANG, "rejected_by_vote", round(3 / 7, 4)),
    ]
    assert after["revision"] == before["revision"] + 1


def test_an_amendment_changes_the_result_and_republishes_it_with_a_higher_revision(scene: Scene) -> None:
    play_the_year(scene)
    table_before = scene.get(f"/score-tables/2023/{CLUSTER}")
    card_before = scene.get(f"/score-cards/2023/{HOA_BINH}")
    sheet = next(
        f
        for f in scene.world.client.get(
            f"/filings?year=2023&form=5.1&filer_id={HOA_BINH}", headers=officer(HOA_BINH)
        ).get_json()
    )
    scene.world.at("2023-11-05T20:00:00+07:00")
    amended = scene.world.client.put(
        f"/filings/{sheet['submission_id']}",
        json={"payload": with_bonus(0, **{"DOT_PHA.1": 15, "CHI_TIEU.1": 15})},
        headers=officer(HOA_BINH),
    )
    assert amended.status_code == 200
    scene.sync()
    card_after = scene.get(f"/score-cards/2023/{HOA_BINH}")
    assert (card_before["final"], card_after["final"]) == (95, 92)
    assert card_after["revision"] == card_before["revision"] + 1
    table_after = scene.get(f"/score-tables/2023/{CLUSTER}")
    assert table_after["revision"] == table_before["revision"] + 1
    finals = [e["final"] for e in scene.published("SchoolScoreComputed") if e["school_id"] == HOA_BINH]
    assert finals[-2:] == [95, 92]
    revisions = [e["revision"] for e in scene.published("SchoolScoreComputed") if e["school_id"] == HOA_BINH]
    assert revisions == list(range(1, len(revisions) + 1))


def test_a_division_by_zero_is_not_met_and_not_an_error(scene: Scene) -> None:
    filed(
        scene,
        "2023-11-01T10:00:00+07:00",
        "04",
        {
            "summary": "x",
            "figures": figures(departments=0, departments_responding=0, staff=0, lao_dong_tien_tien=0),
        },
        officer(HOA_BINH),
        school_id=HOA_BINH,
    )
    scene.sync()
    targets = {
        t["code"]: t for s in scene.get("/targets/2023") if s["school_id"] == HOA_BINH for t in s["targets"]
    }
    assert (targets["T2"]["value"], targets["T2"]["met"]) == (None, False)
    assert (targets["T5"]["value"], targets["T5"]["met"]) == (None, False)
    assert targets["T6"]["met"] is True
