"""stats.cronbach_alpha against pingouin, stats.icc against a worked example and statsmodels."""

from __future__ import annotations

import doctest
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats as sps
from statsmodels.stats.anova import anova_lm

from tandem import stats
from tandem.stats import reliability


def likert_items(n: int, k: int, seed: int) -> pd.DataFrame:
    """Four-point answers driven by one common factor, so that alpha is well above zero."""
    gen = np.random.default_rng(seed)
    trait = gen.normal(size=(n, 1))
    latent = trait + gen.normal(scale=1.2, size=(n, k))
    answers = np.digitize(latent, [-1.0, 0.0, 1.0]) + 1
    return pd.DataFrame(answers.astype(float), columns=[f"q{i + 1}" for i in range(k)])


@pytest.fixture
def answers() -> pd.DataFrame:
    return likert_items(150, 8, seed=311)


# --- cronbach_alpha -------------------------------------------------------------------------


def test_alpha_matches_pingouin_on_complete_data(answers: pd.DataFrame) -> None:
    res = stats.cronbach_alpha(answers)
    ref_alpha, ref_ci = pg.cronbach_alpha(answers)
    assert_allclose(res.alpha, ref_alpha, rtol=1e-12)
    # pingouin rounds its interval to three decimals.
    assert_allclose([res.ci_low, res.ci_high], ref_ci, atol=5e-4 + 1e-12)
    assert (res.n, res.n_items, res.n_dropped) == (150, 8, 0)


def test_alpha_interval_uses_feldt_f_quantiles(answers: pd.DataFrame) -> None:
    res = stats.cronbach_alpha(answers, confidence_level=0.9)
    df1, df2 = 149, 149 * 7
    assert_allclose(res.ci_low, 1 - (1 - res.alpha) * sps.f.ppf(0.95, df1, df2), rtol=1e-12)
    assert_allclose(res.ci_high, 1 - (1 - res.alpha) * sps.f.ppf(0.05, df1, df2), rtol=1e-12)
    assert res.ci_low < res.alpha < res.ci_high


def test_alpha_if_deleted_recomputes_alpha_without_each_item(answers: pd.DataFrame) -> None:
    res = stats.cronbach_alpha(answers)
    expected = [pg.cronbach_alpha(answers.drop(columns=col))[0] for col in answers.columns]
    assert_allclose(res.alpha_if_deleted, expected, rtol=1e-12)


def test_two_item_scale_has_no_alpha_if_deleted(answers: pd.DataFrame) -> None:
    res = stats.cronbach_alpha(answers.iloc[:, :2])
    assert_allclose(res.alpha, pg.cronbach_alpha(answers.iloc[:, :2])[0], rtol=1e-12)
    assert len(res.alpha_if_deleted) == 2
    assert np.isnan(res.alpha_if_deleted).all()


def test_listwise_drops_and_counts_rows_with_a_missing_item(answers: pd.DataFrame) -> None:
    holed = answers.copy()
    holed.iloc[[3, 10, 11], [0, 4, 7]] = np.nan
    holed.iloc[20, 2] = np.nan
    res = stats.cronbach_alpha(holed, nan_policy="listwise")
    complete = holed.dropna()
    assert (res.n, res.n_dropped) == (146, 4)
    assert_allclose(res.alpha, pg.cronbach_alpha(complete)[0], rtol=1e-12)
    assert_allclose(res.ci_low, pg.cronbach_alpha(complete)[1][0], atol=5e-4 + 1e-12)


def test_pairwise_matches_pingouin_default_on_its_missing_data_example() -> None:
    data = pg.read_dataset("cronbach_wide_missing")
    res = stats.cronbach_alpha(data, nan_policy="pairwise")
    ref_alpha, ref_ci = pg.cronbach_alpha(data, nan_policy="pairwise")
    assert_allclose(res.alpha, ref_alpha, rtol=1e-12)
    assert_allclose([res.ci_low, res.ci_high], ref_ci, atol=5e-4 + 1e-12)
    assert res.n == len(data)


def test_pairwise_covariances_match_pandas(answers: pd.DataFrame) -> None:
    holed = answers.copy()
    gen = np.random.default_rng(5)
    holed = holed.mask(gen.random(holed.shape) < 0.12)
    assert_allclose(reliability._pairwise_cov(holed.to_numpy()), holed.cov().to_numpy(), rtol=1e-12)


def test_pairwise_drops_only_rows_with_no_item(answers: pd.DataFrame) -> None:
    holed = answers.copy()
    holed.iloc[0, :] = np.nan
    holed.iloc[1, 3] = np.nan
    res = stats.cronbach_alpha(holed, nan_policy="pairwise")
    assert (res.n, res.n_dropped) == (149, 1)
    assert_allclose(res.alpha, pg.cronbach_alpha(holed.iloc[1:])[0], rtol=1e-12)


