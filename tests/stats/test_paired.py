"""stats.paired_t against scipy.stats.ttest_rel on the same data."""

from __future__ import annotations

import doctest
import json
import math
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose
from scipy import stats as sps

from tandem import stats
from tandem.stats import paired
from tandem.stats.paired import Alternative


@pytest.fixture
def scores() -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.default_rng(20240611)
    before = gen.normal(120, 15, size=40)
    after = before + gen.normal(4, 9, size=40)
    return before, after


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("confidence_level", [0.9, 0.95])
def test_paired_t_matches_scipy_ttest_rel(
    scores: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    alternative: Alternative,
    confidence_level: float,
) -> None:
    before, after = scores
    res = stats.paired_t(before, after, alternative=alternative, confidence_level=confidence_level)
    ref = sps.ttest_rel(after, before, alternative=alternative)
    ref_ci = ref.confidence_interval(confidence_level)
    assert_allclose(res.t, ref.statistic, rtol=1e-12)
    assert_allclose(res.p, ref.pvalue, rtol=1e-10)
    assert res.df == ref.df == 39
    assert_allclose([res.ci_low, res.ci_high], [ref_ci.low, ref_ci.high], rtol=1e-12)
    assert res.alternative == alternative
    assert res.confidence_level == confidence_level


def test_mean_diff_is_after_minus_before(
    scores: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
) -> None:
    before, after = scores
    res = stats.paired_t(before, after)
    assert_allclose(res.mean_diff, np.mean(after - before), rtol=1e-12)
    assert_allclose(res.sd_diff, np.std(after - before, ddof=1), rtol=1e-12)
    assert res.mean_diff > 0


def test_d_z_is_t_over_root_n(
    scores: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
) -> None:
    before, after = scores
    res = stats.paired_t(before, after)
    assert_allclose(res.d_z, res.t / math.sqrt(res.n), rtol=1e-12)


def test_incomplete_pairs_are_dropped_and_counted(
    scores: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
) -> None:
    before, after = scores[0].copy(), scores[1].copy()
    before[[0, 5]] = np.nan
    after[[5, 9, 17]] = np.nan
    res = stats.paired_t(before, after)
    assert res.n == 36
    assert res.n_dropped == 4
    ref = sps.ttest_rel(after, before, nan_policy="omit")
    assert_allclose([res.t, res.p], [ref.statistic, ref.pvalue], rtol=1e-10)


def test_nan_policy_raise_names_the_argument(
    scores: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
) -> None:
    before, after = scores[0], scores[1].copy()
    after[3] = np.nan
    with pytest.raises(ValueError, match="after contains NaN"):
        stats.paired_t(before, after, nan_policy="raise")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"before": [1.0, 2.0, 3.0], "after": [1.0, 2.0]}, "after has 2 rows"),
        ({"before": [1.0, np.inf, 3.0], "after": [1.0, 2.0, 3.0]}, "before contains infinite"),
        ({"before": [[1.0, 2.0], [3.0, 4.0]], "after": [1.0, 2.0]}, "before must be one-dim"),
        ({"alternative": "two_sided"}, "alternative must be one of"),
        ({"nan_policy": "propagate"}, "nan_policy must be one of"),
        ({"confidence_level": 95}, "confidence_level must be between 0 and 1"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(
    kwargs: dict[str, Any], message: str
) -> None:
    call = {"before": [1.0, 2.0, 3.0], "after": [2.0, 2.5, 5.0], **kwargs}
    with pytest.raises(ValueError, match=message):
        stats.paired_t(**call)


def test_non_numeric_scores_raise_type_error() -> None:
    with pytest.raises(TypeError, match="after must be numeric"):
        stats.paired_t([1.0, 2.0], ["low", "high"])


def test_fewer_than_two_pairs_gives_nan_as_scipy() -> None:
    res = stats.paired_t([1.0, np.nan, 3.0], [2.0, 4.0, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sps.ttest_rel([2.0], [1.0])
    assert res.n == 1
    assert res.n_dropped == 2
    assert np.isnan([res.t, ref.statistic, res.p, ref.pvalue]).all()
    assert math.isnan(res.ci_low)


def test_equal_differences_give_infinite_t_as_scipy() -> None:
    before = np.array([10.0, 12.0, 15.0, 11.0])
    res = stats.paired_t(before, before + 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sps.ttest_rel(before + 2.0, before)
    assert res.t == ref.statistic == math.inf
    assert res.p == ref.pvalue == 0.0
    assert res.ci_low == res.ci_high == 2.0


def test_to_dict_is_json_ready(
    scores: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
) -> None:
    out = stats.paired_t(*scores, alternative="greater").to_dict()
    assert json.loads(json.dumps(out))["n"] == 40
    assert out["ci_high"] == math.inf
    assert set(out) >= {"mean_diff", "t", "df", "p", "ci_low", "ci_high", "d_z", "n_dropped"}


pairs = st.integers(3, 30).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, n, elements=st.floats(-100, 100, allow_subnormal=False)),
        arrays(np.float64, n, elements=st.floats(-100, 100, allow_subnormal=False)),
    )
)


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_swapping_before_and_after_mirrors_the_result(
    pair: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
) -> None:
    before, after = pair
    forward = stats.paired_t(before, after)
    backward = stats.paired_t(after, before)
    assert_allclose(backward.mean_diff, -forward.mean_diff, atol=1e-9)
    assert_allclose(backward.sd_diff, forward.sd_diff, rtol=1e-12)
    assert_allclose(backward.p, forward.p, rtol=1e-9, atol=1e-12, equal_nan=True)
    assert_allclose(backward.ci_low, -forward.ci_high, atol=1e-9)
    assert_allclose(backward.ci_high, -forward.ci_low, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(pairs, st.floats(-1000, 1000))
def test_shifting_both_occasions_leaves_the_test_unchanged(
    pair: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]], shift: float
) -> None:
    before, after = pair
    base = stats.paired_t(before, after)
    assume(base.sd_diff > 1e-3)
    moved = stats.paired_t(before + shift, after + shift)
    # Only the rounding of the shifted scores may move the statistics.
    assert_allclose(moved.mean_diff, base.mean_diff, atol=1e-9)
    assert_allclose(moved.t, base.t, rtol=1e-6, atol=1e-6)
    assert_allclose(moved.p, base.p, rtol=1e-6, atol=1e-9)


def test_examples_in_docstrings_pass() -> None:
    outcome = doctest.testmod(paired, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0
    assert outcome.failed == 0
