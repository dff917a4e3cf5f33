"""The documents attached to filings, downloaded by those who may read the filing, under their names."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from services.portal.views.common import for_roles, page, say, suite
from shared.auth import ACADEMY_ADMIN, CLUSTER_HEAD, PROVINCIAL_VIEWER, SCHOOL_OFFICER
from shared.documents import attachment, served_name
from shared.web.gateway import SuiteError

documents = Blueprint("documents", __name__, url_prefix="/tai-lieu")


@documents.route("/<sha256>")
@for_roles(SCHOOL_OFFICER, CLUSTER_HEAD, ACADEMY_ADMIN, PROVINCIAL_VIEWER)
def download(sha256: str) -> Any:
    """Send an attached document under its uploaded name's stem and its detected type's extension.

    The submissions service decides who reads it; the name a filer gave never picks the extension.
    """
    try:
        content, kind = suite().get_bytes("submissions", f"/documents/{sha256}")
    except SuiteError as error:
        return page(
            "message.html", error.status if error.status < 500 else 503, title="Tài liệu", text=say(error)
        )
    name = served_name(request.args.get("ten", ""), kind, "tai-lieu")
    answer = Response(content, mimetype=kind)
    answer.headers["Content-Disposition"] = attachment(name)  # a Vietnamese name in filename*
    return answer
