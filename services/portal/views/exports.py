"""The lists people take away as XLSX, each from what its page shows: the overview, a review queue, the
statistics and the accounts (text cells neutralised, header frozen, columns sized, dates as dates)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import Response

from services.forms import form_title
from services.portal.statistics import ClusterFigures
from services.vocabulary import FILING_STATES, REVIEW_NAMES
from shared.cells import Row, to_xlsx
from shared.documents import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(title: str, headers: Sequence[str], rows: Sequence[Row], name: str) -> Response:
    """Return a one-sheet workbook as a download under a name people read."""
    content = to_xlsx(title, headers, rows)
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": attachment(name)})


def overview(year: int, summary: dict[str, dict[str, Any]]) -> Response:
    """The national overview: each cluster's schools, filings by state, ineligible schools, its dossier."""
    counted = ("missing", "on_time", "late", "exempt")
    headers = [
        "Cụm thi đua",
        "Số trường",
        *(FILING_STATES[code] for code in counted),
        "Trong đó đã sửa",
        "Không đủ điều kiện",
        "Hồ sơ cụm",
    ]
    rows = [
        [
            entry["cluster"].get("name", cid),
            entry["schools"],
            *(entry["counts"].get(code, 0) for code in (*counted, "amended")),
            entry["ineligible"],
            _dossier(entry.get("dossier")),
        ]
        for cid, entry in summary.items()
    ]
    return xlsx(f"Toàn quốc {year}", headers, rows, f"Tình hình thi đua toàn quốc năm {year}.xlsx")


def _dossier(dossier: dict[str, Any] | None) -> str:
    if dossier is None:
        return "Chưa nộp"
    return "Đủ xác nhận Mẫu 09" if dossier["complete"] else "Chờ xác nhận Mẫu 09"


def queue(year: int, rows: Sequence[dict[str, Any]], clusters: dict[str, str], name: str) -> Response:
    """A review queue as filtered: filer, cluster, form, filed at, stamp, review state and reason."""
    headers = ["Đơn vị nộp", "Cụm thi đua", "Hồ sơ", "Nộp lúc", "Hạn", "Tình trạng", "Lý do trả lại"]
    table = [
        [
            r["filer_name"],
            clusters.get(r["cluster_id"], ""),
            form_title(r["form"]),
            datetime.fromisoformat(r["filed_at"]).replace(tzinfo=None),
            "" if r["on_time"] is None else ("Đúng hạn" if r["on_time"] else "Muộn"),
            REVIEW_NAMES.get(r["review_state"], ""),
            r.get("review_reason") or "",
        ]
        for r in rows
    ]
    return xlsx(f"Tiếp nhận {year}", headers, table, f"{name} năm {year}.xlsx")


def statistics(year: int, figures: Sequence[ClusterFigures]) -> Response:
    """The year's statistics by cluster, the country last."""
    headers = [
        "Cụm thi đua",
        "Số trường",
        "Hồ sơ đúng hạn",
        "Hồ sơ muộn",
        "Hồ sơ chưa nộp",
        "Đủ điều kiện",
        "Được đề nghị",
        "Được khen thưởng",
    ]
    rows = [
        [
            f.name,
            f.schools,
            f.filings["on_time"],
            f.filings["late"],
            f.filings["missing"],
            f.eligible,
            f.proposed,
            f.awarded,
        ]
        for f in figures
    ]
    return xlsx(f"Thống kê {year}", headers, rows, f"Thống kê phong trào thi đua năm {year}.xlsx")


def accounts(listed: Sequence[dict[str, Any]], roles: dict[str, str], units: dict[str, str]) -> Response:
    """The portal's accounts: address, name, role, unit and state (never a secret)."""
    headers = ["Thư điện tử", "Họ và tên", "Vai trò", "Đơn vị", "Trạng thái", "Xác thực hai bước"]
    rows = [
        [
            a["email"],
            a["full_name"],
            roles.get(a["role"], a["role"]),
            units.get(a["tenant"] or "", a["tenant"] or ""),
            "Đã khóa" if not a["active"] else "Đang dùng" if a["has_password"] else "Chờ đặt mật khẩu",
            "Có" if a["has_second_factor"] else "Không",
        ]
        for a in listed
    ]
    return xlsx("Tài khoản", headers, rows, "Tài khoản cổng thông tin thi đua.xlsx")
