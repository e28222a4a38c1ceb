"""Team fidelity over time: daily interpolation between final reviews, and client exposure.

A team's fidelity is known on the days of its final reviews; ``tandem.stats.interpolate_daily``
draws it day by day between them (holding the first and last review's score outside), and
``tandem.stats.exposure`` gives the mean of that daily series over the 90, 180 (default) or 270
days before each measurement. These functions only fetch the review arrays, in one query for any
number of teams, and hand them to ``tandem.stats``.

Only final reviews count, with the stored ``total`` or a domain mean from
``scores["domains"]``; a review without that score (a domain left out) is skipped. Should a team
have two final reviews on one day (two scales), the one finalised last is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from tandem import stats
from tandem.fidelity.models import FidelityReview, ReviewStatus
from tandem.measures.models import Response
from tandem.stats._common import FloatArray
from tandem.stats.exposure import DailySeriesResult, DayArray, ExposureResult

EXPOSURE_WINDOWS_DAYS = (90, 180, 270)
TOTAL = "total"


def _check_window(window_days: int) -> int:
    if isinstance(window_days, bool) or window_days not in EXPOSURE_WINDOWS_DAYS:
        raise ValueError(
            f"window_days must be one of {', '.join(map(str, EXPOSURE_WINDOWS_DAYS))}, "
            f"got {window_days!r}"
        )
    return window_days


def _score_of(total: float | None, scores: Any, score: str) -> float | None:
    if score == TOTAL:
        return total
    domains = scores.get("domains") if isinstance(scores, dict) else None
    value = domains.get(score) if isinstance(domains, dict) else None
    return float(value) if isinstance(value, int | float) else None


def review_points_for(
    team_ids: Iterable[int], *, score: str = TOTAL
) -> dict[int, tuple[DayArray, FloatArray]]:
    """Each team's final review dates and scores, oldest first, in one query."""
    rows = (
        FidelityReview.objects.filter(team_id__in=list(team_ids), status=ReviewStatus.FINAL)
        .order_by("team_id", "review_date", "finalised_at", "pk")
        .values_list("team_id", "review_date", "total", "scores")
    )
    by_team: dict[int, dict[date, float]] = {}
    for team_id, review_date, total, scores in rows:
        value = _score_of(total, scores, score)
        if value is not None:
            # Later rows of the same day (finalised later) replace earlier ones.
            by_team.setdefault(team_id, {})[review_date] = value
    return {
        team_id: (
            np.array(list(points), dtype="datetime64[D]"),
            np.array(list(points.values()), dtype=np.float64),
        )
        for team_id, points in by_team.items()
    }


def team_fidelity_series(
    team_id: int, *, start: date, end: date, score: str = TOTAL
) -> DailySeriesResult | None:
    """The team's daily fidelity from ``start`` to ``end``; None if it has no final review.

    ``score`` is ``"total"`` or a domain code of the scale (for example ``"caseload_size"``).
    """
    return team_series_for([team_id], start=start, end=end, score=score).get(team_id)


def team_series_for(
    team_ids: Iterable[int], *, start: date, end: date, score: str = TOTAL
) -> dict[int, DailySeriesResult]:
    """Daily fidelity of many teams with one query; teams without a final review are left out."""
    return {
        team_id: stats.interpolate_daily(dates, values, start=start, end=end)
        for team_id, (dates, values) in review_points_for(team_ids, score=score).items()
    }


def _empty_exposure(days: DayArray, window_days: int) -> ExposureResult:
    values = np.full(days.shape, np.nan)
    values.flags.writeable = False
    days.flags.writeable = False
    return ExposureResult(at=days, values=values, window_days=window_days, n_outside=days.size)


def _exposure_from(
    points: tuple[DayArray, FloatArray], days: DayArray, window_days: int
) -> ExposureResult:
    """Exposure on ``days`` to a team's review points, over a series covering every window.

    The series starts ``window_days`` before the earliest day (the first review's score is
    held before it).
    """
    series = stats.interpolate_daily(
        *points,
        start=days.min().astype(date) - timedelta(days=window_days),
        end=days.max().astype(date),
    )
    return stats.exposure(series, days, window_days=window_days)


def client_exposure(
    team_id: int, dates: Sequence[date], *, window_days: int = 180, score: str = TOTAL
) -> ExposureResult:
    """Mean team fidelity over the ``window_days`` days before each date (90, 180 or 270).

    The series starts ``window_days`` before the earliest date, so every window is covered
    (the first review's score is held before it). A team with no final review gives NaN for
    every date, counted in ``n_outside``.
    """
    _check_window(window_days)
    days = np.asarray(dates, dtype="datetime64[D]").reshape(-1)
    if days.size == 0:
        return _empty_exposure(days, window_days)
    points = review_points_for([team_id], score=score).get(team_id)
    if points is None:
        return _empty_exposure(days, window_days)
    return _exposure_from(points, days, window_days)


@dataclass(frozen=True, slots=True)
class ResponseExposure:
    """The exposure of one completed response's client to their episode team's fidelity."""

    response_id: int
    client_id: int
    team_id: int
    completed_on: date
    exposure: float | None


def exposure_for_responses(
    responses: QuerySet[Response], *, window_days: int = 180, score: str = TOTAL
) -> list[ResponseExposure]:
    """Exposure before each completed response's date, to the team of the response's episode.

    For research and dashboards: pass responses the caller may already see (for example a
    study's); incomplete responses and those without an episode are skipped. Two queries in
    all (responses, then every team's reviews); each team's series is built once.
    """
    _check_window(window_days)
    rows = responses.filter(completed_at__isnull=False, episode__isnull=False).values_list(
        "pk", "client_id", "episode__team_id", "completed_at"
    )
    wanted = [
        (pk, client_id, team_id, timezone.localdate(completed_at))
        for pk, client_id, team_id, completed_at in rows
    ]
    if not wanted:
        return []
    points = review_points_for({row[2] for row in wanted}, score=score)
    by_team: dict[int, list[int]] = {}
    for index, row in enumerate(wanted):
        by_team.setdefault(row[2], []).append(index)
    found: list[float | None] = [None] * len(wanted)
    for team_id, indexes in by_team.items():
        if team_id not in points:
            continue
        dates = np.array([wanted[i][3] for i in indexes], dtype="datetime64[D]")
        values = _exposure_from(points[team_id], dates, window_days).values
        for i, value in zip(indexes, values, strict=True):
            found[i] = None if np.isnan(value) else float(value)
    return [
        ResponseExposure(
            response_id=pk,
            client_id=client_id,
            team_id=team_id,
            completed_on=completed_on,
            exposure=exposure,
        )
        for (pk, client_id, team_id, completed_on), exposure in zip(wanted, found, strict=True)
    ]
