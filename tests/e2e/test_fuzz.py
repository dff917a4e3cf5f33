"""Schemathesis against every service's /openapi.json: no input yields a 5xx, every answer matches the
document (the real error shape, every response body). Bounded and with a fixed seed, so it repeats.

The services run under gunicorn as in production, on SQLite and the embedded log, with the registry's
seed loaded so that the generated requests also meet real schools, clusters and a campaign.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.auth import mint_token
from tests.e2e.processes import ROOT, Suite
from tests.factories import TEST_SECRET

pytestmark = [pytest.mark.fuzz, pytest.mark.e2e]
SERVICES = ("registry", "submissions", "scoring", "notifications")
EXAMPLES = 20
SEED = int(os.environ.get("FUZZ_SEED", "1"))
"""Fixed, so a run repeats; FUZZ_SEED explores other cases (a finding becomes a test of its own)."""


@pytest.fixture(scope="module")
def apis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Start the four APIs on a seeded registry; return their base URLs."""
    data = tmp_path_factory.mktemp("fuzz")
    suite = Suite({"THIDUA_JWT_SECRET": TEST_SECRET, "THIDUA_DATA_DIR": str(data)}, data)
    try:
        for service in SERVICES:
            suite.migrate(service)
        suite.run_role("registry", "seed")
        yield {service: suite.start_api(service) for service in SERVICES}
    finally:
        suite.stop_all()


@pytest.mark.parametrize("service", SERVICES)
def test_no_request_gets_a_server_error_or_an_answer_the_document_does_not_describe(
    apis: dict[str, str], service: str
) -> None:
    token = mint_token(TEST_SECRET, "fuzz", "academy_admin")
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{apis[service]}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--no-color",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    counts = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    print(f"\nschemathesis {service}: {counts.group(0) if counts else 'no count'}")
    assert result.returncode == 0, result.stdout[-6000:]
    assert counts is not None and int(counts.group(1)) == int(counts.group(2)) > 100
