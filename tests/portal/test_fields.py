"""How posted HTML forms become payloads, and how the services' field errors come back to the fields."""

from __future__ import annotations

from services.forms import FORMS, PLAN_FORM, YEAR_END_REPORT_FORM
from services.portal import fields as f


def test_lines_become_a_list_numbers_integers_and_a_checkbox_a_boolean() -> None:
    form = {
        "summary": "  Kế hoạch năm 2023 ",
        "registered_titles": "Cờ thi đua\n\n  Tập thể Lao động xuất sắc  \n",
    }
    assert f.payload_of(FORMS[PLAN_FORM].asked, form) == {
        "summary": "Kế hoạch năm 2023",
        "registered_titles": ["Cờ thi đua", "Tập thể Lao động xuất sắc"],
    }
    report = f.payload_of(
        FORMS[YEAR_END_REPORT_FORM].asked,
        {
            "summary": "Báo cáo",
            "figures.staff": "42",
            "figures.commended": "nhiều",
            "figures.standard_school_goal_met": "on",
        },
    )
    assert report["figures"]["staff"] == 42
    assert report["figures"]["commended"] == "nhiều"  # left as typed: the service says what is wrong
    assert report["figures"]["standard_school_goal_met"] is True
    assert report["figures"]["discipline_violations"] == ""


def test_a_filed_payload_shows_again_in_its_form() -> None:
    fields = FORMS[PLAN_FORM].asked
    payload = {"summary": "Kế hoạch", "registered_titles": ["Cờ thi đua", "Bằng khen"], "notes": ""}
    values = f.values_of(fields, payload)
    assert values == {"summary": "Kế hoạch", "registered_titles": "Cờ thi đua\nBằng khen", "notes": ""}
    assert f.payload_of(fields, values) == {
        "summary": "Kế hoạch",
        "registered_titles": ["Cờ thi đua", "Bằng khen"],
    }


def test_the_services_field_messages_land_on_their_fields_in_vietnamese() -> None:
    details = {
        "json": {
            "payload": {
                "summary": ["Missing data for required field."],
                "figures": {
                    "staff": ["Not a valid integer."],
                    "units": ["Must be greater than or equal to 0."],
                },
                "registered_titles": {"0": ["Shorter than minimum length 1."]},
            }
        }
    }
    errors = f.field_errors(details)
    assert errors == {
        "summary": "Trường này là bắt buộc.",
        "figures.staff": "Phải là một số nguyên.",
        "figures.units": "Không được là số âm.",
        "registered_titles.0": "Không được để trống.",
    }
    assert f.error_for("registered_titles", errors) == "Không được để trống."
    assert f.error_for("notes", errors) == ""
