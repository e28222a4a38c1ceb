"""What every dashboard panel is: a server-rendered SVG chart with its numbers in a table.

Small cells are suppressed and table cells formatted by ``core.display`` (``SUPPRESSED`` cells
are left out of charts). Figures are made and drawn by ``core.figures`` (``new_figure``,
``to_svg``), which draws every label as plain text. A chart with nothing to draw (no values, or
every value suppressed) is an empty string, and the page shows the panel's ``empty_text``
instead of axes with no meaning. Legends sit outside the plot area (``legend_outside``).

Drawing is the costly part of a dashboard (tens of milliseconds a chart, the queries a few):
``cached_chart`` (``core.chart_cache``) keeps each drawn SVG in the cache under a digest of
exactly what it draws, so a chart is drawn again only when its numbers or the language change.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import matplotlib.dates
import numpy as np
from django.utils.translation import gettext as _

from tandem.core.chart_cache import PENDING_PREFIX, cached_chart, deferred_charts
from tandem.core.display import Cell
from tandem.core.figures import legend_outside, new_figure, to_svg

__all__ = ["Panel", "bar_chart", "cached_chart", "deferred_charts", "line_chart"]


@dataclass(frozen=True, slots=True)
class Panel:
    """One chart and the table that carries the same numbers for screen readers and print."""

    title: str
    svg: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    caption: str = ""
    # Said in place of the chart when there is nothing to draw: why, and what to do about it.
    empty_text: str = ""
    # False for a panel that is a table only (no chart, so no sentence about a missing one).
    has_chart: bool = True
    # Where each row's first cell leads (what the row is about), "" for no link; by row index.
    row_links: tuple[str, ...] = ()

    @property
    def linked_rows(self) -> list[tuple[str, tuple[Cell, ...]]]:
        """(link or "", row) for each row, for the template."""
        links = list(self.row_links) + [""] * (len(self.rows) - len(self.row_links))
        return list(zip(links, self.rows, strict=False))

    @property
    def is_pending(self) -> bool:
        """True when the chart is drawn by a request of its own (``DeferredCharts``)."""
        return self.svg.startswith(PENDING_PREFIX)

    @property
    def chart_note(self) -> str:
        """The sentence shown instead of an empty chart."""
        if self.svg or not self.has_chart:
            return ""
        return self.empty_text or _(
            "No chart: there is nothing to draw for this period, or every value rests on fewer "
            "than 5 clients. Choose a longer period, or come back once more is recorded."
        )


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


@cached_chart
def bar_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[Cell]],
    *,
    title: str = "",
    ylabel: str = "",
    stacked: bool = False,
    horizontal: bool = False,
) -> str:
    """Grouped (or stacked) bars, one group per label; suppressed cells are left out.

    Empty (``""``) when no bar has a value other than zero: an all-zero or all-suppressed chart
    would only draw axes.
    """
    if not any(
        (n := as_number(value)) is not None and n != 0
        for values in series.values()
        for value in values
    ):
        return ""
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
        legend_outside(axes)
    return to_svg(figure)


@cached_chart
def line_chart(
    series: Mapping[str, Sequence[tuple[date, Number]]],
    *,
    title: str = "",
    ylabel: str = "",
) -> str:
    """One line per series over dates (points without a value are skipped); empty if none."""
    if not any(value is not None for points in series.values() for _when, value in points):
        return ""
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
        legend_outside(axes)
    figure.autofmt_xdate()
    return to_svg(figure)


# ---- summaries ----------------------------------------------------------------------------------
def median_of(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return float(statistics.median(values)) if values else None


def mean_of(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None for no values."""
    return float(statistics.fmean(values)) if values else None
