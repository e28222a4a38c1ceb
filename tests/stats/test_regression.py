"""stats.r2_change against statsmodels OLS and compare_f_test on the same data."""

from __future__ import annotations

import doctest
import json
import warnings

import numpy as np
import numpy.typing as npt
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from tandem import stats
from tandem.stats import regression


def study(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gen = np.random.default_rng(seed)
    covariates = np.column_stack(
        [
            gen.normal(42, 11, n),  # age
            gen.integers(0, 2, n).astype(float),  # stable housing
            gen.normal(4.2, 1.0, n),  # baseline outcome
        ]
    )
    fidelity = gen.normal(30, 4, n)
    alliance = 40 + 0.6 * fidelity + gen.normal(0, 6, n)
    outcome = 0.5 * covariates[:, 2] + 0.05 * alliance + gen.normal(0, 1.5, n)
    return outcome, covariates, np.column_stack([fidelity, alliance])


@pytest.mark.parametrize("n", [40, 311])
def test_r2_change_matches_statsmodels_compare_f_test(n: int) -> None:
    y, base, added = study(n, seed=n)
    res = stats.r2_change(y, base, added)
    fit_base = sm.OLS(y, sm.add_constant(base)).fit()
    fit_full = sm.OLS(y, sm.add_constant(np.hstack([base, added]))).fit()
    f, p, df_diff = fit_full.compare_f_test(fit_base)
    assert_allclose(res.r2_base, fit_base.rsquared, rtol=1e-10)
    assert_allclose(res.r2_full, fit_full.rsquared, rtol=1e-10)
    assert_allclose(res.delta_r2, fit_full.rsquared - fit_base.rsquared, rtol=1e-9)
    assert_allclose(res.f, f, rtol=1e-9)
    assert_allclose(res.p, p, rtol=1e-8)
    assert res.df1 == df_diff == 2
    assert res.df2 == fit_full.df_resid == n - 6
    assert (res.n, res.n_base, res.n_added) == (n, 3, 2)


def test_one_dimensional_predictors_are_single_columns() -> None:
    y, base, added = study(80, seed=1)
    as_vectors = stats.r2_change(y, base[:, 2], added[:, 1])
    as_columns = stats.r2_change(y, base[:, [2]], added[:, [1]])
    assert as_vectors == as_columns
    assert (as_vectors.df1, as_vectors.df2) == (1, 77)


def test_empty_base_compares_with_the_intercept_only_model() -> None:
    y, _, added = study(60, seed=2)
    res = stats.r2_change(y, np.empty((60, 0)), added)
    fit = sm.OLS(y, sm.add_constant(added)).fit()
    assert res.r2_base == 0.0
    assert_allclose(res.r2_full, fit.rsquared, rtol=1e-10)
    assert_allclose(res.f, fit.fvalue, rtol=1e-9)
    assert_allclose(res.p, fit.f_pvalue, rtol=1e-8)


def test_large_outcome_mean_does_not_lose_precision() -> None:
    y, base, added = study(100, seed=3)
    near = stats.r2_change(y, base, added)
    far = stats.r2_change(y + 1e7, base, added)
    assert_allclose(far.r2_full, near.r2_full, rtol=1e-7)
    assert_allclose(far.f, near.f, rtol=1e-6)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"y": np.r_[np.nan, np.ones(29)]}, "y contains NaN"),
        ({"base": np.full((30, 1), np.inf)}, "base contains infinite"),
        ({"added": np.ones((29, 1))}, "added has 29 rows but y has 30"),
        ({"added": np.empty((30, 0))}, "added must have at least one column"),
        ({"y": np.ones(30)}, "y is constant"),
        ({"base": np.column_stack([np.arange(30.0), np.ones(30)])}, "base column 1 is constant"),
        ({"added": np.full(30, 2.0)}, "added column 0 is constant"),
        (
            {"base": np.column_stack([np.arange(30.0), 2 * np.arange(30.0) + 1])},
            "base columns are collinear",
        ),
        ({"added": np.arange(30.0) * 3 - 4}, "added columns are collinear"),
        (
            {"y": np.arange(3.0), "base": np.arange(3.0), "added": np.arange(3.0) ** 2},
            "y has 3 rows, fewer than needed for 3 parameters",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(
    change: dict[str, npt.NDArray[np.float64]], message: str
) -> None:
    gen = np.random.default_rng(0)
    call = {"y": gen.normal(size=30), "base": np.arange(30.0), "added": gen.normal(size=30)}
    call.update(change)
    with pytest.raises(ValueError, match=message):
        stats.r2_change(**call)


def test_text_predictors_raise_type_error() -> None:
    with pytest.raises(TypeError, match="added must be numeric"):
        stats.r2_change([1.0, 2.0, 3.0, 5.0], [1.0, 2.0, 4.0, 4.0], ["a", "b", "c", "d"])


def test_to_dict_is_json_ready() -> None:
    out = json.loads(json.dumps(stats.r2_change(*study(50, seed=4)).to_dict()))
    assert set(out) == {
        "r2_base", "r2_full", "delta_r2", "f", "df1", "df2", "p", "n", "n_base", "n_added",
        "warnings",
    }  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(0.01, 100),
    shift=st.floats(-100, 100),
)
def test_rescaling_predictors_or_outcome_leaves_the_test_unchanged(
    seed: int, scale: float, shift: float
) -> None:
    y, base, added = study(50, seed)
    ref = stats.r2_change(y, base, added)
    res = stats.r2_change(y * scale + shift, base * scale - shift, added / scale + shift)
    assert_allclose([res.r2_base, res.r2_full], [ref.r2_base, ref.r2_full], rtol=1e-8)
    assert_allclose(res.f, ref.f, rtol=1e-7)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), order=st.permutations(range(30)))
def test_row_order_does_not_matter(seed: int, order: list[int]) -> None:
    y, base, added = study(30, seed)
    ref = stats.r2_change(y, base, added)
    res = stats.r2_change(y[order], base[order], added[order])
    assert_allclose([res.r2_full, res.f], [ref.r2_full, ref.f], rtol=1e-9)


def test_examples_in_docstrings_pass() -> None:
    outcome = doctest.testmod(regression, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0
    assert outcome.failed == 0


def test_perfect_fit_of_the_full_model_warns_and_is_kept_in_the_result() -> None:
    gen = np.random.default_rng(0)
    base = gen.normal(size=(40, 2))
    added = gen.normal(size=40)
    y = 1.0 + base @ [1.0, 2.0] + 0.5 * added  # F would be about 6e30
    with pytest.warns(stats.DegenerateFitWarning, match="essentially perfect fit") as caught:
        res = stats.r2_change(y, base, added)
    assert len(caught) == 1
    assert res.warnings == (str(caught[0].message),)
    assert "full model" in res.warnings[0]


def test_ordinary_data_give_no_fit_warning() -> None:
    y, base, added = study(60, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", stats.DegenerateFitWarning)
        res = stats.r2_change(y, base, added)
    assert res.warnings == ()
