"""stats.interpolate_daily against pandas' time interpolation; stats.exposure against a loop."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from tandem import stats

# The package exports a function named like the module, so fetch the module itself.
exposure_module = sys.modules["tandem.stats.exposure"]

# A team reviewed at baseline and about 6, 12, 18, 24 and 36 months, as in the study.
REVIEW_DATES = [
    dt.date(2014, 10, 9),
    dt.date(2015, 4, 14),
    dt.date(2015, 10, 20),
    dt.date(2016, 4, 5),
    dt.date(2016, 10, 11),
    dt.date(2017, 10, 17),
]
REVIEW_SCORES = [21.5, 24.0, 27.25, 26.5, 30.0, 33.75]


@pytest.fixture
def series() -> stats.DailySeriesResult:
    return stats.interpolate_daily(REVIEW_DATES, REVIEW_SCORES, "2014-01-01", "2018-06-30")


def pandas_daily(dates: list[dt.date], scores: list[float], start: str, end: str) -> pd.Series:
    """Independent reference: time-weighted interpolation, nearest review held outside."""
    reviews = pd.Series(scores, index=pd.DatetimeIndex(dates))
    days = pd.date_range(start, end, freq="D")
    grid = reviews.reindex(reviews.index.union(days)).interpolate(method="time")
    return grid.ffill().bfill().reindex(days)


# --- interpolate_daily ----------------------------------------------------------------------


def test_daily_series_matches_pandas_time_interpolation(series: stats.DailySeriesResult) -> None:
    ref = pandas_daily(REVIEW_DATES, REVIEW_SCORES, "2014-01-01", "2018-06-30")
    assert_array_equal(series.days, ref.index.to_numpy().astype("datetime64[D]"))
    assert_allclose(series.values, ref.to_numpy(), rtol=1e-13)
    assert series.days.dtype == np.dtype("datetime64[D]")


def test_daily_series_passes_through_each_review(series: stats.DailySeriesResult) -> None:
    at_reviews = np.searchsorted(series.days, np.asarray(REVIEW_DATES, dtype="datetime64[D]"))
    assert_allclose(series.values[at_reviews], REVIEW_SCORES, rtol=1e-15)


def test_series_is_held_constant_outside_the_reviews(series: stats.DailySeriesResult) -> None:
    before = series.days < np.datetime64("2014-10-09")
    after = series.days > np.datetime64("2017-10-17")
    assert (series.values[before] == 21.5).all()
    assert (series.values[after] == 33.75).all()
    assert (series.first_review, series.last_review) == (REVIEW_DATES[0], REVIEW_DATES[-1])
    assert series.n_reviews == 6


def test_one_day_between_reviews_moves_by_the_daily_slope() -> None:
    res = stats.interpolate_daily(
        ["2015-01-01", "2015-01-11"], [10.0, 15.0], "2015-01-01", "2015-01-11"
    )
    assert_allclose(np.diff(res.values), 0.5, rtol=1e-14)
    assert res.values.size == 11


def test_dates_may_be_given_in_any_order_and_any_form() -> None:
    order = [3, 0, 5, 1, 4, 2]
    shuffled = stats.interpolate_daily(
        [REVIEW_DATES[i].isoformat() for i in order],
        [REVIEW_SCORES[i] for i in order],
        np.datetime64("2014-06-01"),
        dt.date(2018, 1, 1),
    )
    ordered = stats.interpolate_daily(
        np.asarray(REVIEW_DATES, dtype="datetime64[D]"), REVIEW_SCORES, "2014-06-01", "2018-01-01"
    )
    assert_array_equal(shuffled.days, ordered.days)
    assert_array_equal(shuffled.values, ordered.values)


def test_times_of_day_are_truncated_to_the_date() -> None:
    with_times = stats.interpolate_daily(
        [dt.datetime(2015, 1, 1, 17, 30), dt.datetime(2015, 3, 1, 8)],  # noqa: DTZ001
        [10.0, 20.0],
        "2015-01-01",
        "2015-03-01",
    )
    plain = stats.interpolate_daily(
        ["2015-01-01", "2015-03-01"], [10.0, 20.0], "2015-01-01", "2015-03-01"
    )
    assert_array_equal(with_times.values, plain.values)


def test_single_review_gives_a_flat_series() -> None:
    res = stats.interpolate_daily(["2016-02-29"], [28.0], "2016-01-01", "2016-12-31")
    assert res.values.size == 366
    assert (res.values == 28.0).all()


def test_series_arrays_are_read_only(series: stats.DailySeriesResult) -> None:
    with pytest.raises(ValueError, match="read-only"):
        series.values[0] = 0.0


def test_series_to_dict_writes_iso_dates(series: stats.DailySeriesResult) -> None:
    out = json.loads(json.dumps(series.to_dict()))
    assert out["days"][0] == "2014-01-01"
    assert out["days"][-1] == "2018-06-30"
    assert out["first_review"] == "2014-10-09"
    assert len(out["values"]) == len(out["days"])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"dates": ["2015-01-01", "2015-01-01"]},
            ValueError,
            "dates has more than one review on 2015-01-01",
        ),
        ({"dates": ["2015-01-01", "NaT"]}, ValueError, "dates contains missing dates"),
        ({"dates": [16436, 16500]}, TypeError, "dates must be dates"),
        ({"dates": ["2015-01-01", "soon"]}, TypeError, "dates must be dates"),
        ({"dates": [["2015-01-01"], ["2015-02-01"]]}, ValueError, "dates must be one-dim"),
        ({"scores": [1.0, 2.0, 3.0]}, ValueError, "scores has 3 rows but dates has 2"),
        ({"scores": [1.0, np.nan]}, ValueError, "scores contains NaN"),
        ({"dates": [], "scores": []}, ValueError, "dates must hold at least one review"),
        ({"start": "2016-01-01"}, ValueError, r"end \(2015-12-31\) is before start"),
        ({"end": ["2015-12-31"]}, ValueError, "end must be a single date"),
        ({"start": 3}, TypeError, "start must be dates"),
    ],
)
def test_interpolate_bad_input_names_the_argument(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    call = {
        "dates": ["2015-01-01", "2015-06-01"],
        "scores": [20.0, 25.0],
        "start": "2015-01-01",
        "end": "2015-12-31",
        **kwargs,
    }
    with pytest.raises(error, match=message):
        stats.interpolate_daily(**call)


review_plans = st.lists(
    st.tuples(st.integers(0, 1500), st.floats(8, 40)),
    min_size=1,
    max_size=8,
    unique_by=lambda r: r[0],
)


@settings(max_examples=60, deadline=None)
@given(review_plans)
def test_interpolation_passes_through_every_review_and_stays_within_their_range(
    plan: list[tuple[int, float]],
) -> None:
    origin = np.datetime64("2014-01-01")
    dates = np.asarray([origin + np.timedelta64(day, "D") for day, _ in plan])
    scores = [score for _, score in plan]
    res = stats.interpolate_daily(dates, scores, origin - 30, origin + 1530)
    assert_allclose(res.values[np.searchsorted(res.days, dates)], scores, rtol=1e-12)
    assert res.values.min() >= min(scores) - 1e-9
    assert res.values.max() <= max(scores) + 1e-9


# --- exposure -------------------------------------------------------------------------------


def loop_exposure(
    series: stats.DailySeriesResult, at: Sequence[dt.date], window_days: int
) -> list[float]:
    by_day = dict(zip(series.days.tolist(), series.values.tolist(), strict=True))
    out = []
    for when in at:
        window = [when - dt.timedelta(days=k) for k in range(1, window_days + 1)]
        if all(day in by_day for day in window):
            out.append(math.fsum(by_day[day] for day in window) / window_days)
        else:
            out.append(math.nan)
    return out


@pytest.mark.parametrize("window_days", [90, 180, 270])
def test_exposure_matches_a_plain_loop_over_each_window(
    series: stats.DailySeriesResult, window_days: int
) -> None:
    interviews = [
        dt.date(2015, 2, 1),
        dt.date(2015, 6, 18),
        dt.date(2015, 11, 2),
        dt.date(2016, 3, 19),
        dt.date(2016, 8, 3),
        dt.date(2018, 6, 30),
        dt.date(2014, 3, 1),
    ]
    res = stats.exposure(series, interviews, window_days=window_days)
    assert_allclose(res.values, loop_exposure(series, interviews, window_days), rtol=1e-12)
    assert res.window_days == window_days
    assert_array_equal(res.at, np.asarray(interviews, dtype="datetime64[D]"))


def test_exposure_of_a_straight_line_is_its_value_at_mid_window() -> None:
    line = stats.interpolate_daily(
        ["2015-01-01", "2016-01-01"], [0.0, 365.0], "2015-01-01", "2016-01-01"
    )
    res = stats.exposure(line, "2015-12-01", window_days=180)
    # Days 154 to 333 after 1 January average to day 243.5.
    assert_allclose(res.values, [243.5], rtol=1e-13)


def test_window_must_lie_inside_the_series(series: stats.DailySeriesResult) -> None:
    first = series.days[0]
    last = series.days[-1]
    at = [first + 180, first + 179, last + 1, last + 2]
    res = stats.exposure(series, at, window_days=180)
    assert np.isfinite(res.values[[0, 2]]).all()
    assert np.isnan(res.values[[1, 3]]).all()
    assert res.n_outside == 2


def test_exposure_accepts_one_date(series: stats.DailySeriesResult) -> None:
    res = stats.exposure(series, dt.date(2016, 1, 1))
    assert res.values.shape == (1,)
    assert_allclose(res.values, loop_exposure(series, [dt.date(2016, 1, 1)], 180), rtol=1e-12)


def test_exposure_to_dict_writes_iso_dates_and_null_for_outside(
    series: stats.DailySeriesResult,
) -> None:
    out = json.loads(json.dumps(stats.exposure(series, ["2014-01-02", "2016-01-01"]).to_dict()))
    assert out["at"] == ["2014-01-02", "2016-01-01"]
    assert out["values"][0] is None
    assert out["n_outside"] == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"window_days": 0}, ValueError, "window_days must be at least 1"),
        ({"window_days": 90.0}, TypeError, "window_days must be an integer"),
        ({"window_days": True}, TypeError, "window_days must be an integer"),
        ({"at": ["2016-01-01", None]}, ValueError, "at contains missing dates"),
        ({"at": [20000]}, TypeError, "at must be dates"),
        ({"daily": (np.arange(3), np.ones(3))}, TypeError, "daily must be the result of"),
    ],
)
def test_exposure_bad_input_names_the_argument(
    series: stats.DailySeriesResult, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    call = {"daily": series, "at": ["2016-01-01"], **kwargs}
    with pytest.raises(error, match=message):
        stats.exposure(**call)


@settings(max_examples=60, deadline=None)
@given(
    review_plans,
    st.lists(st.integers(-40, 1600), min_size=1, max_size=20),
    st.integers(1, 300),
)
def test_cumulative_sums_agree_with_the_loop_for_any_plan(
    plan: list[tuple[int, float]], offsets: list[int], window_days: int
) -> None:
    origin = dt.date(2014, 1, 1)
    series = stats.interpolate_daily(
        [origin + dt.timedelta(days=day) for day, _ in plan],
        [score for _, score in plan],
        origin,
        origin + dt.timedelta(days=1500),
    )
    at = [origin + dt.timedelta(days=k) for k in offsets]
    res = stats.exposure(series, at, window_days=window_days)
    assert_allclose(res.values, loop_exposure(series, at, window_days), rtol=1e-10)


def test_examples_in_docstrings_pass() -> None:
    outcome = doctest.testmod(exposure_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0
    assert outcome.failed == 0
