"""The statistics charts are pictures: SVG without a script, whatever pygal adds."""

from __future__ import annotations

import pytest
from lxml import etree

from services.portal.statistics import ClusterFigures, chart

FIGURES = [
    ClusterFigures("Cụm Trung du miền núi phía Bắc", 3, {"on_time": 1, "late": 1, "missing": 1}, 3, 2, 1),
    ClusterFigures("Toàn quốc", 3, {"on_time": 1, "late": 1, "missing": 1}, 3, 2, 1),
]


@pytest.mark.parametrize("kind", ["ho-so", "ket-qua"])
def test_a_chart_carries_no_script_and_still_draws_its_bars(kind: str) -> None:
    svg = chart(FIGURES, kind)
    root = etree.fromstring(svg)
    assert not [e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("script")]
    assert b"<script" not in svg and b"javascript" not in svg.lower()
    assert "Cụm Trung du".encode() in svg and b"<rect" in svg
