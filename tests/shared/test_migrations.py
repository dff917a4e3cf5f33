"""Each service's Alembic history builds exactly the schema its tables declare."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared import migrations
from shared.db import JSONType, create_engine


@pytest.mark.parametrize("service", ["registry", "submissions", "scoring", "notifications"])
def test_migrations_match_the_declared_tables(service: str, database_url: str) -> None:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    tables = importlib.import_module(f"services.{service}.tables")
    migrations.upgrade(bootstrap.MIGRATIONS, database_url)
    migrations.upgrade(bootstrap.MIGRATIONS, database_url)  # a second run changes nothing
    engine = create_engine(database_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    engine.dispose()
    assert differences == []


def test_a_years_issued_decision_is_carried_into_the_decisions_of_several_a_year(database_url: str) -> None:
    """Registry 0006 on data: the one-row-a-year decision becomes the year's main decision, and back."""
    from alembic import command

    from services.registry.bootstrap import MIGRATIONS

    migrations.upgrade(MIGRATIONS, database_url, "0005")
    engine = create_engine(database_url)
    issued = {"year": 2023, "id": "qd_1", "number": "125-QĐ", "day": date(2024, 1, 15)}
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO award_decisions (year, decision_id, number, signed_on, signer_name,"
                " signer_title, verdicts)"
                " VALUES (:year, :id, :number, :day, 'Nguyễn Xuân Thắng', 'Giám đốc', :verdicts)"
            ).bindparams(sa.bindparam("verdicts", type_=JSONType)),
            {**issued, "verdicts": [{"school_id": "sch_a", "award": "co_thi_dua", "awarded": True}]},
        )
    migrations.upgrade(MIGRATIONS, database_url)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT decision_id, kind, number, corrections FROM decisions")).one()
    assert (row.decision_id, row.kind, row.number) == ("qd_1", "main", "125-QĐ")
    assert row.corrections in ([], "[]")
    command.downgrade(migrations.alembic_config(MIGRATIONS, database_url), "0005")
    with engine.connect() as conn:
        back = conn.execute(sa.text("SELECT year, decision_id, number FROM award_decisions")).one()
    engine.dispose()
    assert tuple(back) == (2023, "qd_1", "125-QĐ")


def test_the_filings_kept_fill_the_one_off_filings_and_an_inspection_stays_out(database_url: str) -> None:
    """Submissions 0009 on data: each filer's one-off filings become its one filing of the form; the
    inspections' minutes, filed any number of times, do not."""
    from services.submissions.bootstrap import MIGRATIONS

    migrations.upgrade(MIGRATIONS, database_url, "0008")
    engine = create_engine(database_url)
    insert = sa.text(
        "INSERT INTO submissions (submission_id, year, form, filer_type, filer_id, cluster_id, filed_at,"
        " amendments, reopened, payload, documents, version)"
        " VALUES (:id, 2023, :form, :type, :filer, 'cl_1', '2023-03-01 03:00:00', 0, false, '{}', '[]', 1)"
    )
    kept = [
        ("sub_1", "01", "school", "sch_a"),
        ("sub_2", "01", "school", "sch_b"),
        ("sub_3", "KIEM_TRA", "cluster", "cl_1"),
        ("sub_4", "KIEM_TRA", "cluster", "cl_1"),
    ]
    with engine.begin() as conn:
        for submission_id, form, kind, filer in kept:
            conn.execute(insert, {"id": submission_id, "form": form, "type": kind, "filer": filer})
    migrations.upgrade(MIGRATIONS, database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT form, filer_id, submission_id FROM one_off_filings")).all()
    engine.dispose()
    assert sorted(tuple(r) for r in rows) == [("01", "sch_a", "sub_1"), ("01", "sch_b", "sub_2")]
