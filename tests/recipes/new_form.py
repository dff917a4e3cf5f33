"""The recipe "add a form", done in a fresh interpreter: one declaration, then the suite files it.

Run by ``tests/test_recipes.py``. The form is declared before any service is imported, as an entry
in :mod:`services.forms` would be; nothing else of the suite is touched. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from services import forms

forms.declare(
    forms.Form(
        "TU_DANH_GIA",
        "SelfAssessmentFiled",
        "Bản tự đánh giá kết quả thi đua",
        forms.SCHOOL,
        (
            forms.Field(("summary",), "Nội dung tự đánh giá"),
            forms.Field(("held_on",), "Ngày họp đánh giá", forms.DATE),
            forms.Field(("strengths",), "Ưu điểm (mỗi dòng một ưu điểm)", forms.LINES),
        ),
        reviewer=forms.CLUSTER_HEAD,
    )
)


def main() -> None:
    """File the new form through the submissions API and report what each part made of it."""
    from services import asyncapi
    from services.portal.fields import payload_of
    from tests.submissions.conftest import HOA_BINH, head, officer, seeded_world

    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        world = seeded_world(
            tmp, f"sqlite:///{tmp / 'submissions.sqlite'}", f"file:{tmp / 'eventlog.sqlite'}"
        )
        posted = {
            "summary": " Tự đánh giá năm 2023 ",
            "held_on": "2023-06-30",
            "strengths": "Đoàn kết\n\nĐổi mới",
        }
        payload = payload_of(forms.FORMS["TU_DANH_GIA"].asked, posted)
        body = {"year": 2023, "form": "TU_DANH_GIA", "school_id": HOA_BINH, "payload": payload}
        filed = world.client.post("/filings", json=body, headers=officer(HOA_BINH))
        invalid = world.client.post(
            "/filings", json={**body, "payload": {"summary": ""}}, headers=officer(HOA_BINH)
        )
        reviewed = world.client.post(
            f"/filings/{filed.get_json()['submission_id']}/review",
            json={"decision": "accept", "reason": ""},
            headers=head(),
        )
        document = asyncapi.build()
        report = {
            "filed": filed.status_code,
            "payload": filed.get_json().get("payload"),
            "invalid": invalid.status_code,
            "invalid_fields": sorted(invalid.get_json()["error"]["details"]["json"]["payload"]),
            "reviewed": reviewed.status_code,
            "events": world.event_types(),
            "school_forms": list(forms.filed_by(forms.SCHOOL, "provincial")),
            "published": "SelfAssessmentFiled" in json.dumps(document["components"]["messages"]),
            "label": forms.label_of("TU_DANH_GIA", "strengths"),
        }
        world.service.close()
        world.registry.close()
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
