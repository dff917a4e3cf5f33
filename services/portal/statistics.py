"""The year's national statistics by cluster: filings on time, late and missing; schools eligible,
proposed and awarded; and the chart of them, drawn by the server as SVG (pygal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pygal
from lxml import etree  # pygal draws with lxml (python-docx needs it too)
from pygal.style import Style

from shared.web.gateway import Caller

CHART_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    font_family="Arial, 'Noto Sans', sans-serif",
    colors=("#2f6f3e", "#c98a0b", "#a61b1b"),
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
)


RESULTS_STYLE = Style(**{**CHART_STYLE.__dict__, "colors": ("#1f4e8c", "#c98a0b", "#2f6f3e")})


@dataclass
class ClusterFigures:
    """One cluster's figures for the year."""

    name: str
    schools: int = 0
    filings: dict[str, int] = field(default_factory=lambda: {"on_time": 0, "late": 0, "missing": 0})
    eligible: int = 0
    proposed: int = 0
    awarded: int = 0


def by_cluster(caller: Caller, year: int) -> list[ClusterFigures]:
    """Return each cluster's figures for the year, by cluster name, and the whole country last."""
    clusters = caller.get("registry", "/clusters", year=year, per_page=500)
    figures = {c["cluster_id"]: ClusterFigures(c["name"]) for c in clusters}
    board = caller.get("submissions", "/status-board", year=year)
    for row in board["schools"]:
        entry = figures.get(row["cluster_id"])
        if entry is None:
            continue
        entry.schools += 1
        entry.eligible += 1 if row["eligible"] else 0
        for cell in row["cells"].values():
            state = counted_state(cell)
            if state in entry.filings:
                entry.filings[state] += 1
    for proposal in caller.get("registry", f"/awards/{year}/proposals")["proposals"]:
        if proposal["status"] == "proposed" and proposal["cluster_id"] in figures:
            figures[proposal["cluster_id"]].proposed += 1
    for verdict in _verdicts(caller, year):
        if verdict["awarded"] and not verdict.get("revoked") and verdict["cluster_id"] in figures:
            figures[verdict["cluster_id"]].awarded += 1
    ordered = sorted(figures.values(), key=lambda f: f.name)
    return [*ordered, _country(ordered)] if ordered else []


def counted_state(cell: dict[str, Any]) -> str:
    """Return how a board cell counts, the same on every page: an amended filing as the on-time or late
    one it was filed as (its stamp), everything else as its state."""
    if cell["status"] == "amended":
        return "on_time" if cell.get("on_time") is not False else "late"
    return str(cell["status"])


def _verdicts(caller: Caller, year: int) -> list[dict[str, Any]]:
    """Return the verdicts of every decision issued for the year, the supplementary ones too."""
    return [v for d in caller.get("registry", f"/awards/{year}/decisions") for v in d["verdicts"]]


def _country(clusters: list[ClusterFigures]) -> ClusterFigures:
    total = ClusterFigures("Toàn quốc")
    for entry in clusters:
        total.schools += entry.schools
        total.eligible += entry.eligible
        total.proposed += entry.proposed
        total.awarded += entry.awarded
        for state, count in entry.filings.items():
            total.filings[state] += count
    return total


CHARTS = ("ho-so", "ket-qua")
"""The two charts of the statistics: the filings by state, and the schools by their result."""


def short_name(name: str) -> str:
    """Return a cluster's name without the words every cluster's name shares."""
    for common in ("Cụm thi đua các trường chính trị khu vực ", "Cụm thi đua các trường ", "Cụm thi đua "):
        if name.startswith(common):
            rest = name.removeprefix(common)
            return rest[:1].upper() + rest[1:]
    return name


def chart(figures: list[ClusterFigures], kind: str) -> bytes:
    """Return one chart of the clusters' figures (the country's row left out) as an SVG document.

    ``ho-so``: each cluster's filings on time, late and missing, stacked; ``ket-qua``: its schools
    eligible, proposed and awarded, side by side. Clusters read from the top in the table's order.
    """
    clusters = [f for f in figures if f.name != "Toàn quốc"][::-1]  # a horizontal chart draws bottom-up
    stacked = kind == "ho-so"
    shape = pygal.HorizontalStackedBar if stacked else pygal.HorizontalBar
    bars = shape(
        style=CHART_STYLE if stacked else RESULTS_STYLE,
        width=900,
        height=max(300, (50 if stacked else 90) * len(clusters) + 140),
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        truncate_legend=-1,
        truncate_label=-1,
        print_values=not stacked,
        print_zeroes=False,
        show_y_guides=False,
        js=[],
        title="Hồ sơ theo tình trạng, từng cụm" if stacked else "Số trường theo kết quả, từng cụm",
    )
    bars.x_labels = [short_name(f.name) for f in clusters]
    if stacked:
        bars.add("Đúng hạn", [f.filings["on_time"] for f in clusters])
        bars.add("Nộp muộn", [f.filings["late"] for f in clusters])
        bars.add("Chưa nộp", [f.filings["missing"] for f in clusters])
    else:
        bars.add("Đủ điều kiện", [f.eligible for f in clusters])
        bars.add("Được đề nghị", [f.proposed for f in clusters])
        bars.add("Được khen thưởng", [f.awarded for f in clusters])
    return _without_scripts(bars.render_tree())


def _without_scripts(root: Any) -> bytes:
    """Return an SVG tree as a document with its script elements removed (pygal always adds one)."""
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    written: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return written
