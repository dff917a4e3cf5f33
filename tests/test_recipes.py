"""The recipes of docs/architecture.md, each done by a test: here, a new form from its declaration alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
