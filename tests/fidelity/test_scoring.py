"""Review scores and assessor agreement against hand calculations and statsmodels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from statsmodels.stats.inter_rater import cohens_kappa

from tandem.fidelity.scoring import (
    agreement,
    domain_means,
    quadratic_weighted_kappa,
    score_review,
)

RATING = st.integers(min_value=1, max_value=5)


def statsmodels_kappa(first: list[int], second: list[int]) -> float:
    table = np.zeros((5, 5))
    for a, b in zip(first, second, strict=True):
        table[a - 1, b - 1] += 1
    return float(cohens_kappa(table, wt="quadratic", return_results=False))


def test_domain_score_is_the_mean_of_its_items() -> None:
    assert domain_means({"a": [1, 2, 3], "b": [4, 4], "c": [5]}) == {"a": 2.0, "b": 4.0, "c": 5.0}


def test_total_is_the_sum_of_domain_means_with_its_range() -> None:
    result = score_review({"a": [1, 2, 3], "b": [4, 4], "c": [5]})
    assert result.total == 11.0
    assert (result.range_low, result.range_high, result.n_domains) == (3.0, 15.0, 3)
    assert result.is_high is None


def test_a_total_at_the_threshold_counts_as_high_fidelity() -> None:
    # 11/3 + 7/3 = 6 exactly by hand; float noise must not drop it below the cut-off.
    result = score_review(
        {"a": [4, 4, 3], "b": [2, 2, 3]}, high_fidelity_threshold=6, threshold_domain_count=2
    )
    assert result.total == 6.0
    assert result.is_high is True


def test_a_total_below_the_threshold_is_low_fidelity() -> None:
    result = score_review({"a": [1, 2, 3], "b": [4, 4], "c": [5]}, high_fidelity_threshold=12)
    assert result.is_high is False


def test_no_high_or_low_when_the_domain_count_differs_from_the_thresholds() -> None:
    ratings = {f"d{n}": [5] for n in range(9)}
    result = score_review(ratings, high_fidelity_threshold=32, threshold_domain_count=8)
    assert result.total == 45.0
    assert result.is_high is None


def test_smcm_with_eight_domains_is_classed_against_32() -> None:
    high = score_review(
        {f"d{n}": [4, 4] for n in range(8)}, high_fidelity_threshold=32, threshold_domain_count=8
    )
    low = score_review(
        {f"d{n}": [4, 3] for n in range(8)}, high_fidelity_threshold=32, threshold_domain_count=8
    )
    assert (high.total, high.range_low, high.range_high, high.is_high) == (32.0, 8.0, 40.0, True)
    assert (low.total, low.is_high) == (28.0, False)


@pytest.mark.parametrize(
    ("ratings", "problem"),
    [
        ({}, ValueError),
        ({"a": []}, ValueError),
        ({"a": [6]}, ValueError),
        ({"a": [2.5]}, TypeError),
    ],
)
def test_bad_ratings_are_refused_naming_the_argument(
    ratings: dict[str, Any], problem: type[Exception]
) -> None:
    with pytest.raises(problem, match="ratings_by_domain"):
        score_review(ratings)


def test_agreement_figures_match_a_hand_calculation() -> None:
    first = [1, 2, 3, 4, 5, 3]
    second = [1, 2, 4, 2, 5, 3]
    result = agreement(first, second)
    # Differences 0, 0, 1, 2, 0, 0.
    assert result.n_items == 6
    assert result.exact == pytest.approx(4 / 6)
    assert result.within_one == pytest.approx(5 / 6)
    assert result.mean_abs_difference == pytest.approx(3 / 6)


def test_quadratic_kappa_matches_a_hand_calculation() -> None:
    # Weighted observed = (1/16)(1/3) = 1/48; expected = 21/144; kappa = 1 - 3/21 = 6/7.
    assert quadratic_weighted_kappa([1, 2, 3], [1, 2, 4]) == pytest.approx(6 / 7)


def test_quadratic_kappa_matches_statsmodels() -> None:
    rng = np.random.default_rng(20260115)
    first = rng.integers(1, 6, size=31).tolist()
    second = np.clip(np.array(first) + rng.integers(-1, 2, size=31), 1, 5).tolist()
    assert_allclose(
        quadratic_weighted_kappa(first, second),  # type: ignore[arg-type]  # defined: both rate with spread
        statsmodels_kappa(first, second),
        rtol=1e-12,
    )


def test_kappa_is_undefined_when_both_gave_one_rating_throughout() -> None:
    assert quadratic_weighted_kappa([4, 4, 4], [4, 4, 4]) is None
    assert agreement([], []).weighted_kappa is None


def test_agreement_needs_the_same_items_from_both_assessors() -> None:
    with pytest.raises(ValueError, match="first, second"):
        agreement([1, 2], [1])


@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from("abcdefghi"), st.lists(RATING, min_size=1, max_size=6), min_size=1
    )
)
def test_total_lies_within_its_possible_range(ratings: dict[str, list[int]]) -> None:
    result = score_review(ratings)
    assert result.range_low <= result.total <= result.range_high
    assert result.range_low == len(ratings)


@settings(deadline=None)
@given(st.lists(RATING, min_size=1, max_size=40))
def test_identical_ratings_agree_perfectly(ratings: list[int]) -> None:
    result = agreement(ratings, ratings)
    assert result.exact == 1.0
    assert result.mean_abs_difference == 0.0
    if len(set(ratings)) > 1:
        assert result.weighted_kappa == pytest.approx(1.0)


@settings(deadline=None)
@given(st.lists(st.tuples(RATING, RATING), min_size=2, max_size=40))
def test_kappa_agrees_with_statsmodels_on_any_ratings(pairs: list[tuple[int, int]]) -> None:
    first = [a for a, _b in pairs]
    second = [b for _a, b in pairs]
    ours = quadratic_weighted_kappa(first, second)
    assume(ours is not None)
    assert ours == pytest.approx(statsmodels_kappa(first, second), abs=1e-9)
    assert ours <= 1.0 + 1e-12  # type: ignore[operator]  # assume() above rules out None
