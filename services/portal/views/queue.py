"""A reviewer's queue: the filings of the forms its role reviews, named by their filer, with filters by
form, cluster and state, a search by name, sorting, paging, and accepting several at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from services.forms import FORMS
from services.portal.views import exports
from services.portal.views.common import page, say, school_names, suite
from services.vocabulary import REVIEW_NAMES
from shared.web.gateway import SuiteError

PER_PAGE = 25
SORTS = {
    "cho-truoc": "Chờ tiếp nhận trước",
    "moi-nhat": "Nộp mới nhất trước",
    "ten": "Theo tên đơn vị",
}
STATE_ORDER = {"pending": 0, "returned": 1, "accepted": 2}


@dataclass(frozen=True)
class Queue:
    """Whose queue it is: the forms its role reviews, the year, and the cluster it is limited to."""

    reviewer: str
    year: int
    cluster_id: str | None = None

    @property
    def forms(self) -> list[str]:
        """Return the forms this reviewer reviews, as their declarations say."""
        return [code for code, form in FORMS.items() if form.reviewer == self.reviewer]


def rows(queue: Queue) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Return every filing in the queue, each with its filer's name, and the year's clusters by id."""
    clusters = {
        c["cluster_id"]: c["name"]
        for c in suite().get("registry", "/clusters", year=queue.year, per_page=500)
        if queue.cluster_id in (None, c["cluster_id"])
    }
    names = school_names()
    scope = {"cluster_id": queue.cluster_id} if queue.cluster_id else {}
    found = []
    for form in queue.forms:
        for item in suite().get("submissions", "/filings", year=queue.year, form=form, per_page=500, **scope):
            filer = (
                clusters.get(item["filer_id"])
                if item["filer_type"] == "cluster"
                else names.get(item["filer_id"])
            )
            found.append({**item, "filer_name": filer or "Đơn vị không còn trong danh bạ"})
    return found, clusters


def chosen(found: list[dict[str, Any]], args: Any) -> list[dict[str, Any]]:
    """Return the rows the filters keep, sorted as asked."""
    form, cluster, state = args.get("mau", ""), args.get("cum", ""), args.get("tinh-trang", "")
    words = args.get("tim", "").strip().casefold()
    kept = [
        r
        for r in found
        if (not form or r["form"] == form)
        and (not cluster or r["cluster_id"] == cluster)
        and (not state or r["review_state"] == state)
        and (not words or words in r["filer_name"].casefold())
    ]
    order = args.get("sap-xep", "cho-truoc")
    if order == "moi-nhat":
        return sorted(kept, key=lambda r: r["filed_at"], reverse=True)
    if order == "ten":
        return sorted(kept, key=lambda r: (r["filer_name"], r["form"]))
    return sorted(kept, key=lambda r: (STATE_ORDER.get(r["review_state"], 3), r["filed_at"]))


def queue_page(queue: Queue, title: str, filed_endpoint: str, pick_year: bool = True) -> Any:
    """Show the queue: filters, one page of rows, the counts, and the boxes to accept several at once."""
    found, clusters = rows(queue)
    kept = chosen(found, request.args)
    pages = max(1, -(-len(kept) // PER_PAGE))
    asked = request.args.get("trang", "1")
    number = min(max(int(asked) if asked.isdigit() else 1, 1), pages)
    query = request.args.to_dict()
    waiting = sum(1 for r in found if r["review_state"] == "pending")
    extra: dict[str, Any] = {} if pick_year else {"years": []}  # a cluster belongs to one year
    return page(
        "review_queue.html",
        title=title,
        year=queue.year,
        shown=kept[(number - 1) * PER_PAGE : number * PER_PAGE],
        total=len(kept),
        waiting=waiting,
        page_number=number,
        pages=pages,
        query=query,
        pager={n: {**query, "trang": str(n)} for n in (number - 1, number + 1)},
        forms=[(code, FORMS[code]) for code in queue.forms],
        clusters=clusters if queue.cluster_id is None else {},
        reviews=REVIEW_NAMES,
        sorts=SORTS,
        filed_endpoint=filed_endpoint,
        **extra,
    )


def queue_xlsx(queue: Queue, name: str) -> Response:
    """Download the queue's rows the filters keep (every page) as XLSX."""
    found, clusters = rows(queue)
    return exports.queue(queue.year, chosen(found, request.args), clusters, name)


def accept_chosen(back: str) -> Response:
    """Accept every filing ticked in the queue, one review each; say how many, and why any was refused."""
    ticked = request.form.getlist("chon")
    accepted, refused = 0, []
    for submission_id in ticked:
        try:
            suite().post(
                "submissions", f"/filings/{submission_id}/review", {"decision": "accept", "reason": ""}
            )
            accepted += 1
        except SuiteError as error:
            refused.append(say(error))
    if not ticked:
        flash("Chưa chọn hồ sơ nào để tiếp nhận.", "error")
    if accepted:
        flash(f"Đã tiếp nhận {accepted} hồ sơ.", "notice")
    for reason in sorted(set(refused)):
        flash(f"{refused.count(reason)} hồ sơ chưa tiếp nhận được: {reason}", "error")
    query: dict[str, Any] = request.args.to_dict()
    return redirect(url_for(back, **query))
