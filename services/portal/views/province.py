"""The provincial viewer's read-only pages: the schools of its province and their Form 09 confirmations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.portal.views import outcomes
from services.portal.views.common import all_schools, for_roles, page, person, suite, year
from services.vocabulary import AWARD_NAMES
from shared.auth import PROVINCIAL_VIEWER
from shared.web.gateway import SuiteError

province = Blueprint("province", __name__, url_prefix="/tinh")


@province.route("/")
@for_roles(PROVINCIAL_VIEWER)
def schools() -> Any:
    """The schools bearing the province's code: each filing's state, eligibility, score and Form 09."""
    the_year = year()
    board = suite().get("submissions", "/status-board", year=the_year)
    cards = {}
    for row in board["schools"]:
        try:
            cards[row["school_id"]] = suite().get("scoring", f"/score-cards/{the_year}/{row['school_id']}")
        except SuiteError as error:
            if error.status != 404:
                raise
    deadlines = [d for d in board["deadlines"] if d["filer"] == "school"]
    code = person().tenant
    named = next((s for s in all_schools() if s["code"] == code), None)
    where = where_of(named) if named else "đơn vị"
    awarded = outcomes.register_of()
    return page(
        "province.html",
        year=the_year,
        board=board,
        deadlines=deadlines,
        cards=cards,
        where=where,
        awarded=awarded,
        awards=AWARD_NAMES,
    )


CITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ", "Huế"}
"""The centrally-run cities: their party committee is a city's (thành ủy), not a province's."""


def where_of(school: dict[str, Any]) -> str:
    """Name the province, city or ministry a viewer's schools belong to, as people write it."""
    if school["kind"] != "provincial":
        return str(school["province"])
    return f"{'thành phố' if school['province'] in CITIES else 'tỉnh'} {school['province']}"