def test_items_without_variance_give_nan_alpha_as_pingouin() -> None:
    res = stats.cronbach_alpha(np.full((5, 3), 2.0))
    assert math.isnan(res.alpha)


@pytest.mark.parametrize(
    ("items", "kwargs", "message"),
    [
        ([[1.0], [2.0], [3.0]], {}, "items needs at least two columns"),
        ([[1.0, 2.0]], {}, "items needs at least two rows"),
        ([[1.0, 2.0], [np.nan, 1.0], [3.0, np.nan]], {}, "at least two rows after dropping"),
        ([[1.0, 2.0], [np.nan, 1.0]], {"nan_policy": "raise"}, "items contains NaN"),
        ([[1.0, 2.0], [np.inf, 1.0]], {}, "items contains infinite"),
        ([[1.0, 2.0], [2.0, 1.0]], {"nan_policy": "omit"}, "nan_policy must be one of"),
        ([[1.0, 2.0], [2.0, 1.0]], {"confidence_level": 1.0}, "confidence_level must be"),
        ([[[1.0]]], {}, "items must be two-dimensional"),
    ],
)
def test_alpha_bad_input_raises_value_error_naming_the_argument(
    items: list[Any], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        stats.cronbach_alpha(items, **kwargs)


def test_alpha_with_text_answers_raises_type_error() -> None:
    with pytest.raises(TypeError, match="items must be numeric"):
        stats.cronbach_alpha([["agree", "disagree"], ["agree", "agree"]])


def test_alpha_to_dict_is_json_ready(answers: pd.DataFrame) -> None:
    out = json.loads(json.dumps(stats.cronbach_alpha(answers.iloc[:, :2]).to_dict()))
    assert out["alpha_if_deleted"] == [None, None]
    assert out["n_items"] == 2


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shift=st.floats(-50, 50),
    scale=st.floats(0.1, 10),
)
def test_alpha_is_invariant_to_a_common_linear_rescoring(
    seed: int, shift: float, scale: float
) -> None:
    items = likert_items(30, 5, seed).to_numpy()
    base = stats.cronbach_alpha(items)
    moved = stats.cronbach_alpha(items * scale + shift)
    assert_allclose(moved.alpha, base.alpha, rtol=1e-9, atol=1e-9)
    assert_allclose(moved.alpha_if_deleted, base.alpha_if_deleted, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), item_shifts=st.lists(st.floats(-5, 5), min_size=5))
def test_alpha_is_invariant_to_shifting_single_items(seed: int, item_shifts: list[float]) -> None:
    items = likert_items(30, 5, seed).to_numpy()
    base = stats.cronbach_alpha(items)
    moved = stats.cronbach_alpha(items + np.asarray(item_shifts[:5]))
    assert_allclose(moved.alpha, base.alpha, rtol=1e-9, atol=1e-9)


# --- icc ------------------------------------------------------------------------------------

# Three teams of 2, 3 and 5 clients.
WORKED_VALUES = [1, 3, 6, 7, 8, 3, 4, 5, 6, 7]
WORKED_GROUPS = ["A", "A", "B", "B", "B", "C", "C", "C", "C", "C"]


def test_icc_worked_example_with_unequal_groups() -> None:
    # Group means 2, 7, 5; grand mean 50 / 10 = 5.
    # SS_between = 2 (2 - 5)^2 + 3 (7 - 5)^2 + 5 (5 - 5)^2 = 18 + 12 + 0 = 30, df 2, MS_B = 15.
    # SS_within = (1 + 1) + (1 + 0 + 1) + (4 + 1 + 0 + 1 + 4) = 14, df 7, MS_W = 2.
    # F = 15 / 2 = 7.5.
    # n0 = (10 - (2^2 + 3^2 + 5^2) / 10) / 2 = (10 - 3.8) / 2 = 3.1.
    # ICC(1) = (15 - 2) / (15 + (3.1 - 1) 2) = 13 / 19.2;  ICC(2) = (15 - 2) / 15 = 13 / 15.
    res = stats.icc(WORKED_VALUES, WORKED_GROUPS)
    assert (res.n, res.n_groups, res.df_between, res.df_within) == (10, 3, 2, 7)
    assert_allclose(
        [res.ms_between, res.ms_within, res.f, res.n0], [15.0, 2.0, 7.5, 3.1], rtol=1e-14
    )
    assert_allclose(res.icc1, 13 / 19.2, rtol=1e-14)
    assert_allclose(res.icc2, 13 / 15, rtol=1e-14)
    assert_allclose(res.p, sps.f.sf(7.5, 2, 7), rtol=1e-14)


