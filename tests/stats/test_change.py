"""stats.reliable_change: Jacobson-Truax index checked by hand and row by row."""

from __future__ import annotations

import doctest
import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats as sps

from tandem import stats
from tandem.stats import change


def test_worked_example_by_hand() -> None:
    # sd 5 and reliability 0.5: S_E = 5 * sqrt(0.5) = 3.5355, S_diff = sqrt(2 * 12.5) = 5.
    # Changes of +10, -12 and +4 points give RCI 2.0, -2.4 and 0.8 against 1.96.
    res = stats.reliable_change([20, 30, 25], [30, 18, 29], sd=5.0, reliability=0.5)
    assert_allclose(res.s_diff, 5.0, rtol=1e-15)
    assert_allclose(res.rci, [2.0, -2.4, 0.8], rtol=1e-15)
    assert_array_equal(res.category, ["improved", "deteriorated", "no change"])
    assert (res.n_improved, res.n_no_change, res.n_deteriorated, res.n_missing) == (1, 1, 1, 0)
    assert_allclose(res.threshold, 1.959963984540054 * 5.0, rtol=1e-15)


def test_s_diff_is_the_standard_error_of_a_difference_of_two_scores() -> None:
    res = stats.reliable_change([0.0], [0.0], sd=6.2, reliability=0.85)
    standard_error = 6.2 * math.sqrt(1 - 0.85)
    assert_allclose(res.s_diff, math.sqrt(2 * standard_error**2), rtol=1e-15)


def test_confidence_level_sets_the_critical_value() -> None:
    res = stats.reliable_change([10.0], [12.0], sd=1.0, reliability=0.5, confidence_level=0.9)
    assert_allclose(res.z_critical, sps.norm.ppf(0.95), rtol=1e-15)
    assert_allclose(res.threshold, sps.norm.ppf(0.95) * res.s_diff, rtol=1e-15)


def test_lower_is_better_swaps_improved_and_deteriorated() -> None:
    up = stats.reliable_change([20, 30, 25], [30, 18, 29], sd=5.0, reliability=0.5)
    down = stats.reliable_change(
        [20, 30, 25], [30, 18, 29], sd=5.0, reliability=0.5, higher_is_better=False
    )
    assert_array_equal(down.rci, up.rci)
    assert_array_equal(down.category, ["deteriorated", "improved", "no change"])
    assert (down.n_improved, down.n_deteriorated) == (1, 1)
    assert down.higher_is_better is False


def test_change_must_exceed_the_threshold_to_count() -> None:
    base = stats.reliable_change([0.0], [0.0], sd=5.0, reliability=0.8)
    just_over = base.threshold * (1 + 1e-9)
    just_under = base.threshold * (1 - 1e-9)
    res = stats.reliable_change(
        [0.0] * 4, [just_over, just_under, -just_over, -just_under], sd=5.0, reliability=0.8
    )
    assert_array_equal(res.category, ["improved", "no change", "deteriorated", "no change"])


def test_missing_scores_give_nan_and_are_counted() -> None:
    res = stats.reliable_change([10.0, np.nan, 12.0], [20.0, 11.0, np.nan], sd=3.0, reliability=0.7)
    assert np.isnan(res.rci[1:]).all()
    assert_array_equal(res.category, ["improved", "missing", "missing"])
    assert (res.n_improved, res.n_no_change, res.n_missing) == (1, 0, 2)


def test_scalar_scores_are_one_row() -> None:
    res = stats.reliable_change(22, 14, sd=5.0, reliability=0.9)
    assert res.rci.shape == (1,)
    assert_allclose(res.rci[0], -8 / (math.sqrt(2) * 5.0 * math.sqrt(0.1)), rtol=1e-15)
    assert res.category.tolist() == ["deteriorated"]


def test_result_arrays_are_read_only() -> None:
    res = stats.reliable_change([1.0, 2.0], [3.0, 4.0], sd=1.0, reliability=0.5)
    with pytest.raises(ValueError, match="read-only"):
        res.rci[0] = 0.0


def test_to_dict_is_json_ready() -> None:
    res = stats.reliable_change([10.0, np.nan], [20.0, 11.0], sd=3.0, reliability=0.7)
    out = json.loads(json.dumps(res.to_dict()))
    assert out["rci"][1] is None
    assert out["category"] == ["improved", "missing"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"pre": [1.0, 2.0, 3.0]}, ValueError, "post has 2 rows but pre has 3"),
        ({"post": [np.inf, 2.0]}, ValueError, "post contains infinite"),
        ({"pre": ["low", "high"]}, TypeError, "pre must be numeric"),
        ({"sd": 0.0}, ValueError, "sd must be a positive finite number"),
        ({"sd": math.nan}, ValueError, "sd must be a positive finite number"),
        ({"sd": "5"}, TypeError, "sd must be a real number"),
        ({"reliability": 1.0}, ValueError, "reliability must be at least 0 and below 1"),
        ({"reliability": -0.2}, ValueError, "reliability must be at least 0 and below 1"),
        ({"reliability": True}, TypeError, "reliability must be a real number"),
        ({"confidence_level": 0.0}, ValueError, "confidence_level must be between 0 and 1"),
    ],
)
def test_bad_input_names_the_argument(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    call = {"pre": [1.0, 2.0], "post": [3.0, 4.0], "sd": 2.0, "reliability": 0.8, **kwargs}
    with pytest.raises(error, match=message):
        stats.reliable_change(**call)


scores = arrays(np.float64, st.integers(1, 40), elements=st.floats(-200, 200))


@settings(max_examples=60, deadline=None)
@given(
    scores,
    st.floats(0.1, 50),
    st.floats(0.0, 0.99),
    st.booleans(),
)
def test_vectorised_result_equals_a_plain_loop_over_rows(
    pre: npt.NDArray[np.float64], sd: float, reliability: float, higher_is_better: bool
) -> None:
    post = pre[::-1] + 3.0
    res = stats.reliable_change(
        pre, post, sd=sd, reliability=reliability, higher_is_better=higher_is_better
    )
    s_diff = math.sqrt(2.0) * sd * math.sqrt(1.0 - reliability)
    for i, (before, after) in enumerate(zip(pre, post, strict=True)):
        rci = (after - before) / s_diff
        assert_allclose(res.rci[i], rci, rtol=1e-12)
        if abs(rci) <= 1.959963984540054:
            expected = "no change"
        elif (rci > 0) == higher_is_better:
            expected = "improved"
        else:
            expected = "deteriorated"
        assert res.category[i] == expected


@settings(max_examples=60, deadline=None)
@given(scores, st.floats(0.1, 50), st.floats(0.0, 0.99))
def test_swapping_pre_and_post_mirrors_the_result(
    pre: npt.NDArray[np.float64], sd: float, reliability: float
) -> None:
    post = np.sort(pre)
    forward = stats.reliable_change(pre, post, sd=sd, reliability=reliability)
    backward = stats.reliable_change(post, pre, sd=sd, reliability=reliability)
    assert_array_equal(backward.rci, -forward.rci)
    assert (backward.n_improved, backward.n_deteriorated) == (
        forward.n_deteriorated,
        forward.n_improved,
    )


def test_examples_in_docstrings_pass() -> None:
    outcome = doctest.testmod(change, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0
    assert outcome.failed == 0
