"""Daily team fidelity between reviews, and each client's mean exposure before a measurement.

A team's fidelity is reviewed every few months; a client is measured on other dates. As in the
strengths model case management study behind Tandem's mediation analysis, a daily fidelity
score is interpolated linearly between the team's reviews (:func:`interpolate_daily`), and the
fidelity a client experienced is the mean of that daily score over the 90, 180 or 270 days
before each interview (:func:`exposure`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import override

from tandem.stats._common import FloatArray, ResultMixin, as_1d_float, check_aligned

__all__ = ["DailySeriesResult", "ExposureResult", "exposure", "interpolate_daily"]

DayArray = npt.NDArray[np.datetime64]
# Dates come as numpy datetime64 arrays or as lists of ``datetime.date``, which numpy's
# ArrayLike leaves out.
DatesLike = npt.ArrayLike | Sequence[dt.date]


@dataclass(frozen=True, slots=True)
class DailySeriesResult(ResultMixin):
    """Result of :func:`interpolate_daily`: one value per calendar day.

    Attributes
    ----------
    days : numpy.ndarray of datetime64[D]
        Every day from ``start`` to ``end`` inclusive.
    values : numpy.ndarray of float
        Interpolated score on each day.
    n_reviews : int
        Reviews the series was interpolated from.
    first_review, last_review : datetime.date
        Dates of the earliest and latest review; outside them the series is held constant.
    """

    days: DayArray = field(compare=False)
    values: FloatArray = field(compare=False)
    n_reviews: int
    first_review: dt.date
    last_review: dt.date

    @override
    def to_dict(self) -> dict[str, Any]:
        """Return the fields as plain Python values, dates as ISO 8601 strings."""
        return _iso_fields(ResultMixin.to_dict(self))


@dataclass(frozen=True, slots=True)
class ExposureResult(ResultMixin):
    """Result of :func:`exposure`.

    Attributes
    ----------
    at : numpy.ndarray of datetime64[D]
        Measurement dates, in the order given.
    values : numpy.ndarray of float
        Mean of the daily series over the ``window_days`` days before each date; NaN where
        that window is not wholly inside the series.
    window_days : int
    n_outside : int
        Dates whose window is not wholly inside the series (their value is NaN).
    """

    at: DayArray = field(compare=False)
    values: FloatArray = field(compare=False)
    window_days: int
    n_outside: int

    @override
    def to_dict(self) -> dict[str, Any]:
        """Return the fields as plain Python values, dates as ISO 8601 strings."""
        return _iso_fields(ResultMixin.to_dict(self))


def interpolate_daily(
    dates: DatesLike,
    scores: npt.ArrayLike,
    start: dt.date | np.datetime64 | str,
    end: dt.date | np.datetime64 | str,
) -> DailySeriesResult:
    r"""Interpolate review scores linearly to one score per day from ``start`` to ``end``.

    Parameters
    ----------
    dates : array_like of datetime.date, numpy.datetime64 or ISO 8601 strings, shape (r,)
        Review dates, in any order, each at most once. Times of day are truncated.
    scores : array_like, shape (r,)
        Score of each review, for example the team's total fidelity score. pandas Series are
        not reindexed: as in statsmodels, ``dates`` and ``scores`` must carry the same index,
        else ``ValueError`` names the one that differs.
    start, end : datetime.date, numpy.datetime64 or ISO 8601 string
        First and last day of the series (inclusive).

    Returns
    -------
    DailySeriesResult

    Raises
    ------
    ValueError
        Missing dates or scores, a date reviewed twice, mismatched lengths, no review, or
        ``end`` before ``start``, naming the argument.
    TypeError
        Dates that are numbers or unparseable text.

    Notes
    -----
    Between consecutive reviews on days :math:`t_i < t_{i+1}` with scores :math:`s_i` and
    :math:`s_{i+1}`, day :math:`t` gets

    .. math::

        s(t) = s_i + (s_{i+1} - s_i)\,\frac{t - t_i}{t_{i+1} - t_i},

    so the series passes through every review. Before the first review the series holds the
    first score, and after the last review the last score: nothing is known of the trend
    outside the reviews, and holding the nearest score is what ``numpy.interp`` does.

    Examples
    --------
    A team reviewed at baseline and six months later.

    >>> import datetime as dt
    >>> from tandem import stats
    >>> series = stats.interpolate_daily(
    ...     ["2015-01-01", "2015-07-01"], [22.0, 31.05], start="2014-12-30", end="2015-07-02"
    ... )
    >>> len(series.days), str(series.days[0]), str(series.days[-1])
    (185, '2014-12-30', '2015-07-02')
    >>> series.values[:4].round(2).tolist()
    [22.0, 22.0, 22.0, 22.05]
    >>> series.values[-2:].tolist()
    [31.05, 31.05]
    """
    review_days, review_scores, first_day, last_day = _interpolate_daily_iv(
        dates, scores, start, end
    )
    days = np.arange(first_day, last_day + np.timedelta64(1, "D"), dtype="datetime64[D]")
    origin = review_days[0]
    values = np.interp(
        (days - origin).astype(np.float64),
        (review_days - origin).astype(np.float64),
        review_scores,
    )
    days.flags.writeable = False
    values.flags.writeable = False
    return DailySeriesResult(
        days=days,
        values=values,
        n_reviews=int(review_days.size),
        first_review=review_days[0].astype(dt.date),
        last_review=review_days[-1].astype(dt.date),
    )


def _interpolate_daily_iv(
    dates: DatesLike,
    scores: npt.ArrayLike,
    start: dt.date | np.datetime64 | str,
    end: dt.date | np.datetime64 | str,
) -> tuple[DayArray, FloatArray, np.datetime64, np.datetime64]:
    check_aligned({"dates": dates, "scores": scores})
    review_days = _as_days(dates, "dates")
    review_scores = as_1d_float(scores, "scores")
    if review_scores.size != review_days.size:
        raise ValueError(
            f"scores has {review_scores.size} rows but dates has {review_days.size}; "
            "lengths must match"
        )
    if review_days.size == 0:
        raise ValueError("dates must hold at least one review")
    order = np.argsort(review_days, kind="stable")
    review_days = review_days[order]
    review_scores = review_scores[order]
    repeated = review_days[1:][review_days[1:] == review_days[:-1]]
    if repeated.size:
        raise ValueError(f"dates has more than one review on {repeated[0]}")
    first_day = _as_day(start, "start")
    last_day = _as_day(end, "end")
    if last_day < first_day:
        raise ValueError(f"end ({last_day}) is before start ({first_day})")
    return review_days, review_scores, first_day, last_day


def exposure(
    daily: DailySeriesResult,
    at: DatesLike | dt.date | np.datetime64 | str,
    window_days: int = 180,
) -> ExposureResult:
    r"""Mean of a daily series over the ``window_days`` days before each date in ``at``.

    Parameters
    ----------
    daily : DailySeriesResult
        The team's daily series from :func:`interpolate_daily`.
    at : array_like of dates, or one date
        Measurement dates (for example a client's interview dates), in any order.
    window_days : int, default 180
        Length of the window; the study used 180 days, with 90 and 270 days as sensitivity
        analyses.

    Returns
    -------
    ExposureResult

    Raises
    ------
    ValueError
        A missing date or a ``window_days`` below 1, naming the argument.
    TypeError
        ``daily`` not from :func:`interpolate_daily`, dates that are numbers, or a
        ``window_days`` that is not an integer.

    Notes
    -----
    For a measurement on day :math:`t` and window length :math:`w`,

    .. math::

        \bar s(t) = \frac{1}{w} \sum_{u = t - w}^{t - 1} s(u),

    the :math:`w` days leading up to the measurement, not counting its own day. All dates are
    computed at once from the cumulative sum of the series,
    :math:`\bar s(t) = (S_{t} - S_{t-w}) / w`.

    A date whose window is not wholly inside the series gets NaN rather than an error, so that
    one early interview does not stop a whole caseload; ``n_outside`` counts them. To cover
    such windows, start the series earlier: :func:`interpolate_daily` holds the first review's
    score before it.

    Examples
    --------
    >>> from tandem import stats
    >>> series = stats.interpolate_daily(
    ...     ["2015-01-01", "2015-07-01"], [20.0, 38.1], start="2014-07-01", end="2015-12-31"
    ... )
    >>> res = stats.exposure(series, ["2015-07-01", "2015-04-01", "2014-09-01"], window_days=90)
    >>> res.values.round(3).tolist()
    [33.55, 24.45, nan]
    >>> res.n_outside
    1
    """
    days, values = _exposure_iv(daily, window_days)
    at_days = _as_days(at, "at", allow_scalar=True)
    # Centring before the cumulative sum keeps its rounding error at the scale of the
    # deviations rather than of the running total.
    centre = float(np.mean(values))
    cumulative = np.concatenate([[0.0], np.cumsum(values - centre)])
    stop = (at_days - days[0]).astype(np.int64)
    begin = stop - window_days
    inside = (begin >= 0) & (stop <= values.size)
    means = np.full(at_days.shape, np.nan)
    means[inside] = (cumulative[stop[inside]] - cumulative[begin[inside]]) / window_days + centre
    at_days.flags.writeable = False
    means.flags.writeable = False
    return ExposureResult(
        at=at_days,
        values=means,
        window_days=window_days,
        n_outside=int(at_days.size - np.count_nonzero(inside)),
    )


def _exposure_iv(daily: DailySeriesResult, window_days: int) -> tuple[DayArray, FloatArray]:
    if not isinstance(daily, DailySeriesResult):
        raise TypeError(
            f"daily must be the result of interpolate_daily, got {type(daily).__name__}"
        )
    if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer):
        raise TypeError(f"window_days must be an integer, got {type(window_days).__name__}")
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days}")
    return daily.days, daily.values


def _as_days(x: object, name: str, *, allow_scalar: bool = False) -> DayArray:
    raw = np.asarray(x)
    if allow_scalar and raw.ndim == 0:
        raw = raw.reshape(1)
    if raw.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {raw.shape}")
    if raw.dtype.kind in "biufc" and raw.size:
        raise TypeError(f"{name} must be dates (datetime.date, datetime64 or ISO strings)")
    try:
        days = raw.astype("datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be dates (datetime.date, datetime64 or ISO strings): {exc}"
        ) from None
    if np.isnat(days).any():
        raise ValueError(f"{name} contains missing dates")
    return days


def _as_day(x: object, name: str) -> np.datetime64:
    raw = np.asarray(x)
    if raw.ndim != 0:
        raise ValueError(f"{name} must be a single date, got shape {raw.shape}")
    day: np.datetime64 = _as_days(raw.reshape(1), name)[0]
    return day


def _iso_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: _dates_to_iso(value) for name, value in fields.items()}


def _dates_to_iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates_to_iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_iso(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
