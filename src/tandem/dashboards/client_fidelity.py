"""The client dashboard's team-fidelity panel: the fidelity a client was exposed to.

Before each alliance or outcome measurement, the client's exposure is the mean of the episode
team's daily fidelity total over the 90, 180 and 270 days before it, computed as
``fidelity.series.exposure_for_responses`` does (``tandem.stats.interpolate_daily`` between
final reviews, then ``tandem.stats.exposure``) but with one query for every team and window,
and reusing the responses and episodes the dashboard has already read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem import stats
from tandem.clients.models import Episode
from tandem.core.display import Cell, day_text, rounded
from tandem.core.figures import legend_outside, new_figure, to_svg
from tandem.dashboards.charts import Panel, day_numbers
from tandem.fidelity.series import EXPOSURE_WINDOWS_DAYS, review_points_for
from tandem.measures.models import Response
from tandem.stats import DailySeriesResult

CHARTED_WINDOW_DAYS = 180


@dataclass(frozen=True, slots=True)
class MeasurementExposure:
    """One completed alliance or outcome response and its team's fidelity before it."""

    completed_on: date
    instrument_code: str
    instrument_title: str
    team_id: int | None
    team_name: str
    # Window in days (90, 180, 270) -> mean daily fidelity total over the days before
    # ``completed_on``; None when the team has no final review with a total (or no team).
    by_window: dict[int, float | None]


def measurement_exposures(
    responses: Sequence[Response],
    *,
    codes: Sequence[str],
    titles: dict[str, str],
    episodes: Sequence[Episode],
) -> tuple[list[MeasurementExposure], dict[int, DailySeriesResult]]:
    """Team fidelity before each completed response of ``codes``, and each team's daily series.

    One query (the teams' final reviews) whatever the number of responses, teams and windows;
    ``episodes`` carry their team (``clients.selectors.client_episodes_for``). Each team's series
    starts 270 days before its earliest measurement, holding the first review's total before
    that review, as ``fidelity.series.client_exposure`` does, so that only a team without a
    final review leaves the windows empty.
    """
    teams = {episode.pk: episode.team for episode in episodes}
    wanted = sorted(
        (
            (timezone.localdate(response.completed_at), codes.index(response.instrument_code), i)
            for i, response in enumerate(responses)
            if response.completed_at is not None and response.instrument_code in codes
        ),
    )
    rows = [(day, responses[i]) for day, _order, i in wanted]
    team_of = [
        teams.get(response.episode_id) if response.episode_id is not None else None
        for _day, response in rows
    ]
    team_ids = {team.pk for team in team_of if team is not None}
    points = review_points_for(team_ids) if team_ids else {}
    longest = max(EXPOSURE_WINDOWS_DAYS)
    values: dict[int, list[float | None]] = {w: [None] * len(rows) for w in EXPOSURE_WINDOWS_DAYS}
    daily: dict[int, DailySeriesResult] = {}
    for team_id, (review_days, totals) in points.items():
        indexes = [i for i, team in enumerate(team_of) if team is not None and team.pk == team_id]
        days = np.array([rows[i][0] for i in indexes], dtype="datetime64[D]")
        series = stats.interpolate_daily(
            review_days,
            totals,
            start=days.min().astype(date) - timedelta(days=longest),
            end=days.max().astype(date),
        )
        daily[team_id] = series
        for window_days in EXPOSURE_WINDOWS_DAYS:
            found = stats.exposure(series, days, window_days=window_days).values
            for i, value in zip(indexes, found, strict=True):
                values[window_days][i] = None if np.isnan(value) else float(value)
    exposures = [
        MeasurementExposure(
            completed_on=day,
            instrument_code=response.instrument_code,
            instrument_title=titles.get(response.instrument_code, response.instrument_code),
            team_id=team.pk if team is not None else None,
            team_name=team.name if team is not None else "",
            by_window={w: values[w][i] for w in EXPOSURE_WINDOWS_DAYS},
        )
        for i, ((day, response), team) in enumerate(zip(rows, team_of, strict=True))
    ]
    return exposures, daily


def _knots(series: DailySeriesResult, start: date) -> list[tuple[date, float]]:
    """The daily series from ``start`` at its ends and bends: exact, being piecewise linear.

    Drawing a few knots instead of every day keeps the inline SVG small.
    """
    keep = series.days >= np.datetime64(start, "D")
    days, values = series.days[keep], series.values[keep]
    if values.size == 0:
        return []
    bends = np.flatnonzero(np.abs(np.diff(values, n=2)) > 1e-9) + 1
    knots = sorted({0, values.size - 1, *bends.tolist()})
    return [(days[i].astype(dt.date), float(values[i])) for i in knots]


def _exposure_chart(
    exposures: list[MeasurementExposure], daily: dict[int, DailySeriesResult]
) -> str:
    """Each team's daily total as a line, the 180-day mean at each measurement as points."""
    names = {row.team_id: row.team_name for row in exposures}
    figure = new_figure()
    axes = figure.subplots()
    drawn = False
    for team_id, series in daily.items():
        points = [
            (row.completed_on, value)
            for row in exposures
            if row.team_id == team_id and (value := row.by_window[CHARTED_WINDOW_DAYS]) is not None
        ]
        if not points:
            continue
        first = min(day for day, _value in points) - timedelta(days=CHARTED_WINDOW_DAYS)
        line = _knots(series, first)
        (drawn_line,) = axes.plot(
            day_numbers([d for d, _v in line]),
            [v for _d, v in line],
            linewidth=1.2,
            label=_("%(team)s: daily total") % {"team": names[team_id]},
        )
        axes.plot(
            day_numbers([d for d, _v in points]),
            [v for _d, v in points],
            linestyle="none",
            marker="o",
            color=drawn_line.get_color(),
            label=_("%(team)s: 180-day mean before a measurement") % {"team": names[team_id]},
        )
        drawn = True
    if not drawn:
        return ""
    axes.xaxis_date()
    axes.set_ylabel(_("Fidelity total"), fontsize=8)
    axes.tick_params(labelsize=7)
    axes.grid(visible=True, alpha=0.3)
    legend_outside(axes)
    figure.autofmt_xdate()
    return to_svg(figure)


def exposure_panel(
    exposures: list[MeasurementExposure], daily: dict[int, DailySeriesResult]
) -> Panel:
    """The panel: one row per measurement with its three window means, and the chart."""
    rows: list[tuple[Cell, ...]] = [
        (
            day_text(row.completed_on),
            row.instrument_title,
            row.team_name,
            *(rounded(row.by_window[w]) for w in EXPOSURE_WINDOWS_DAYS),
        )
        for row in exposures
    ]
    return Panel(
        title=_("Team fidelity before each measurement"),
        svg=_exposure_chart(exposures, daily),
        columns=(
            _("Completed"),
            _("Instrument"),
            _("Team"),
            *(_("%(days)d-day mean") % {"days": w} for w in EXPOSURE_WINDOWS_DAYS),
        ),
        rows=rows,
        caption=_(
            "Mean of the episode team's fidelity total over the 90, 180 and 270 days before "
            "each alliance and outcome measurement, not counting its day. The total is "
            "interpolated day by day between the team's final reviews; before the first "
            "review and after the last, the nearest review's total is held. Empty where the "
            "team has no final review. Chart: the daily total (line) and the 180-day mean "
            "(points)."
        ),
        empty_text=_(
            "No chart: the team has no final fidelity review, or the client has no alliance or "
            "outcome score yet. It appears once both exist."
        ),
    )
