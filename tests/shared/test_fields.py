"""The shared field rules: what a code, a name and a free text may be, in Python as in JSON Schema."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from shared.fields import CODE, LINE, TEXT, Pattern

CASES = [
    (CODE, "HOABINH", True),
    (CODE, "BO-TUPHAP", True),
    (CODE, "", False),
    (CODE, "   ", False),
    (CODE, "HOA BINH", False),
    (CODE, "HOABINH\n", False),
    (LINE, "Trường Chính trị tỉnh Hòa Bình", True),
    (LINE, " Tỉnh Phú Thọ ", True),
    (LINE, " \t ", False),
    (LINE, "Tên\x07", False),
    (LINE, "Tên\n", False),
    (TEXT, "Theo Nghị quyết số 202/2025/QH15\nvề sắp xếp đơn vị hành chính", True),
    (TEXT, "Lý do\r\ndòng hai", True),
    (TEXT, " \n ", False),
    (TEXT, "Lý do\x00", False),
]


@pytest.mark.parametrize(("rule", "value", "accepted"), CASES)
def test_a_rule_accepts_exactly_what_it_says(rule: Pattern, value: str, accepted: bool) -> None:
    if accepted:
        assert rule(value) == value
    else:
        with pytest.raises(ValidationError):
            rule(value)
