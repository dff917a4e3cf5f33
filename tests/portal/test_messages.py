"""Every error code the services can answer has a Vietnamese message on the portal's pages."""

from __future__ import annotations

import ast
from pathlib import Path

from services.portal.messages import ERRORS
from shared import errors

ROOT = Path(__file__).resolve().parents[2]
REFUSALS = {kind.__name__: kind.code for kind in errors.STATUS} | {"DomainError": errors.DomainError.code}
FRAMEWORK = {
    "bad_request",
    "not_found",
    "method_not_allowed",
    "request_entity_too_large",
    "unsupported_media_type",
}
"""What Flask answers on its own (the shared handler names a code after the HTTP status)."""
VIETNAMESE = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def _codes_in(path: Path) -> set[str]:
    """Return the error codes a source file can answer: refusals, ApiError and error bodies it builds."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        name, args = node.func.id, node.args
        given = {kw.arg: kw.value for kw in node.keywords}
        if name in REFUSALS:
            code = given.get("code", args[2] if len(args) > 2 else None)
            found.add(code.value if isinstance(code, ast.Constant) else REFUSALS[name])
        elif name == "ApiError" and len(args) > 1 and isinstance(args[1], ast.Constant):
            found.add(args[1].value)
        elif name in ("error_body", "SuiteError") and args:
            first = args[0] if name == "error_body" else (args[1] if len(args) > 1 else None)
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return found


def test_every_error_code_of_the_services_has_a_vietnamese_message() -> None:
    sources = [
        p
        for p in (*ROOT.glob("services/**/*.py"), *ROOT.glob("shared/**/*.py"))
        if "migrations" not in p.parts
    ]
    codes = set().union(*(_codes_in(p) for p in sources)) | FRAMEWORK
    assert len(codes) > 60  # the collector sees the codes (it must not pass by finding none)
    assert sorted(codes - set(ERRORS)) == []
    english = [code for code, message in ERRORS.items() if not VIETNAMESE & set(message.lower())]
    assert english == []


def test_a_refusal_says_where_the_rule_it_applies_comes_from() -> None:
    from services.portal.views.common import say
    from shared.web.gateway import SuiteError

    source = {"document": "Công văn số 3552-CV/HVCTQG ngày 20/02/2023", "article": "mục II.5.2"}
    details = {"school_ids": ["sch_a"], "rule": "award_rules.incomplete_dossier", "source": source}
    said = say(SuiteError(422, "dossier_incomplete", "", details))
    assert said.startswith(ERRORS["dossier_incomplete"])
    assert said.endswith(" Căn cứ: Công văn số 3552-CV/HVCTQG ngày 20/02/2023, mục II.5.2.")
    dated = say(
        SuiteError(422, "over_quota", "", {"over": [], "source": {**source, "applies_from": "2025-07-01"}})
    )
    assert "áp dụng từ ngày 01/07/2025" in dated
    assert (
        say(SuiteError(422, "dossier_incomplete", "", {"source": "not a source"}))
        == ERRORS["dossier_incomplete"]
    )
