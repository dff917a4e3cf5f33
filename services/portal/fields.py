"""The fields of each form as the portal shows them, and how a posted HTML form becomes a payload.

The payload schemas stay the submissions service's; this only says how each field is asked for and read
back (one line per item for lists), and where the service's field errors belong on the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services import vocabulary as v

TEXT, TEXTAREA, LINES, DATE, INTEGER, CHECKBOX = "text", "textarea", "lines", "date", "int", "bool"


@dataclass(frozen=True)
class Field:
    """One field of a form: where it sits in the payload, its label and how it is typed in."""

    path: tuple[str, ...]
    label: str
    kind: str = TEXTAREA
    required: bool = True

    @property
    def name(self) -> str:
        """Return the HTML name of the field (its payload path joined by dots)."""
        return ".".join(self.path)


NOTES = Field(("notes",), "Ghi chú (không bắt buộc)", required=False)
FIGURES = [
    ("staff", "Tổng số cán bộ, công chức, viên chức, người lao động"),
    ("lao_dong_tien_tien", "Số đạt danh hiệu Lao động tiên tiến"),
    ("chien_si_thi_dua_co_so", "Số đạt danh hiệu Chiến sĩ thi đua cơ sở"),
    ("collectives", "Tổng số tập thể"),
    ("tap_the_lao_dong_tien_tien", "Số Tập thể Lao động tiên tiến"),
    ("tap_the_lao_dong_xuat_sac", "Số Tập thể Lao động xuất sắc"),
    ("commended", "Số tập thể, cá nhân được khen thưởng các cấp"),
    ("party_orgs", "Số tổ chức đảng"),
    ("party_orgs_good_or_better", "Số tổ chức đảng hoàn thành tốt nhiệm vụ trở lên"),
    ("party_orgs_excellent", "Số tổ chức đảng hoàn thành xuất sắc nhiệm vụ"),
    ("units", "Số đơn vị chuyên môn, đoàn thể"),
    ("units_good_or_better", "Số đơn vị chuyên môn, đoàn thể hoàn thành tốt nhiệm vụ trở lên"),
    ("departments", "Số khoa, phòng"),
    ("departments_responding", "Số khoa, phòng hưởng ứng phong trào"),
    ("discipline_violations", "Số vụ vi phạm kỷ luật, kỷ cương"),
]

SIMPLE_FORMS: dict[str, list[Field]] = {
    v.PLAN_FORM: [
        Field(("summary",), "Nội dung kế hoạch triển khai phong trào thi đua"),
        Field(("registered_titles",), "Danh hiệu thi đua đăng ký (mỗi dòng một danh hiệu)", LINES),
        NOTES,
    ],
    v.PARTICIPATION_FORM: [
        Field(("activities",), "Các hoạt động của cụm đăng ký tham gia (mỗi dòng một hoạt động)", LINES),
        NOTES,
    ],
    v.YEAR_END_REPORT_FORM: [
        Field(("summary",), "Báo cáo tổng kết phong trào thi đua"),
        *[Field(("figures", key), label, INTEGER) for key, label in FIGURES],
        Field(("figures", "standard_school_goal_met"), "Hoàn thành mục tiêu xây dựng trường chuẩn", CHECKBOX),
        NOTES,
    ],
    v.CLUSTER_PLAN_FORM: [
        Field(("purpose",), "Mục đích, yêu cầu"),
        Field(("contents",), "Nội dung hoạt động (mỗi dòng một nội dung)", LINES),
        Field(("division_of_work",), "Phân công nhiệm vụ"),
        Field(("proposals",), "Đề xuất, kiến nghị", required=False),
        NOTES,
    ],
    v.LAUNCH_FORM: [
        Field(("launched_on",), "Ngày phát động", DATE),
        Field(("summary",), "Nội dung phát động"),
        NOTES,
    ],
    v.MID_YEAR_REVIEW_FORM: [
        Field(("held_on",), "Ngày tổ chức hội nghị sơ kết", DATE),
        Field(("summary",), "Dự thảo báo cáo sơ kết"),
        NOTES,
    ],
    v.MID_YEAR_REPORT_FORM: [Field(("summary",), "Báo cáo sơ kết 6 tháng đầu năm"), NOTES],
    v.CONFERENCE_FORM: [
        Field(("held_on",), "Ngày tổ chức hội nghị tổng kết", DATE),
        Field(("venue",), "Địa điểm", TEXT),
        Field(("programme",), "Kế hoạch, chương trình hội nghị"),
        NOTES,
    ],
}
SCHOOL_FORMS = (v.PLAN_FORM, v.PARTICIPATION_FORM, v.YEAR_END_REPORT_FORM)
CLUSTER_FORMS = (
    v.CLUSTER_PLAN_FORM,
    v.OFFICERS_FORM,
    v.LAUNCH_FORM,
    v.INSPECTION_FORM,
    v.MID_YEAR_REVIEW_FORM,
    v.MID_YEAR_REPORT_FORM,
    v.CONFERENCE_FORM,
    v.DOSSIER_FORM,
)


def payload_of(fields: list[Field], form: Mapping[str, str]) -> dict[str, Any]:
    """Return the payload an HTML form's values make (lists one item per line; empty numbers stay text)."""
    payload: dict[str, Any] = {}
    for field in fields:
        raw = form.get(field.name, "")
        value: Any
        if field.kind == LINES:
            value = [line.strip() for line in raw.splitlines() if line.strip()]
        elif field.kind == CHECKBOX:
            value = raw in ("on", "true", "1")
        elif field.kind == INTEGER:
            value = int(raw) if raw.strip().lstrip("-").isdigit() else raw.strip()
        else:
            value = raw.strip()
        if value in ("", []) and not field.required and field.kind != LINES:
            continue
        target = payload
        for key in field.path[:-1]:
            target = target.setdefault(key, {})
        target[field.path[-1]] = value
    return payload


