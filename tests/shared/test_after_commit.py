"""What cannot be rolled back (removing files) runs after its transaction committed, never before or
for a transaction that rolled back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from shared.db import after_commit, transaction


def test_an_action_runs_once_its_transaction_committed_and_not_for_a_rollback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = sa.create_engine("sqlite://")
    ran: list[str] = []
    with transaction(engine) as conn:
        after_commit(conn, lambda: ran.append("committed"))
        assert ran == [], "not inside the transaction"
    assert ran == ["committed"]
    with pytest.raises(RuntimeError), transaction(engine) as conn:
        after_commit(conn, lambda: ran.append("rolled back"))
        raise RuntimeError("the transaction fails")
    with transaction(engine) as conn:
        after_commit(conn, lambda: 1 / 0)
        after_commit(conn, lambda: ran.append("next"))
    assert ran == ["committed", "next"], (
        "a rolled-back action never runs; a failing one does not stop the next"
    )
    assert "an action after a commit failed" in caplog.text
