"""The recipes of docs/architecture.md, each done by a test: here, a new form from its declaration alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.process  # the form recipe runs as a process

ROOT = Path(__file__).resolve().parents[1]


def test_a_form_declared_as_data_alone_is_filed_validated_reviewed_published_and_asked_for() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.recipes.new_form"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["filed"] == 201
    assert report["payload"] == {
        "summary": "Tự đánh giá năm 2023",
        "held_on": "2023-06-30",
        "strengths": ["Đoàn kết", "Đổi mới"],
        "notes": "",
    }
    assert (report["invalid"], report["invalid_fields"]) == (422, ["held_on", "strengths", "summary"])
    assert report["reviewed"] == 200  # the cluster head reviews it, as its declaration says
    assert report["events"][-2:] == ["SelfAssessmentFiled", "FilingAccepted"]
    assert "TU_DANH_GIA" in report["school_forms"]
    assert report["published"] is True
    assert report["label"] == "Ưu điểm (mỗi dòng một ưu điểm)"


def test_a_target_added_to_a_campaigns_data_is_accepted_and_evaluated_from_form_04() -> None:
    from services.forms import YEAR_END_FIGURES
    from services.registry.contracts import TargetV1
    from services.scoring.domain.rules import evaluate_targets

    figures = dict(YEAR_END_FIGURES)
    assert {"departments", "departments_responding"} <= set(figures)  # the target names declared figures
    target = TargetV1().load(
        {
            "code": "T10",
            "description": "Trên 95% khoa, phòng hưởng ứng phong trào",
            "measure": "ratio",
            "numerator": "departments_responding",
            "denominator": "departments",
            "minimum": 0.95,
            "minimum_exclusive": True,
        }
    )
    [met] = evaluate_targets({"targets": [target]}, {"departments": 20, "departments_responding": 20})
    [missed] = evaluate_targets({"targets": [target]}, {"departments": 20, "departments_responding": 19})
    assert (met["code"], met["met"], missed["met"]) == ("T10", True, False)
