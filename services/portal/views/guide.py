"""Hướng dẫn sử dụng: each role's work of the year, built from the letter's steps and the year's
campaign (what is due when, on which form, who files it and who receives it), and the letter itself."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from flask import Blueprint
from markdown_it import MarkdownIt
from markupsafe import Markup

from services.forms import ACADEMY, CLUSTER_HEAD, FORMS, SCHOOL, form_title
from services.portal.accounts import PORTAL_ROLES
from services.portal.views.common import for_roles, page, person, suite, year
from shared.auth import ACADEMY_ADMIN, PROVINCIAL_VIEWER, SCHOOL_OFFICER
from shared.auth import CLUSTER_HEAD as CLUSTER_HEAD_ROLE
from shared.web.gateway import SuiteError

guide = Blueprint("guide", __name__, url_prefix="/huong-dan")
LETTER = Path(__file__).resolve().parent.parent / "letters" / "cong-van-3552-CV-HVCTQG-2023.md"
WHO = {SCHOOL: "Các trường", CLUSTER_HEAD: "Cụm trưởng", ACADEMY: "Học viện (Vụ Các trường chính trị)"}
MINE = {SCHOOL_OFFICER: SCHOOL, CLUSTER_HEAD_ROLE: CLUSTER_HEAD, ACADEMY_ADMIN: ACADEMY}
"""Which part of the forms' declarations a role plays: the school files, the cluster head and the
Academy file and receive."""
EVERYONE = (SCHOOL_OFFICER, CLUSTER_HEAD_ROLE, ACADEMY_ADMIN, PROVINCIAL_VIEWER)


@guide.route("/")
@for_roles(*EVERYONE)
def overview() -> Any:
    """The signed-in person's guide: the year's steps with their forms, who files, who receives, when."""
    the_year = year()
    try:
        deadlines = suite().get("registry", f"/campaigns/{the_year}")["content"]["deadlines"]
    except SuiteError:
        deadlines = []
    part = MINE.get(person().role)
    steps = [
        {
            "title": d["title"],
            "due": d["due"],
            "forms": [form_title(code) for code in d["forms"]],
            "filer": WHO.get(d["filer"], d["filer"]),
            "receiver": WHO[FORMS[d["forms"][0]].reviewer] if d["forms"][0] in FORMS else "",
            "mine": part is not None and (d["filer"] == part or _receives(part, d["forms"])),
        }
        for d in sorted(deadlines, key=lambda d: d["due"])
    ]
    role = person().role
    return page("guide.html", year=the_year, steps=steps, role=role, role_name=PORTAL_ROLES[role])


def _receives(part: str, forms: list[str]) -> bool:
    return any(code in FORMS and FORMS[code].reviewer == part for code in forms)


@guide.route("/cong-van-3552")
@for_roles(*EVERYONE)
def letter() -> Any:
    """The letter the year's work follows (Công văn số 3552-CV/HVCTQG), as it was sent."""
    return page("letter.html", title="Công văn số 3552-CV/HVCTQG", text=_letter_html())


@functools.cache
def _letter_html() -> Markup:
    """Return the letter's text as HTML (its emphasis kept; nothing in it is taken as markup of ours)."""
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False})
    return Markup(parser.render(LETTER.read_text(encoding="utf-8")))  # html off: the letter's text is escaped
