"""Filing decides under a lock of its scope (one filer's form), not the service's write lock: filers do
not wait on one another, and two filings of one filer's one-off form still decide one after the other.
Reviewing, amending and reopening decide under the lock of their filing, and append at the version read."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from shared.db import serialise
from tests.submissions.conftest import HOA_BINH, PHU_THO, World, auth, file, officer, plan, seeded_world


def posting_in_thread(
    world: World, path: str, body: dict[str, Any], headers: dict[str, str], answers: dict[str, Any], key: str
) -> threading.Thread:
    """Start a POST through the API in a thread of its own (its own client); its status lands in answers."""
    client = world.client.application.test_client()

    def post() -> None:
        answers[key] = client.post(path, json=body, headers=headers).status_code

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


def filing_in_thread(world: World, school: str, answers: dict[str, Any]) -> threading.Thread:
    """Start filing a school's Form 01 in a thread of its own."""
    body = {"year": 2023, "form": "01", "school_id": school, "payload": plan()}
    return posting_in_thread(world, "/filings", body, officer(school), answers, school)


def test_a_filer_waits_only_on_its_own_scope(tmp_path: Path, postgres_url: str) -> None:
    world = seeded_world(tmp_path, postgres_url, f"file:{tmp_path / 'eventlog.sqlite'}")
    try:
        holder = world.service.engine.connect()
        holder.begin()
        serialise(holder, "submissions:filing:2023:01:" + HOA_BINH)  # Hòa Bình's Form 01, deciding
        answers: dict[str, Any] = {}
        other = filing_in_thread(world, PHU_THO, answers)
        other.join(20.0)
        assert answers.get(PHU_THO) == 201, "another school files meanwhile"
        same = filing_in_thread(world, HOA_BINH, answers)
        same.join(1.0)
        assert same.is_alive(), "the same school's Form 01 waits for the decision in flight"
        holder.rollback()
        holder.close()
        same.join(20.0)
        assert answers.get(HOA_BINH) == 201
        again = filing_in_thread(world, HOA_BINH, answers)
        again.join(20.0)
        assert answers[HOA_BINH] == 409, "then a second one is refused: a one-off form is filed once"
    finally:
        world.service.close()
        world.registry.close()


def review_in_thread(world: World, submission_id: str, answers: dict[str, Any]) -> threading.Thread:
    """Start accepting a filing as the Academy in a thread of its own."""
    path, body = f"/filings/{submission_id}/review", {"decision": "accept"}
    return posting_in_thread(world, path, body, auth(), answers, submission_id)


def test_a_review_waits_only_on_its_own_filing(tmp_path: Path, postgres_url: str) -> None:
    world = seeded_world(tmp_path, postgres_url, f"file:{tmp_path / 'eventlog.sqlite'}")
    try:
        held, other = (
            file(world, "01", plan(), officer(school), school_id=school).get_json()["submission_id"]
            for school in (HOA_BINH, PHU_THO)
        )
        holder = world.service.engine.connect()
        holder.begin()
        serialise(holder, f"submissions:filing:{held}")  # a decision on Hòa Bình's plan in flight
        answers: dict[str, Any] = {}
        review_in_thread(world, other, answers).join(20.0)
        assert answers.get(other) == 200, "another filing is reviewed meanwhile"
        same = review_in_thread(world, held, answers)
        same.join(1.0)
        assert same.is_alive(), "the held filing's review waits for the decision in flight"
        holder.rollback()
        holder.close()
        same.join(20.0)
        assert answers.get(held) == 200
        review_in_thread(world, held, answers).join(20.0)
        assert answers[held] == 409, "then accepting it again is refused: it is accepted already"
    finally:
        world.service.close()
        world.registry.close()
