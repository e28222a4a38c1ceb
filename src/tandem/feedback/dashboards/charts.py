"""What every dashboard panel is: a server-rendered SVG chart with its numbers in a table.

Aggregates shown outside a case manager's own caseload suppress cells of fewer than
``SMALL_CELL`` clients (DESIGN.md, Access): the count and every figure derived from it are
replaced by ``SUPPRESSED`` in tables and left out of charts.
"""

from __future__ import annotations

import io
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import matplotlib
import matplotlib.dates
import numpy as np
from django.utils.formats import date_format, number_format

from tandem.core.svg import without_inline_styles

matplotlib.use("Agg")

from matplotlib.figure import Figure  # the backend is chosen before pyplot loads

SMALL_CELL = 5
SUPPRESSED = "<5"

Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Panel:
    """One chart and the table that carries the same numbers for screen readers and print."""

    title: str
    svg: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    caption: str = ""


def is_small(n: int) -> bool:
    """True when a cell counts too few clients to be shown outside one's own caseload."""
    return 0 < n < SMALL_CELL


def shown(value: Cell, n: int) -> Cell:
    """``value`` unless it rests on fewer than ``SMALL_CELL`` clients."""
    return SUPPRESSED if is_small(n) else value


def day_text(day: date) -> str:
    """A day as a table cell, in the reader's short date format."""
    return date_format(day, "SHORT_DATE_FORMAT")


def number_text(value: float | None, places: int = 1) -> Cell:
    """A figure as a table cell to ``places`` decimals, in the reader's number format."""
    return None if value is None else number_format(round(value, places), places)


def new_figure(width: float = 6.0, height: float = 2.8) -> Figure:
    """A figure sized for a dashboard panel (and for the A4 PDF reports)."""
    return Figure(figsize=(width, height), dpi=72)


def to_svg(figure: Figure) -> str:
    """The figure as inline SVG (no XML prologue, so it can sit inside the page), its styles
    as attributes so that the page's Content-Security-Policy lets them apply."""
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return without_inline_styles(svg[svg.index("<svg") :])


# ---- drawing: the few chart shapes the dashboards use ------------------------------------------
Number = int | float | None


def as_number(value: Cell) -> float | None:
    """A table cell as a number to draw, or None for a suppressed or empty cell."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def day_numbers(days: Sequence[date]) -> list[float]:
    """Days as matplotlib's date numbers, for the x axis."""
    return list(matplotlib.dates.date2num(list(days)))  # type: ignore[no-untyped-call]  # matplotlib.dates is unannotated


def _drawable(values: Sequence[Cell]) -> list[float]:
    # A suppressed or missing value is a gap in the chart, never a zero.
    return [math.nan if (n := as_number(v)) is None else n for v in values]


def bar_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[Cell]],
    *,
    title: str = "",
    ylabel: str = "",
    stacked: bool = False,
    horizontal: bool = False,
) -> str:
    """Grouped (or stacked) bars, one group per label; suppressed cells are left out."""
    figure = new_figure(height=max(2.8, 0.35 * len(labels)) if horizontal else 2.8)
    axes = figure.subplots()
    positions = np.arange(len(labels), dtype=float)
    names = list(series)
    width = 0.8 if stacked or not names else 0.8 / len(names)
    base = np.zeros(len(labels))
    for index, name in enumerate(names):
        values = np.array(_drawable(series[name]), dtype=float)
        offset = positions if stacked else positions - 0.4 + width * (index + 0.5)
        draw = axes.barh if horizontal else axes.bar
        if stacked:
            kept = np.nan_to_num(values)
            if horizontal:
                axes.barh(offset, kept, height=width, left=base, label=name)
            else:
                axes.bar(offset, kept, width=width, bottom=base, label=name)
            base = base + kept
        else:
            draw(offset, values, width, label=name)
    if horizontal:
        axes.set_yticks(positions, list(labels), fontsize=8)
        axes.invert_yaxis()
        axes.set_xlabel(ylabel, fontsize=8)
    else:
        axes.set_xticks(positions, list(labels), fontsize=8, rotation=45 if len(labels) > 6 else 0)
        axes.set_ylabel(ylabel, fontsize=8)
    if title:
        axes.set_title(title, fontsize=10)
    axes.grid(visible=True, axis="x" if horizontal else "y", alpha=0.3)
    if len(names) > 1:
        axes.legend(fontsize=7, loc="best")
    return to_svg(figure)


def line_chart(
    series: Mapping[str, Sequence[tuple[date, Number]]],
    *,
    title: str = "",
    ylabel: str = "",
) -> str:
    """One line per series over dates (points without a value are skipped)."""
    figure = new_figure()
    axes = figure.subplots()
    for name, points in series.items():
        kept = [(when, value) for when, value in points if value is not None]
        if kept:
            axes.plot(
                day_numbers([w for w, _v in kept]), [v for _w, v in kept], marker="o", label=name
            )
    axes.xaxis_date()
    if title:
        axes.set_title(title, fontsize=10)
    axes.set_ylabel(ylabel, fontsize=8)
    axes.grid(visible=True, alpha=0.3)
    if len(series) > 1:
        axes.legend(fontsize=7, loc="best")
    figure.autofmt_xdate()
    return to_svg(figure)


# ---- periods and summaries ----------------------------------------------------------------------
def month_starts(start: date, end: date) -> list[date]:
    """The first day of every calendar month from ``start``'s to ``end``'s, inclusive."""
    found = []
    month = start.replace(day=1)
    while month <= end:
        found.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def month_start_before(day: date, months: int) -> date:
    """The first day of the month ``months`` calendar months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def week_starts(start: date, end: date) -> list[date]:
    """The Monday of every ISO week from ``start``'s to ``end``'s, inclusive."""
    monday = start - timedelta(days=start.weekday())
    found = []
    while monday <= end:
        found.append(monday)
        monday += timedelta(days=7)
    return found


def median_of(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return float(statistics.median(values)) if values else None


def mean_of(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None for no values."""
    return float(statistics.fmean(values)) if values else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    """A figure rounded for a table (None stays None)."""
    return None if value is None else round(value, digits)
