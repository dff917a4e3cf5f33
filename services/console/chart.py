"""The topics' activity drawn as a chart: plain SVG drawn on the server (no script, no external network)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

COLOURS = ("#a31d24", "#1f5fa8", "#2e7d32", "#8e44ad", "#d35400", "#546e7a")
WIDTH, HEIGHT, MARGIN = 720, 220, 36


def chart(series: dict[str, list[int]], title: str) -> str:
    """Return an SVG line chart of events per minute, one coloured line per topic, with a legend."""
    minutes = max((len(v) for v in series.values()), default=60)
    top = max((max(v) for v in series.values() if v), default=0) or 1
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT + 20 * len(series)}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        _axis(MARGIN, MARGIN + plot_h, MARGIN + plot_w, MARGIN + plot_h),
        _axis(MARGIN, MARGIN, MARGIN, MARGIN + plot_h),
        f'<text x="{MARGIN - 4}" y="{MARGIN + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{MARGIN - 4}" y="{MARGIN + plot_h}" text-anchor="end" font-size="11">0</text>',
        f'<text x="{MARGIN}" y="{MARGIN + plot_h + 14}" font-size="11">{minutes} phút trước</text>',
        f'<text x="{MARGIN + plot_w}" y="{MARGIN + plot_h + 14}" text-anchor="end" font-size="11">'
        "mới nhất</text>",
    ]
    for n, (topic, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        parts.append(_line(values, colour, plot_w, plot_h, top, max(minutes - 1, 1), topic))
        y = HEIGHT + 20 * n
        parts.append(f'<rect x="{MARGIN}" y="{y - 9}" width="12" height="4" fill="{colour}"/>')
        parts.append(
            f'<text x="{MARGIN + 18}" y="{y - 4}" font-size="12">{escape(topic)} ({sum(values)})</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _line(
    values: Sequence[int], colour: str, width: int, height: int, top: int, span: int, topic: str
) -> str:
    points = " ".join(
        f"{MARGIN + width * i / span:.1f},{MARGIN + height - height * v / top:.1f}"
        for i, v in enumerate(values)
    )
    label = escape(topic)
    return (
        f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}" data-topic="{label}"/>'
    )


def _axis(x1: int, y1: int, x2: int, y2: int) -> str:
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#888"/>'
