"""The activity chart: one line per topic, its total in the legend, drawn without script."""

from __future__ import annotations

from services.console.chart import chart


def test_each_topic_is_a_line_with_its_total_in_the_legend() -> None:
    svg = chart({"thidua.registry.events": [0, 2, 1], "thidua.scoring.events": [0, 0, 4]}, "Hoạt động <1h>")
    assert svg.startswith("<svg") and svg.count("<polyline") == 2
    assert 'data-topic="thidua.registry.events"' in svg and "thidua.registry.events (3)" in svg
    assert "thidua.scoring.events (4)" in svg and "<script" not in svg
    assert "Hoạt động &lt;1h&gt;" in svg  # the title is escaped


def test_no_events_draws_empty_axes() -> None:
    svg = chart({}, "t")
    assert "<polyline" not in svg and "60 phút trước" in svg