def values_of(fields: list[Field], payload: Mapping[str, Any]) -> dict[str, str]:
    """Return the HTML form's values that show a filed payload again (to amend it)."""
    values: dict[str, str] = {}
    for field in fields:
        value: Any = payload
        for key in field.path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            continue
        if field.kind == LINES:
            values[field.name] = "\n".join(str(item) for item in value)
        elif field.kind == CHECKBOX:
            values[field.name] = "on" if value else ""
        else:
            values[field.name] = str(value)
    return values


MESSAGES = {
    "Missing data for required field.": "Trường này là bắt buộc.",
    "Not a valid integer.": "Phải là một số nguyên.",
    "Not a valid number.": "Phải là một số.",
    "Not a valid date.": "Ngày không hợp lệ (dd/mm/yyyy).",
    "Not a valid email address.": "Địa chỉ thư điện tử không hợp lệ.",
    "Not a valid boolean.": "Phải là có hoặc không.",
    "Not a valid list.": "Phải là một danh sách.",
    "Unknown field.": "Trường không được phép.",
    "Shorter than minimum length 1.": "Không được để trống.",
}


def vietnamese(message: str) -> str:
    """Return a field message of the services in Vietnamese (known ones translated, others kept)."""
    if message in MESSAGES:
        return MESSAGES[message]
    if message.startswith("Length must be between 1"):
        return "Không được để trống và không quá dài."
    if message.startswith("Must be greater than or equal to"):
        return "Không được là số âm."
    if message.startswith("Longer than maximum length"):
        return "Quá dài."
    return message


def field_errors(details: Any) -> dict[str, str]:
    """Return the service's field messages by payload path ('figures.staff'), from a 422's details.

    flask-smorest nests them under the request location and 'payload' (``{"json": {"payload": {...}}}``);
    list items are keyed by index, which is kept in the path ('registered_titles.0').
    """
    found: dict[str, str] = {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*path, str(key)))
        elif isinstance(node, list) and node and all(isinstance(item, str) for item in node):
            found[".".join(path)] = "; ".join(vietnamese(item) for item in node)

    walk(details, ())
    cleaned: dict[str, str] = {}
    for path, message in found.items():
        parts = path.split(".")
        while parts and parts[0] in ("json", "payload", "form", "query"):
            parts = parts[1:]
        cleaned[".".join(parts)] = message
    return cleaned


def error_for(field_name: str, errors: Mapping[str, str]) -> str:
    """Return the message that belongs to a field, including those of its list items."""
    messages = [m for path, m in errors.items() if path == field_name or path.startswith(f"{field_name}.")]
    return "; ".join(dict.fromkeys(messages))


EXTRA_LABELS = {
    "notes": "Ghi chú",
    "officers": "Cán bộ phụ trách thi đua",
    "scores": "Điểm tự chấm",
    "bonus": "Điểm thưởng",
    "inspected_school_id": "Trường được kiểm tra",
    "inspecting_school_ids": "Trường tham gia kiểm tra",
    "cross_inspection": "Kiểm tra chéo",
    "inspected_on": "Ngày kiểm tra",
    "findings": "Kết quả kiểm tra",
    "verified_scores": "Điểm thẩm định",
    "figures": "Phụ lục số liệu",
    "report_06": "Mẫu số 06 – Báo cáo tổng kết",
    "minutes_07": "Mẫu số 07 – Biên bản hội nghị",
    "ballots": "Kết quả bỏ phiếu",
    "score_table": "Bảng tổng hợp điểm",
    "proposals_08": "Mẫu số 08 – Đề nghị khen thưởng",
    "nomination": "Đề cử Cụm trưởng, Cụm phó năm sau",
}


def label_of(form: str, key: str) -> str:
    """Return how a payload's top-level field is named on the page."""
    for field in SIMPLE_FORMS.get(form, []):
        if field.path == (key,):
            return field.label
    return EXTRA_LABELS.get(key, key)
