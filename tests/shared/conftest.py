"""Fixtures of the shared tests: a broker of a test's own, which it may stop and start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI, LocalBroker
from tests.ports import quiet_port


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker of this test's own, which it may stop and start (on free ports: tests run side by side)."""
    broker = LocalBroker(port=quiet_port(2), home=tmp_path / "kafka")
    try:
        broker.start()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"cannot start a dedicated broker: {exc}")
        pytest.skip(f"cannot start a dedicated broker: {exc}")
    yield broker
    broker.stop()
