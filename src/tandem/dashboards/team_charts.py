"""The team dashboard's charts: matplotlib figures drawn to inline SVG (``core.figures.to_svg``).

Each function draws numbers the caller has already computed and suppressed; the tables beside
the charts carry the same numbers. An empty input gives an empty string, and the page then says
that there is nothing to draw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _

from tandem.core.figures import legend_outside, new_figure, to_svg
from tandem.dashboards.charts import cached_chart, day_numbers

HIGH_COLOUR = "#1b7837"
LOW_COLOUR = "#b2182b"
LINE_COLOUR = "#2c5d8f"


@cached_chart
def fidelity_chart(
    *,
    reviews: Sequence[tuple[date, float, bool | None]],
    line: Sequence[tuple[date, float]],
    threshold: float | None,
    start: date,
    end: date,
) -> str:
    """Review totals as points and their daily interpolation as a line; empty without reviews."""
    if not reviews and not line:
        return ""
    figure = new_figure(6.6, 3.0)
    axes = figure.subplots()
    if line:
        axes.plot(
            day_numbers([d for d, _v in line]),
            [v for _d, v in line],
            color=LINE_COLOUR,
            linewidth=1.5,
            label=_("Interpolated total"),
        )
    for is_high, colour, marker, label in (
        (True, HIGH_COLOUR, "o", _("Review: high fidelity")),
        (False, LOW_COLOUR, "s", _("Review: below high fidelity")),
        (None, LINE_COLOUR, "D", _("Review")),
    ):
        points = [(d, v) for d, v, high in reviews if high is is_high]
        if points:
            axes.plot(
                day_numbers([d for d, _v in points]),
                [v for _d, v in points],
                linestyle="none",
                marker=marker,
                color=colour,
                label=label,
            )
    if threshold is not None:
        axes.axhline(threshold, color="#555555", linestyle="--", linewidth=1)
        axes.annotate(
            _("High fidelity"),
            xy=(0.01, threshold),
            xycoords=("axes fraction", "data"),
            fontsize=7,
            va="bottom",
        )
    axes.set_ylabel(_("Total"), fontsize=8)
    legend_outside(axes)
    axes.set_xlim(*day_numbers([start, end]))
    axes.xaxis_date()
    axes.tick_params(labelsize=7)
    axes.grid(visible=True, alpha=0.3)
    figure.autofmt_xdate()
    return to_svg(figure)


@cached_chart
def domain_small_multiples(
    domains: Sequence[tuple[str, Sequence[tuple[date, float]]]], *, start: date, end: date
) -> str:
    """One small chart per domain: its mean (1-5) at each review, joined by lines."""
    drawn = [(name, points) for name, points in domains if points]
    if not drawn:
        return ""
    columns = 3
    rows = math.ceil(len(drawn) / columns)
    figure = new_figure(6.6, 1.5 * rows + 0.3)
    grid = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    limits = day_numbers([start, end])
    for index, axes in enumerate(grid.flat):
        if index >= len(drawn):
            axes.set_visible(False)
            continue
        name, points = drawn[index]
        axes.plot(
            day_numbers([d for d, _v in points]),
            [v for _d, v in points],
            marker="o",
            markersize=3,
            color=LINE_COLOUR,
        )
        axes.set_title(name[:40], fontsize=7)
        axes.set_ylim(0.8, 5.2)
        axes.set_xlim(*limits)
        axes.xaxis_date()
        axes.tick_params(labelsize=6)
        axes.grid(visible=True, alpha=0.3)
    figure.autofmt_xdate()
    return to_svg(figure)


@cached_chart
def indicator_bars(bars: Sequence[tuple[str, float, bool]]) -> str:
    """Each indicator's latest value in per cent (share, or share of target); drift in red."""
    if not bars:
        return ""
    figure = new_figure(6.6, 0.35 * len(bars) + 0.9)
    axes = figure.subplots()
    positions = list(range(len(bars)))
    axes.barh(
        positions,
        [value * 100 for _label, value, _drift in bars],
        color=[LOW_COLOUR if drift else LINE_COLOUR for _label, _value, drift in bars],
    )
    axes.set_yticks(positions, [label[:48] for label, _value, _drift in bars], fontsize=6)
    axes.invert_yaxis()
    axes.axvline(100, color="#555555", linestyle="--", linewidth=1)
    axes.set_xlim(0, 110)
    axes.set_xlabel(_("Per cent (of target where there is one)"), fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    axes.grid(visible=True, axis="x", alpha=0.3)
    return to_svg(figure)


@cached_chart
def quarterly_means(title: str, points: Sequence[tuple[str, float | None]]) -> str:
    """Mean score per quarter; suppressed or empty quarters are left as gaps."""
    if not any(value is not None for _label, value in points):
        return ""
    figure = new_figure(6.0, 2.6)
    axes = figure.subplots()
    positions = list(range(len(points)))
    values = [math.nan if value is None else value for _label, value in points]
    axes.plot(positions, values, marker="o", color=LINE_COLOUR)
    axes.set_xticks(positions, [label for label, _value in points], fontsize=6, rotation=45)
    axes.set_title(title, fontsize=9)
    axes.tick_params(axis="y", labelsize=7)
    axes.grid(visible=True, alpha=0.3)
    return to_svg(figure)
