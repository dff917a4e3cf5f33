"""The demonstration year: loaded through the APIs with the loader's clock, a lived year on every board,
marked as a demonstration, and loading it again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from services import commands, demo
from services.scoring.app.rebuilds import rebuild
from services.submissions.app.board import status_board
from shared.auth import Principal
from tests.factories import TEST_SECRET

pytestmark = pytest.mark.e2e
OPERATOR = Principal("tester", "operator")


@pytest.fixture
def suite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("THIDUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THIDUA_JWT_SECRET", TEST_SECRET)
    monkeypatch.setenv("THIDUA_BUS_URL", f"file:{tmp_path / 'eventlog.sqlite'}")
    monkeypatch.delenv("THIDUA_INTEGRATION_KEYS", raising=False)
    monkeypatch.setenv("THIDUA_LOG_LEVEL", "WARNING")
    for service in commands.SERVICES:
        commands.migrate(service)
    commands.seed()
    return tmp_path


def test_the_demo_year_is_a_lived_year_and_loading_it_twice_changes_nothing(suite_env: Path) -> None:
    loaded = demo.load()
    assert loaded.startswith("demonstration year loaded"), loaded
    assert (suite_env / "integration-keys.json").exists()
    assert demo.load().startswith("the demonstration year is already loaded")

    submissions = commands.build("submissions")
    try:
        events = submissions.metadata.tables["events"]
        with submissions.engine.connect() as conn:
            types = list(conn.execute(sa.select(events.c.type)).scalars())
        board = status_board(submissions, OPERATOR, 2023)
    finally:
        submissions.close()
    for event_type in (
        "PlanSubmitted",
        "ClusterPlanFiled",
        "OfficersListed",
        "ClusterCampaignLaunched",
        "ClusterParticipationRegistered",
        "InspectionDone",
        "MidYearReviewHeld",
        "MidYearReportFiled",
        "YearEndReportSubmitted",
        "ScoreSheetSubmitted",
        "SummaryConferenceScheduled",
        "ClusterDossierFiled",
        "FilingReturned",
        "FilingAccepted",
        "SubmissionAmended",
        "AchievementReportConfirmed",
    ):
        assert event_type in types, event_type
    assert types.count("SchoolDeclaredIneligible") == 1  # Yên Bái, which never filed Form 01
    plans = [row["cells"]["PLAN"]["status"] for row in board["schools"]]
    assert plans.count("missing") == 1 and "late" in plans and plans.count("on_time") > 50
    reports = [row["cells"]["YEAR_END_REPORT"]["status"] for row in board["schools"]]
    assert reports.count("late") == len(demo.LATE_REPORTS) and "missing" not in reports
    assert all(c["dossier"] and c["dossier"]["complete"] for c in board["clusters"])  # both copies, each

    scoring = commands.build("scoring")
    try:
        rebuild(scoring)
        results = scoring.metadata.tables["results"]
        with scoring.engine.connect() as conn:
            tables = [
                body
                for kind, body in conn.execute(sa.select(results.c.kind, results.c.body)).all()
                if kind == "score_table"
            ]
            proposals = [
                body
                for kind, body in conn.execute(sa.select(results.c.kind, results.c.body)).all()
                if kind == "proposals"
            ]
    finally:
        scoring.close()
    tables = [t for t in tables if t["year"] == 2023]
    proposals = [p for p in proposals if p["year"] == 2023]
    assert len(tables) == 8
    finals = [row["final"] for table in tables for row in table["table"] if row["eligible"]]
    assert min(finals) > 60 and max(finals) > 90
    statuses = [p["status"] for body in proposals for p in body["proposals"]]
    assert statuses.count("rejected_by_vote") == 1 and "awaiting_vote" not in statuses
    assert statuses.count("proposed") >= 8  # the conference voted on what scoring proposed

    registry = commands.build("registry")
    try:
        tables_of = registry.metadata.tables
        with registry.engine.connect() as conn:
            types = list(conn.execute(sa.select(tables_of["events"].c.type)).scalars())
            years = set(conn.execute(sa.select(tables_of["campaigns"].c.year)).scalars())
            carried = conn.execute(
                sa.select(sa.func.count()).where(tables_of["clusters"].c.year == 2024)
            ).scalar()
            awards = conn.execute(sa.select(tables_of["awards"].c.award)).scalars().all()
    finally:
        registry.close()
    assert types.count("AwardsDecided") == 2, "2023's main decision once, and the supplementary one once"
    assert sorted(awards).count("co_thi_dua") == 6 and awards.count("bang_khen") == 12  # the quotas
    assert years == {2023, 2024} and carried == 8, "2024 opened from 2023, its clusters carried"


def test_the_trail_says_the_demonstration_is_there(suite_env: Path) -> None:
    """What the console's banner asks notifications: whether the demonstration year's events are in."""
    from services.notifications.bootstrap import audit_runner
    from services.notifications.wsgi import create_app
    from shared.auth import mint_token

    notifications = commands.build("notifications")
    client = create_app(notifications).test_client()
    operator = {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'o', 'operator')}"}
    try:
        assert client.get("/audit/demonstration", headers=operator).json == {"present": False}
        demo.load()
        commands.with_service("registry", lambda registry: registry.relay("thidua.registry.events").drain())
        runner = audit_runner(notifications)
        runner.run_until_caught_up(timeout=120)
        runner.close()
        assert client.get("/audit/demonstration", headers=operator).json == {"present": True}
    finally:
        notifications.close()
