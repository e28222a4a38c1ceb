"""A client's scores over time: one server-rendered SVG chart and table per instrument.

The reliable-change classification (Jacobson & Truax 1991, ``tandem.stats.reliable_change``)
compares the first and the latest
score of an instrument's headline scale, using the scale's standard deviation and reliability
from the literature where the facts file gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import matplotlib.dates

from tandem.core.chart_cache import cached_chart
from tandem.core.figures import legend_outside, new_figure, to_svg
from tandem.measures.labels import localised
from tandem.measures.models import Response
from tandem.measures.registry import UnknownInstrumentError, get_instrument
from tandem.stats import reliable_change


@dataclass(frozen=True, slots=True)
class ChangeNorm:
    """Standard deviation and reliability of a scale in a reference sample."""

    score: str
    sd: float
    reliability: float
    source: str


# Only scales whose reference values are documented in the facts file.
CHANGE_NORMS: dict[str, ChangeNorm] = {
    "rprs": ChangeNorm(
        "total", sd=8.1, reliability=0.96, source="seed 004 (M 91.0, SD 8.1, alpha .96)"
    ),
}


@dataclass(frozen=True, slots=True)
class ChangeClassification:
    """First-to-latest change of an instrument's headline score."""

    rci: float
    category: str  # "improved", "no change" or "deteriorated" (tandem.stats.reliable_change)
    threshold: float


def classify_change(before: float, after: float, norm: ChangeNorm) -> ChangeClassification:
    """Jacobson-Truax classification of one pair of scores (``tandem.stats.reliable_change``)."""
    result = reliable_change(before, after, norm.sd, norm.reliability)
    return ChangeClassification(
        rci=float(result.rci[0]), category=str(result.category[0]), threshold=result.threshold
    )


@dataclass(frozen=True, slots=True)
class HistoryRow:
    completed_at: datetime
    scores: dict[str, float | None]
    administration_id: int | None = None  # where staff read the answers back, when scheduled


@dataclass(frozen=True, slots=True)
class InstrumentHistory:
    code: str
    title: str
    score_names: tuple[str, ...]
    score_labels: tuple[str, ...]
    rows: list[HistoryRow]
    svg: str
    change: ChangeClassification | None
    change_score: str


def _headline(names: tuple[str, ...], norm: ChangeNorm | None) -> str:
    """The one score drawn: scales differ in range, so the chart shows one and the table all."""
    if norm is not None:
        return norm.score
    return "total" if "total" in names else names[0]


def headline_score(code: str) -> str | None:
    """The score an instrument is followed by: its reference norm's, else ``total``, else the
    first; None for an instrument Tandem does not know."""
    try:
        instrument = get_instrument(code)
    except UnknownInstrumentError:
        return None
    return _headline(instrument.score_names, CHANGE_NORMS.get(code))


@cached_chart
def _chart(title: str, names: tuple[str, ...], rows: list[HistoryRow]) -> str:
    figure = new_figure(5.5, 2.6)
    axes = figure.subplots()
    for name in names:
        points = [(row.completed_at, row.scores.get(name)) for row in rows]
        kept = [(when, value) for when, value in points if value is not None]
        if kept:
            when = matplotlib.dates.date2num([w for w, _v in kept])  # type: ignore[no-untyped-call]  # matplotlib.dates is unannotated
            axes.plot(when, [v for _w, v in kept], marker="o", label=name)
    axes.xaxis_date()
    axes.set_title(f"{title}: {names[0]}" if len(names) == 1 else title, fontsize=10)
    axes.grid(visible=True, alpha=0.3)
    if len(names) > 1:
        legend_outside(axes)
    figure.autofmt_xdate()
    return to_svg(figure)


def histories(responses: list[Response]) -> list[InstrumentHistory]:
    """Group completed responses by instrument, oldest first, each with its chart and change."""
    by_code: dict[str, list[Response]] = {}
    for response in responses:
        if response.completed_at is not None:
            by_code.setdefault(response.instrument_code, []).append(response)
    found = []
    for code, rows in sorted(by_code.items()):
        try:
            instrument = get_instrument(code)
        except UnknownInstrumentError:
            continue
        history_rows = [
            HistoryRow(r.completed_at, r.scores, r.administration_id)
            for r in rows
            if r.completed_at is not None
        ]
        names = instrument.score_names
        norm = CHANGE_NORMS.get(code)
        change = None
        if norm is not None:
            values = [
                row.scores.get(norm.score)
                for row in history_rows
                if row.scores.get(norm.score) is not None
            ]
            if len(values) >= 2 and values[0] is not None and values[-1] is not None:
                change = classify_change(values[0], values[-1], norm)
        found.append(
            InstrumentHistory(
                code=code,
                title=localised(instrument.title),
                score_names=names,
                score_labels=tuple(localised(score.label) for score in instrument.scores),
                rows=history_rows,
                svg=_chart(localised(instrument.title), (_headline(names, norm),), history_rows),
                change=change,
                change_score=norm.score if norm else "",
            )
        )
    return found
