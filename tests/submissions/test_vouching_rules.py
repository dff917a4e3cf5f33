"""Who may vouch for a school's Form 09, as pure decisions over what the registry view knows."""

from __future__ import annotations

from typing import Any

import pytest

from services.submissions.domain.confirmations import NotKnownYet, Standing, confirm, void
from shared.errors import DomainError, NotFound, RuleBroken

YEN_BAI = {"school_id": "sch_yenbai", "code": "YENBAI", "name": "Trường Chính trị tỉnh Yên Bái"}
LAO_CAI = {"school_id": "sch_laocai", "code": "LAOCAI", "name": "Trường Chính trị tỉnh Lào Cai"}
DATA = {"year": 2024, "school_id": "sch_yenbai", "copy": 1, "confirmed_by": "YENBAI"}


def standing(**changes: Any) -> Standing:
    """Return the standing of Yên Bái's copy 1 in 2024, a member that year, nothing confirmed yet."""
    values: dict[str, Any] = {
        "school_chain": [YEN_BAI],
        "year_known": True,
        "takes_part": True,
        "confirmed_by": None,
    }
    return Standing(**{**values, **changes})


@pytest.mark.parametrize(
    ("system", "given", "refused"),
    [
        ("YENBAI", standing(), None),
        ("LAOCAI", standing(school_chain=[YEN_BAI, LAO_CAI]), None),  # the successor answers after a merger
        ("YENBAI", standing(school_chain=[YEN_BAI, LAO_CAI]), None),  # and the school's own still does
        ("HATINH", standing(), RuleBroken),  # another province's school
        ("LAOCAI", standing(), RuleBroken),  # a neighbour without a merger
        ("YENBAI", standing(takes_part=False), RuleBroken),  # a year the school takes no part in
        ("YENBAI", standing(school_chain=[]), NotKnownYet),  # a school the view does not know
        ("YENBAI", standing(year_known=False), NotKnownYet),  # a year the view does not know (1999)
    ],
)
def test_a_system_vouches_only_for_its_own_schools_in_their_years(
    system: str, given: Standing, refused: type[Exception] | None
) -> None:
    if refused is None:
        [event] = confirm(system, DATA, given)
        assert (event.type, event.data) == ("AchievementReportConfirmed", DATA)
    else:
        with pytest.raises(refused):
            confirm(system, DATA, given)


def test_a_standing_confirmation_is_not_recorded_again() -> None:
    assert confirm("YENBAI", DATA, standing(confirmed_by="YENBAI")) == []


@pytest.mark.parametrize(
    ("confirmed_by", "reason", "refused"),
    [("HATINH", "Xác nhận nhầm trường", None), (None, "Nhầm", NotFound), ("HATINH", " ", RuleBroken)],
)
def test_a_confirmation_is_voided_only_where_one_stands_and_with_a_reason(
    confirmed_by: str | None, reason: str, refused: type[DomainError] | None
) -> None:
    if refused is None:
        event = void(2024, "sch_yenbai", 1, reason, confirmed_by)
        assert event.data == {
            "year": 2024,
            "school_id": "sch_yenbai",
            "copy": 1,
            "confirmed_by": "HATINH",
            "reason": reason,
        }
    else:
        with pytest.raises(refused):
            void(2024, "sch_yenbai", 1, reason, confirmed_by)
