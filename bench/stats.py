"""Figures that can be trusted on a noisy machine: runs alternate baseline and subject, and every figure
is the median of its runs with their spread (lowest to highest), ratios taken pair by pair."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    """One measured quantity over repeated runs."""

    name: str
    values: tuple[float, ...]
    unit: str

    @property
    def median(self) -> float:
        """Return the median of the runs."""
        return statistics.median(self.values)

    @property
    def spread(self) -> tuple[float, float]:
        """Return the lowest and highest run."""
        return min(self.values), max(self.values)

    def text(self) -> str:
        """Return 'median (low-high) unit' with as many digits as the size calls for."""
        low, high = self.spread
        return f"{_number(self.median)} ({_number(low)}–{_number(high)}) {self.unit}"


@dataclass(frozen=True)
class Comparison:
    """A subject beside its baseline, measured in alternating runs, with the ratio of each pair."""

    subject: Figure
    baseline: Figure
    goal: float | None = None
    higher_is_better: bool = True

    @property
    def ratios(self) -> tuple[float, ...]:
        """Return subject / baseline for each pair of runs."""
        return tuple(s / b for s, b in zip(self.subject.values, self.baseline.values, strict=True) if b)

    @property
    def ratio(self) -> float:
        """Return the median of the pairwise ratios."""
        return statistics.median(self.ratios)

    @property
    def met(self) -> bool | None:
        """Return whether the median ratio reaches the goal (None when there is none)."""
        if self.goal is None:
            return None
        return self.ratio >= self.goal if self.higher_is_better else self.ratio <= self.goal

    def row(self) -> list[str]:
        """Return the row this comparison prints in the bench table."""
        low, high = min(self.ratios), max(self.ratios)
        goal = "" if self.goal is None else f"{'≥' if self.higher_is_better else '≤'} {self.goal:.0%}"
        met = {True: "met", False: "MISSED", None: ""}[self.met]
        return [
            self.subject.name,
            self.subject.text(),
            self.baseline.name,
            self.baseline.text(),
            f"{self.ratio:.0%} ({low:.0%}–{high:.0%})",
            goal,
            met,
        ]


HEADER = ["measured", "median (spread)", "beside", "median (spread)", "ratio (spread)", "goal", ""]
"""The columns of every comparison table."""


def alternate(
    runs: int, baseline: Callable[[int], T], subject: Callable[[int], T]
) -> tuple[list[T], list[T]]:
    """Run baseline and subject in turn ``runs`` times each (b, s, b, s, ...); return both lists."""
    base: list[T] = []
    subj: list[T] = []
    for run in range(runs):
        base.append(baseline(run))
        subj.append(subject(run))
    return base, subj


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Return rows as an aligned plain-text table."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)) for c in [header]]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
