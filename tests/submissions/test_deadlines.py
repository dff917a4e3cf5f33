"""Through the API: who may restore eligibility or exempt a filing, and the status board's colours.

What the watcher records and what the Academy's decisions refuse is in test_deadline_use_cases.py.
"""

from __future__ import annotations

import threading
import time

from prometheus_client import REGISTRY

from services.submissions.app.watcher import check_deadlines, run_watcher
from tests.submissions.conftest import (
    CLUSTER,
    HOA_BINH,
    PHU_THO,
    TUYEN_QUANG,
    YEN_BAI,
    World,
    auth,
    file,
    head,
    officer,
    plan,
)


def board(world: World) -> dict:  # type: ignore[type-arg]
    return world.client.get(
        f"/status-board?year=2023&cluster_id={CLUSTER}", headers=auth("operator")
    ).get_json()  # type: ignore[no-any-return]


def cells(world: World, code: str) -> dict[str, str]:
    return {row["school_id"]: row["cells"][code]["status"] for row in board(world)["schools"]}


def test_the_academy_restores_eligibility_with_a_reason(world: World) -> None:
    world.at("2023-03-06T08:00:00+07:00")
    check_deadlines(world.service)
    path = f"/eligibility/2023/{YEN_BAI}/restoration"
    assert (
        world.client.post(path, json={"reason": "Gửi qua bưu điện đúng hạn"}, headers=head()).status_code
        == 403
    )
    restored = world.client.post(path, json={"reason": "Gửi qua bưu điện đúng hạn"}, headers=auth())
    assert restored.status_code == 200
    assert world.client.post(path, json={"reason": "again"}, headers=auth()).status_code == 409
    decisions = {
        e["school_id"]: e["eligible"]
        for e in world.client.get("/eligibility?year=2023", headers=auth()).get_json()
    }
    assert decisions[YEN_BAI] is True


def test_an_exempt_filer_is_not_missed(world: World) -> None:
    body = {"year": 2023, "deadline_code": "PLAN", "filer_id": TUYEN_QUANG, "reason": "Thiên tai"}
    assert world.client.post("/exemptions", json=body, headers=auth()).status_code == 201
    assert world.client.post("/exemptions", json=body, headers=auth()).status_code == 409
    world.at("2023-03-06T08:00:00+07:00")
    check_deadlines(world.service)
    assert cells(world, "PLAN")[TUYEN_QUANG] == "exempt"


def test_the_status_board_shows_missing_on_time_late_amended_and_exempt(world: World) -> None:
    filed = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH).get_json()
    file(world, "01", plan(), officer(PHU_THO), school_id=PHU_THO)
    world.client.put(
        f"/filings/{filed['submission_id']}", json={"payload": plan(summary="sửa")}, headers=officer(HOA_BINH)
    )
    world.client.post(
        "/exemptions",
        json={"year": 2023, "deadline_code": "PLAN", "filer_id": TUYEN_QUANG, "reason": "x"},
        headers=auth(),
    )
    world.at("2023-03-07T08:00:00+07:00")
    file(world, "01", plan(), officer(YEN_BAI), school_id=YEN_BAI)
    statuses = cells(world, "PLAN")
    assert len(statuses) == 7
    assert (statuses[HOA_BINH], statuses[PHU_THO], statuses[YEN_BAI], statuses[TUYEN_QUANG]) == (
        "amended",
        "on_time",
        "late",
        "exempt",
    )
    assert sorted(statuses.values()).count("missing") == 3
    assert board(world)["clusters"][0]["cells"]["CLUSTER_PLAN"]["status"] == "missing"


def test_a_school_s_own_extension_is_on_its_board_cell_alone(world: World) -> None:
    world.extend_deadline("PLAN", "2023-03-20", YEN_BAI)
    world.at("2023-03-10T08:00:00+07:00")
    file(world, "01", plan(), officer(YEN_BAI), school_id=YEN_BAI)
    row = {s["school_id"]: s["cells"]["PLAN"] for s in board(world)["schools"]}
    assert (row[YEN_BAI]["status"], row[YEN_BAI]["extended_to"]) == ("on_time", "2023-03-20")
    assert "extended_to" not in row[HOA_BINH]


def test_the_board_is_a_document_a_client_holding_it_gets_304_until_a_filing_changes_it(world: World) -> None:
    path, headers = f"/status-board?year=2023&cluster_id={CLUSTER}", auth("operator")
    first = world.client.get(path, headers=headers)
    etag = first.headers["ETag"]
    assert first.status_code == 200
    held = world.client.get(path, headers={**headers, "If-None-Match": etag})
    assert (held.status_code, held.data, held.headers["ETag"]) == (304, b"", etag)
    file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH)
    changed = world.client.get(path, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert (
        next(r for r in changed.get_json()["schools"] if r["school_id"] == HOA_BINH)["cells"]["PLAN"][
            "status"
        ]
        == "on_time"
    )


ROUND_METRIC = "thidua_watcher_last_round_timestamp_seconds"


def test_each_round_of_the_watcher_is_a_time_the_silence_alert_reads(world: World) -> None:
    stop = threading.Event()
    before = time.time()
    watcher = threading.Thread(target=run_watcher, args=(world.service, stop))
    watcher.start()
    try:
        deadline = time.monotonic() + 30
        while (REGISTRY.get_sample_value(ROUND_METRIC, {"watcher": "deadline"}) or 0) < before:
            assert time.monotonic() < deadline, "the watcher finished no round"
            time.sleep(0.05)
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()