def test_icc_anova_matches_statsmodels_one_way_anova() -> None:
    gen = np.random.default_rng(14)
    sizes = gen.integers(5, 40, size=14)
    team = np.repeat(np.arange(14), sizes)
    outcome = gen.normal(size=14)[team] * 0.4 + gen.normal(50, 2, size=team.size)
    res = stats.icc(outcome, team)
    table = anova_lm(smf.ols("y ~ C(g)", data=pd.DataFrame({"y": outcome, "g": team})).fit())
    assert_allclose(res.f, table.loc["C(g)", "F"], rtol=1e-10)
    assert_allclose(res.p, table.loc["C(g)", "PR(>F)"], rtol=1e-8)
    assert_allclose(res.ms_between, table.loc["C(g)", "mean_sq"], rtol=1e-10)
    assert_allclose(res.ms_within, table.loc["Residual", "mean_sq"], rtol=1e-10)
    assert (res.df_between, res.df_within) == (13, int(sizes.sum()) - 14)
    n = sizes.sum()
    assert_allclose(res.n0, (n - (sizes**2).sum() / n) / 13, rtol=1e-14)


def test_icc_with_equal_groups_matches_pingouin_one_way_icc() -> None:
    gen = np.random.default_rng(3)
    team = np.repeat(np.arange(12), 6)
    outcome = gen.normal(size=12)[team] + gen.normal(size=team.size)
    res = stats.icc(outcome, team)
    long = pd.DataFrame({"team": team, "member": np.tile(np.arange(6), 12), "y": outcome})
    ref = pg.intraclass_corr(long, targets="team", raters="member", ratings="y").set_index("Type")
    assert res.n0 == 6.0
    assert_allclose(res.icc1, ref.loc["ICC(1,1)", "ICC"], rtol=1e-10)
    assert_allclose(res.icc2, ref.loc["ICC(1,k)", "ICC"], rtol=1e-10)
    assert_allclose(res.f, ref.loc["ICC(1,1)", "F"], rtol=1e-10)


def test_icc_labels_of_any_type_give_the_same_result() -> None:
    by_letter = stats.icc(WORKED_VALUES, WORKED_GROUPS)
    by_number = stats.icc(WORKED_VALUES, [{"A": 7, "B": 2, "C": 30}[g] for g in WORKED_GROUPS])
    assert by_letter == by_number


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(10)))
def test_icc_does_not_depend_on_row_order(order: list[int]) -> None:
    values = np.asarray(WORKED_VALUES, dtype=float)[list(order)]
    groups = np.asarray(WORKED_GROUPS)[list(order)]
    res = stats.icc(values, groups)
    assert_allclose([res.icc1, res.icc2, res.f], [13 / 19.2, 13 / 15, 7.5], rtol=1e-12)


def test_icc_is_one_when_groups_have_no_inner_variation() -> None:
    res = stats.icc([1.0, 1.0, 4.0, 4.0, 4.0], ["a", "a", "b", "b", "b"])
    assert res.f == math.inf
    assert res.icc1 == res.icc2 == 1.0
    assert res.p == 0.0


def test_icc_of_identical_values_is_nan() -> None:
    res = stats.icc([2.0] * 6, [1, 1, 2, 2, 3, 3])
    assert np.isnan([res.icc1, res.icc2, res.f, res.p]).all()


def test_icc_is_negative_when_group_means_agree_more_than_chance() -> None:
    res = stats.icc([1.0, 5.0, 1.0, 5.0, 1.0, 5.0], ["a", "a", "b", "b", "c", "c"])
    assert res.icc1 < 0
    assert res.icc2 < 0


@pytest.mark.parametrize(
    ("values", "groups", "message"),
    [
        ([1.0, np.nan, 3.0, 4.0], [1, 1, 2, 2], "values contains NaN"),
        ([1.0, 2.0, 3.0, 4.0], [1.0, np.nan, 2.0, 2.0], "groups contains missing labels"),
        ([1.0, 2.0, 3.0, 4.0], ["a", None, "b", "b"], "groups contains missing labels"),
        ([1.0, 2.0, 3.0], [1, 1, 2, 2], "groups has 4 rows but values has 3"),
        ([1.0, 2.0, 3.0], [1, 1, 1], "at least two distinct groups"),
        ([1.0, 2.0, 3.0], [1, 2, 3], "more observations"),
        ([1.0, 2.0, 3.0, 4.0], [[1, 1], [2, 2]], "groups must be one-dimensional"),
    ],
)
def test_icc_bad_input_raises_value_error_naming_the_argument(
    values: list[float], groups: list[Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        stats.icc(values, groups)


def test_icc_with_unsortable_labels_raises_type_error() -> None:
    with pytest.raises(TypeError, match="groups must hold labels of one sortable type"):
        stats.icc([1.0, 2.0, 3.0, 4.0], np.array(["a", 1, "b", 1], dtype=object))


def test_examples_in_docstrings_pass() -> None:
    outcome = doctest.testmod(reliability, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0
    assert outcome.failed == 0
