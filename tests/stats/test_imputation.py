"""Tests for stats.impute, stats.pool (Rubin's rules) and stats.mediation_imputed."""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats as sps
from statsmodels.imputation.mice import MICE, MICEData

from tandem import stats
from tandem.stats._bootstrap import percentile_interval
from tests.stats.data import imputation_reference as ref
from tests.stats.data import pmm_reference, pmm_studies


def _items_with_gaps(seed: int = 0, n: int = 120) -> pd.DataFrame:
    """Four correlated 1-4 items and a covariate, with about 10% of item answers missing."""
    gen = np.random.default_rng(seed)
    person = gen.normal(size=n)
    items = np.clip(np.rint(2.5 + person[:, None] + gen.normal(0, 0.6, (n, 4))), 1, 4)
    frame = pd.DataFrame(items, columns=["q1", "q2", "q3", "q4"])
    frame = frame.mask(gen.random(frame.shape) < 0.1)
    frame.insert(0, "age", np.rint(gen.normal(40, 10, n)))
    frame.insert(0, "client_id", [f"C{i:03d}" for i in range(n)])
    frame.index = pd.RangeIndex(100, 100 + n)
    return frame


NUMERIC = ["age", "q1", "q2", "q3", "q4"]


# ---------------------------------------------------------------------------------------------
# impute


def test_impute_fills_every_gap_and_keeps_observed_values() -> None:
    frame = _items_with_gaps()
    res = stats.impute(frame, m=4, rng=1, n_burnin=3, columns=NUMERIC)
    assert len(res.datasets) == 4
    observed = frame[NUMERIC].notna()
    for completed in res.datasets:
        assert list(completed.columns) == list(frame.columns)
        assert completed.index.equals(frame.index)
        assert not completed[NUMERIC].isna().any().any()
        pd.testing.assert_frame_equal(
            completed[NUMERIC].where(observed), frame[NUMERIC].astype(float), check_dtype=False
        )
        pd.testing.assert_series_equal(completed["client_id"], frame["client_id"])


def test_imputed_values_are_values_observed_in_the_same_column() -> None:
    frame = _items_with_gaps(seed=2)
    res = stats.impute(frame, m=3, rng=5, n_burnin=2, columns=NUMERIC)
    for completed in res.datasets:
        for column in ["q1", "q2", "q3", "q4"]:
            donors = set(frame[column].dropna())
            imputed = set(completed.loc[frame[column].isna(), column])
            assert imputed <= donors


def test_imputations_differ_between_data_sets() -> None:
    res = stats.impute(_items_with_gaps(), m=3, rng=1, n_burnin=2, columns=NUMERIC)
    first, second = res.datasets[0][NUMERIC], res.datasets[1][NUMERIC]
    assert not first.equals(second)


def test_same_seed_gives_identical_data_sets() -> None:
    frame = _items_with_gaps()
    one = stats.impute(frame, m=3, rng=42, n_burnin=2, columns=NUMERIC)
    two = stats.impute(frame, m=3, rng=42, n_burnin=2, columns=NUMERIC)
    for left, right in zip(one.datasets, two.datasets, strict=True):
        pd.testing.assert_frame_equal(left, right)
    assert one.seed == 42


def test_different_seeds_give_different_data_sets() -> None:
    frame = _items_with_gaps()
    one = stats.impute(frame, m=2, rng=1, n_burnin=2, columns=NUMERIC)
    two = stats.impute(frame, m=2, rng=2, n_burnin=2, columns=NUMERIC)
    assert not one.datasets[0].equals(two.datasets[0])


def test_generator_rng_is_used_and_no_seed_is_recorded() -> None:
    frame = _items_with_gaps()
    one = stats.impute(frame, m=2, rng=np.random.default_rng(9), n_burnin=1, columns=NUMERIC)
    two = stats.impute(frame, m=2, rng=np.random.default_rng(9), n_burnin=1, columns=NUMERIC)
    pd.testing.assert_frame_equal(one.datasets[1], two.datasets[1])
    assert one.seed is None


def test_impute_leaves_numpy_global_random_state_untouched() -> None:
    np.random.seed(123)  # noqa: NPY002 - the global state is what is under test
    before: tuple[Any, ...] = np.random.get_state()  # type: ignore[assignment]  # noqa: NPY002 - the legacy tuple form
    stats.impute(_items_with_gaps(), m=2, rng=3, n_burnin=1, columns=NUMERIC)
    after: tuple[Any, ...] = np.random.get_state()  # type: ignore[assignment]  # noqa: NPY002 - the legacy tuple form
    assert before[0] == after[0]
    assert np.array_equal(before[1], after[1])
    assert before[2:] == after[2:]


def test_pooled_mean_recovers_a_value_missing_at_random() -> None:
    gen = np.random.default_rng(10)
    n = 600
    x = gen.normal(size=n)
    y = 2.0 + 1.5 * x + gen.normal(0, 0.5, n)
    # y is missing more often when x is high: the observed mean of y is biased low.
    y_seen = np.where(gen.random(n) < 1 / (1 + np.exp(-x)), np.nan, y)
    frame = pd.DataFrame({"x": x, "y": y_seen})
    res = stats.impute(frame, m=5, rng=3, n_burnin=5)
    pooled = stats.pool([(d["y"].mean(), d["y"].std(ddof=1) / math.sqrt(n)) for d in res.datasets])
    complete_case_bias = np.nanmean(y_seen) - y.mean()
    assert complete_case_bias < -0.4
    assert abs(pooled.estimate - y.mean()) < abs(complete_case_bias) / 4
    assert pooled.ci_low < y.mean() < pooled.ci_high


def test_impute_reports_missing_counts_and_serialises_without_the_data() -> None:
    frame = _items_with_gaps()
    res = stats.impute(frame, m=2, rng=1, n_burnin=1, columns=NUMERIC)
    assert res.n_missing == {c: int(frame[c].isna().sum()) for c in NUMERIC}
    assert res.fraction_missing == pytest.approx(frame[NUMERIC].isna().to_numpy().mean())
    out = res.to_dict()
    assert "datasets" not in out
    assert out["columns"] == NUMERIC
    json.dumps(out)


def test_complete_frame_gives_copies_of_itself() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 1.0, 5.0]})
    res = stats.impute(frame, m=2, rng=0, n_burnin=1)
    for completed in res.datasets:
        pd.testing.assert_frame_equal(completed, frame)


def test_nullable_integer_columns_are_imputed() -> None:
    frame = pd.DataFrame(
        {"a": pd.array([1, 2, None, 4, 3, 2], dtype="Int64"), "b": [1.0, 2.5, 3.0, 4.0, 3, 2]}
    )
    res = stats.impute(frame, m=2, rng=0, n_burnin=1)
    assert res.datasets[0]["a"].notna().all()
    assert res.n_missing == {"a": 1, "b": 0}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"frame": np.zeros((3, 2))}, TypeError, "frame must be a pandas DataFrame"),
        ({"m": 1}, ValueError, "m must be at least 2"),
        ({"m": 2.0}, TypeError, "m must be an int"),
        ({"m": True}, TypeError, "m must be an int"),
        ({"n_burnin": -1}, ValueError, "n_burnin must be at least 0"),
        ({"k_pmm": 0}, ValueError, "k_pmm must be at least 1"),
        ({"columns": ["age", "nope"]}, ValueError, "'nope', which is not a column"),
        ({"columns": ["age", "age"]}, ValueError, "more than once"),
        ({"columns": "age"}, TypeError, "not a string"),
        ({"columns": []}, ValueError, "columns is empty"),
        ({"columns": None}, TypeError, "column 'client_id' is not numeric"),
    ],
)
def test_impute_rejects_bad_arguments_naming_them(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    arguments = {"frame": _items_with_gaps(), "m": 2, "columns": NUMERIC, **kwargs}
    with pytest.raises(error, match=match):
        stats.impute(arguments.pop("frame"), **arguments)


def test_impute_rejects_a_column_with_no_observed_value() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "empty": [np.nan] * 3})
    with pytest.raises(ValueError, match="column 'empty' has no observed value"):
        stats.impute(frame, m=2)


def test_impute_rejects_infinite_values() -> None:
    frame = pd.DataFrame({"a": [1.0, np.inf, 3.0], "b": [1.0, np.nan, 2.0]})
    with pytest.raises(ValueError, match="column 'a' contains infinite values"):
        stats.impute(frame, m=2)


def test_impute_rejects_a_row_with_nothing_observed() -> None:
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [1.0, np.nan, 2.0]}, index=[5, 6, 7])
    with pytest.raises(ValueError, match="row 6 of frame has every column"):
        stats.impute(frame, m=2)


def test_impute_rejects_duplicate_column_labels() -> None:
    frame = pd.DataFrame([[1.0, 2.0], [np.nan, 1.0]], columns=["a", "a"])
    with pytest.raises(ValueError, match="more than one column named 'a'"):
        stats.impute(frame, m=2)


def test_defaults_are_mice_pmm_settings_and_are_reported() -> None:
    res = stats.impute(_items_with_gaps(), m=2, rng=1, columns=NUMERIC)
    assert (res.k_pmm, res.n_burnin) == (5, 10)
    assert (res.n_ridge, res.n_dropped) == (0, 0)


def test_a_duplicated_column_gets_the_ridge_and_still_imputes_observed_values() -> None:
    frame = _items_with_gaps(seed=4)[NUMERIC]
    frame.insert(1, "age_again", frame["age"])
    res = stats.impute(frame, m=2, rng=3, n_burnin=2)
    assert res.n_ridge == 2 * 2 * 4  # chains x iterations x incomplete items
    for completed in res.datasets:
        assert not completed.isna().any().any()
        for column in ["q1", "q2", "q3", "q4"]:
            assert set(completed.loc[frame[column].isna(), column]) <= set(frame[column].dropna())


def test_a_constant_predictor_is_left_out_as_mice_does() -> None:
    frame = _items_with_gaps(seed=5)[NUMERIC].assign(site=7.0)
    res = stats.impute(frame, m=3, rng=2, n_burnin=2)
    assert res.n_ridge == 0
    assert res.n_dropped == 3 * 2 * 4  # the site column, in every chain, iteration and item


@st.composite
def _frames_with_gaps(draw: st.DrawFn) -> pd.DataFrame:
    """A small frame: each column draws from its own few values; some cells missing."""
    n = draw(st.integers(3, 30))
    p = draw(st.integers(1, 4))
    gen = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    columns = {}
    for j in range(p):
        levels = np.round(gen.normal(0, 10, draw(st.integers(1, 5))), 2)
        columns[f"c{j}"] = levels[gen.integers(0, levels.size, n)]
    frame = pd.DataFrame(columns)
    gaps = gen.random((n, p)) < draw(st.floats(0.0, 0.6))
    gaps[np.arange(n), gen.integers(0, p, n)] = False  # no row empty
    gaps[gen.integers(0, n, p), np.arange(p)] = False  # no column empty
    return frame.mask(gaps)


@settings(max_examples=40, deadline=None)
@given(frame=_frames_with_gaps(), k_pmm=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_pmm_imputes_only_values_observed_in_the_same_column(
    frame: pd.DataFrame, k_pmm: int, seed: int
) -> None:
    res = stats.impute(frame, m=2, rng=seed, n_burnin=2, k_pmm=k_pmm)
    for completed in res.datasets:
        assert not completed.isna().any().any()
        for column in frame.columns:
            observed = frame[column].notna()
            assert set(completed.loc[~observed, column]) <= set(frame.loc[observed, column])
            assert completed.loc[observed, column].equals(frame.loc[observed, column])


# ---------------------------------------------------------------------------------------------
# impute against R mice on seed-shaped studies (tests/stats/data/make_pmm_reference.py)


def _imputed_a(frame: pd.DataFrame, m: int, seed: int) -> float:
    """The a path averaged over ``m`` data sets completed by stats.impute (Rubin's estimate)."""
    res = stats.impute(frame, m=m, rng=seed, n_burnin=pmm_reference.MAXIT)
    return float(np.mean([pmm_studies.a_path(completed) for completed in res.datasets]))


def test_the_studies_are_the_ones_mice_imputed() -> None:
    for seed, checksum in pmm_reference.CHECKSUMS.items():
        frame = pmm_studies.make_study(seed)
        assert pmm_studies.checksum(frame) == checksum
        assert_allclose(pmm_studies.a_path(frame), pmm_reference.COMPLETE_CASE_A[seed], rtol=1e-10)


def test_imputation_changes_the_a_path_as_much_as_mice_pmm_does() -> None:
    # Paired by study, Tandem's MI - CC minus mice's MI - CC is the difference of the two MI
    # estimates of a; the studies' spread of it is the Monte Carlo error of both imputations.
    differences = np.array(
        [
            _imputed_a(pmm_studies.make_study(seed), pmm_reference.M, seed) - mice_a
            for seed, mice_a in pmm_reference.MICE_IMPUTED_A.items()
        ]
    )
    assert differences.size == 40
    se = differences.std(ddof=1) / math.sqrt(differences.size)
    assert abs(differences.mean()) < 3 * se, (differences.mean(), se)


def test_under_mcar_imputation_and_complete_cases_estimate_the_same_a() -> None:
    # Both are unbiased when items are missing completely at random: across studies their
    # difference averages zero within its standard error.
    differences = []
    for seed in range(500, 524):
        frame = pmm_studies.make_study(seed, mcar=True)
        differences.append(_imputed_a(frame, 10, seed) - pmm_studies.a_path(frame))
    se = np.std(differences, ddof=1) / math.sqrt(len(differences))
    assert abs(np.mean(differences)) < 3 * se, (np.mean(differences), se)


# ---------------------------------------------------------------------------------------------
# pool


def test_pool_matches_statsmodels_mice_combine() -> None:
    gen = np.random.default_rng(21)
    n = 200
    x1, x2 = gen.normal(size=n), gen.normal(size=n)
    y = 1.0 + 0.5 * x1 - 0.3 * x2 + gen.normal(size=n)
    frame = pd.DataFrame({"y": y, "x1": x1, "x2": x2})
    frame = frame.mask(gen.random(frame.shape) < 0.15)
    mice = MICE("y ~ x1 + x2", sm.OLS, MICEData(frame, rng=np.random.default_rng(2)))
    combined = mice.fit(n_burnin=3, n_imputations=6)
    for j in range(3):
        pairs = [(r.params.iloc[j], r.bse.iloc[j]) for r in mice.results_list]
        res = stats.pool(pairs)
        assert_allclose(res.estimate, combined.params[j], rtol=1e-12)
        assert_allclose(res.se, combined.bse[j], rtol=1e-10)
        assert_allclose(res.lambda_, combined.frac_miss_info[j], rtol=1e-10)


@pytest.mark.parametrize("name", sorted(ref.VARIANCE_INFORMATION))
def test_pool_reproduces_sas_mianalyze_variance_information(name: str) -> None:
    row = ref.VARIANCE_INFORMATION[name]
    # Five estimates whose sample variance is SAS's between variance, all with its within
    # variance: Rubin's quantities depend on the estimates only through B and U-bar.
    z = np.array([-2.0, -1.0, 0.0, 1.0, 2.0]) / math.sqrt(2.5)
    estimates = 3.0 + math.sqrt(row["between"]) * z
    se = math.sqrt(row["within"])
    res = stats.pool([(q, se) for q in estimates], df_complete=ref.EDF)
    assert res.m == ref.M
    assert_allclose(res.between_variance, row["between"], rtol=1e-12)
    assert_allclose(res.within_variance, row["within"], rtol=1e-12)
    # SAS prints B and U-bar to six decimals; B = 0.014715 is known to 3e-5 relative only.
    assert_allclose(res.total_variance, row["total"], rtol=1e-5)
    assert_allclose(res.df, row["df"], rtol=1e-4)
    assert_allclose(res.riv, row["riv"], rtol=5e-5)
    assert_allclose(res.fmi, row["fmi"], rtol=5e-5)


def test_pool_hand_computed_example() -> None:
    res = stats.pool([(1.0, 1.0), (2.0, 1.0), (3.0, 1.0)], df_complete=10)
    m, u_bar, b = 3, Fraction(1), Fraction(1)
    t = u_bar + (1 + Fraction(1, m)) * b
    r = (1 + Fraction(1, m)) * b / u_bar
    lam = (1 + Fraction(1, m)) * b / t
    df_rubin = (m - 1) / lam**2
    df_observed = Fraction(11, 13) * 10 * (1 - lam)
    df = 1 / (1 / df_rubin + 1 / df_observed)
    assert res.estimate == pytest.approx(2.0, rel=1e-15)
    assert res.total_variance == pytest.approx(float(t), rel=1e-15)
    assert res.riv == pytest.approx(float(r), rel=1e-15)
    assert res.lambda_ == pytest.approx(float(lam), rel=1e-15)
    assert res.df == pytest.approx(float(df), rel=1e-14)
    assert res.fmi == pytest.approx(float((r + 2 / (df_rubin + 3)) / (r + 1)), rel=1e-14)
    q = sps.t.ppf(0.975, float(df))
    assert res.ci_low == pytest.approx(2.0 - q * math.sqrt(float(t)), rel=1e-12)
    assert res.p == pytest.approx(2 * sps.t.sf(2.0 / math.sqrt(float(t)), float(df)), rel=1e-12)


def test_pool_reads_a_field_and_its_standard_error_from_results() -> None:
    results = [{"b": 0.1, "b_se": 0.02}, {"b": 0.14, "b_se": 0.025}, {"b": 0.12, "b_se": 0.02}]
    by_field = stats.pool(results, field="b", df_complete=50)
    by_pairs = stats.pool([(r["b"], r["b_se"]) for r in results], df_complete=50)
    assert by_field == by_pairs


def test_pool_reads_attributes_of_result_objects() -> None:
    class Fit:
        def __init__(self, a: float, a_se: float) -> None:
            self.a, self.a_se = a, a_se

    res = stats.pool([Fit(0.6, 0.2), Fit(0.7, 0.21)], field="a")
    assert res.estimate == pytest.approx(0.65)


def test_without_complete_data_df_the_df_is_rubins() -> None:
    pairs = [(0.52, 0.11), (0.61, 0.12), (0.47, 0.10)]
    res = stats.pool(pairs)
    assert res.df == pytest.approx((res.m - 1) / res.lambda_**2)
    assert stats.pool(pairs, df_complete=1e12).df == pytest.approx(res.df, rel=1e-6)
    assert stats.pool(pairs, df_complete=30).df < res.df


def test_agreeing_estimates_give_no_missing_information() -> None:
    res = stats.pool([(1.5, 0.5), (1.5, 0.5), (1.5, 0.5)])
    assert res.between_variance == 0
    assert res.riv == 0
    assert res.lambda_ == 0
    assert res.fmi == 0
    assert math.isinf(res.df)
    assert res.ci_high == pytest.approx(1.5 + 1.959963984540054 * 0.5)
    small = stats.pool([(1.5, 0.5), (1.5, 0.5)], df_complete=20)
    assert small.df == pytest.approx(21 / 23 * 20)


def test_zero_total_variance_gives_nan_test_and_interval() -> None:
    res = stats.pool([(2.0, 0.0), (2.0, 0.0)])
    assert res.se == 0
    assert math.isnan(res.t)
    assert math.isnan(res.p)
    assert math.isnan(res.ci_low)


def test_one_sided_alternatives_halve_the_p_value_and_open_the_interval() -> None:
    pairs = [(0.3, 0.1), (0.36, 0.11), (0.33, 0.1)]
    two = stats.pool(pairs, df_complete=40)
    greater = stats.pool(pairs, df_complete=40, alternative="greater")
    less = stats.pool(pairs, df_complete=40, alternative="less")
    assert greater.p == pytest.approx(two.p / 2)
    assert less.p == pytest.approx(1 - two.p / 2)
    assert greater.ci_high == math.inf
    assert greater.ci_low > two.ci_low
    assert less.ci_low == -math.inf
    assert less.ci_high < two.ci_high


def test_pool_to_dict_is_json_ready() -> None:
    out = stats.pool([(0.3, 0.1), (0.36, 0.11)], df_complete=40).to_dict()
    assert out["m"] == 2
    assert out["alternative"] == "two-sided"
    json.dumps(out)


@pytest.mark.parametrize(
    ("arguments", "kwargs", "error", "match"),
    [
        ([(0.1, 0.2)], {}, ValueError, "at least 2"),
        ([(0.1, 0.2), (np.nan, 0.2)], {}, ValueError, "estimates must be finite"),
        ([(0.1, 0.2), (0.2, -0.1)], {}, ValueError, "entry 1 is -0.1"),
        ([(0.1, 0.2), (0.2, np.inf)], {}, ValueError, "non-negative"),
        ([(0.1, 0.2), (0.2,)], {}, TypeError, r"results_or_estimates\[1\] must be an"),
        ([(0.1, 0.2), "ab"], {}, TypeError, "pair"),
        ([(0.1, 0.2), (0.2, 0.1)], {"df_complete": 0}, ValueError, "df_complete must be positive"),
        ([(0.1, 0.2), (0.2, 0.1)], {"df_complete": "9"}, TypeError, "df_complete must be a"),
        ([(0.1, 0.2), (0.2, 0.1)], {"alternative": "bigger"}, ValueError, "alternative must"),
        ([(0.1, 0.2), (0.2, 0.1)], {"confidence_level": 95}, ValueError, "confidence_level"),
        ([{"a": 1}, {"a": 2}], {"field": "a"}, TypeError, "has no 'a_se'"),
        ([object(), object()], {"field": "b"}, TypeError, r"\(object\) has no 'b'"),
    ],
)
def test_pool_rejects_bad_input_naming_it(
    arguments: list[Any], kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        stats.pool(arguments, **kwargs)


def test_pool_rejects_a_single_object() -> None:
    with pytest.raises(TypeError, match="must be a sequence"):
        stats.pool(3.0)  # type: ignore[arg-type]  # the wrong type under test


_pairs = st.lists(
    st.tuples(st.floats(-100, 100, allow_nan=False), st.floats(0.01, 10, allow_nan=False)),
    min_size=2,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(pairs=_pairs, shift=st.floats(-50, 50), scale=st.floats(0.1, 10))
def test_pool_is_equivariant_under_shift_and_scale(
    pairs: list[tuple[float, float]], shift: float, scale: float
) -> None:
    base = stats.pool(pairs, df_complete=30)
    moved = stats.pool([(scale * q + shift, scale * s) for q, s in pairs], df_complete=30)
    assert moved.estimate == pytest.approx(scale * base.estimate + shift, abs=1e-8 * scale)
    assert moved.se == pytest.approx(scale * base.se, rel=1e-9)
    assert moved.df == pytest.approx(base.df, rel=1e-9)
    assert moved.fmi == pytest.approx(base.fmi, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(pairs=_pairs, seed=st.integers(0, 2**32 - 1))
def test_pool_ignores_the_order_of_imputations(pairs: list[tuple[float, float]], seed: int) -> None:
    shuffled = list(np.random.default_rng(seed).permutation(np.array(pairs)))
    base, other = stats.pool(pairs), stats.pool([tuple(p) for p in shuffled])
    assert other.estimate == pytest.approx(base.estimate, rel=1e-12, abs=1e-12)
    assert other.se == pytest.approx(base.se, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# mediation_imputed


def _mediation_frame(seed: int, n: int = 120) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    fidelity = gen.normal(28, 4, n)
    age = gen.normal(40, 10, n)
    alliance = 40 + 0.6 * fidelity + 0.05 * age + gen.normal(0, 5, n)
    outcome = 20 + 0.2 * alliance + gen.normal(0, 3, n)
    return pd.DataFrame(
        {
            "fidelity": fidelity,
            "alliance": alliance,
            "outcome": outcome,
            "age": age,
            "team": np.repeat(np.arange(12), n // 12),
        }
    )


def _completed(seed: int = 3, m: int = 3) -> list[pd.DataFrame]:
    """Completed-looking data sets: one frame with the mediator perturbed per imputation."""
    base = _mediation_frame(seed)
    gen = np.random.default_rng(seed + 100)
    rows = gen.random(len(base)) < 0.15
    out = []
    for _ in range(m):
        frame = base.copy()
        frame.loc[rows, "alliance"] += gen.normal(0, 4, rows.sum())
        out.append(frame)
    return out


def test_paths_are_pooled_by_rubins_rules_from_per_imputation_fits() -> None:
    datasets = _completed()
    res = stats.mediation_imputed(
        datasets, "fidelity", "alliance", "outcome", ["age"], n_resamples=200, rng=4
    )
    streams = np.random.default_rng(4).spawn(len(datasets))
    fits = [
        stats.mediation(
            d["fidelity"], d["alliance"], d["outcome"], {"age": d["age"]}, n_resamples=200, rng=g
        )
        for d, g in zip(datasets, streams, strict=True)
    ]
    n, k = len(datasets[0]), 1
    for name, df_complete in [("a", n - 2 - k), ("b", n - 3 - k), ("c", n - 2 - k)]:
        pooled = stats.pool(fits, field=name, df_complete=df_complete)
        assert getattr(res, name) == pytest.approx(pooled.estimate, rel=1e-12)
        assert getattr(res, f"{name}_se") == pytest.approx(pooled.se, rel=1e-12)
        assert getattr(res, f"{name}_df") == pytest.approx(pooled.df, rel=1e-12)
        assert getattr(res, f"{name}_p") == pytest.approx(pooled.p, rel=1e-9)
        assert getattr(res, f"{name}_fmi") == pytest.approx(pooled.fmi, rel=1e-12)
    pooled = stats.pool(fits, field="c_prime", df_complete=n - 3 - k)
    assert res.c_prime_se == pytest.approx(pooled.se, rel=1e-12)
    assert res.indirect == pytest.approx(np.mean([f.indirect for f in fits]), rel=1e-12)


def test_interval_is_the_percentile_interval_of_the_stacked_draws() -> None:
    datasets = _completed()
    res = stats.mediation_imputed(
        datasets, "fidelity", "alliance", "outcome", n_resamples=300, rng=8
    )
    streams = np.random.default_rng(8).spawn(len(datasets))
    draws = [
        stats.mediation(d["fidelity"], d["alliance"], d["outcome"], n_resamples=300, rng=g)
        for d, g in zip(datasets, streams, strict=True)
    ]
    stacked = np.concatenate([fit.boot_indirect for fit in draws])
    assert np.array_equal(res.boot_indirect, stacked)
    assert (res.ci_low, res.ci_high) == percentile_interval(stacked, 0.95)
    assert res.boot_se == pytest.approx(np.std(stacked, ddof=1))
    std_stacked = np.concatenate([fit.boot_indirect_std for fit in draws])
    assert (res.indirect_std_ci_low, res.indirect_std_ci_high) == percentile_interval(
        std_stacked, 0.95
    )
    assert res.boot_indirect.size == 3 * 300
    assert res.n_resamples == 300


def test_identical_data_sets_give_the_single_data_set_paths() -> None:
    frame = _mediation_frame(5)
    single = stats.mediation(frame["fidelity"], frame["alliance"], frame["outcome"], n_resamples=10)
    res = stats.mediation_imputed([frame, frame], "fidelity", "alliance", "outcome", n_resamples=10)
    assert res.a == pytest.approx(single.a, rel=1e-12)
    assert res.b_se == pytest.approx(single.b_se, rel=1e-12)
    assert res.a_fmi == 0


def test_accepts_an_imputation_result_and_clusters() -> None:
    frame = _mediation_frame(6)
    frame.loc[frame.index[::9], "alliance"] = np.nan
    completed = stats.impute(frame, m=2, rng=1, n_burnin=2)
    res = stats.mediation_imputed(
        completed, "fidelity", "alliance", "outcome", "age", n_resamples=100, rng=2, cluster="team"
    )
    assert res.n_imputations == 2
    assert res.n_clusters == 12
    assert res.n_covariates == 1


def test_replaced_resamples_are_summed_and_fit_warnings_passed_on_once() -> None:
    gen = np.random.default_rng(7)
    n = 20
    x = np.zeros(n)
    x[[4, 11]] = 1.0  # a rare binary predictor: some resamples miss both cases
    base = pd.DataFrame({"x": x, "m": 3.0 + 2.0 * x + gen.normal(size=n)})
    datasets = []
    for i in range(3):
        frame = base.copy()
        frame.loc[[2, 9], "m"] += i  # the first data set differs from the other two
        frame["y"] = 1.0 + 0.3 * frame["x"] + 0.5 * frame["m"]  # y fits essentially perfectly
        datasets.append(frame)
    datasets[2] = datasets[1].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.DegenerateFitWarning)
        res = stats.mediation_imputed(datasets, "x", "m", "y", n_resamples=500, rng=2)
        streams = np.random.default_rng(2).spawn(3)
        fits = [
            stats.mediation(d["x"], d["m"], d["y"], n_resamples=500, rng=g)
            for d, g in zip(datasets, streams, strict=True)
        ]
    assert res.n_replaced == sum(fit.n_replaced for fit in fits)
    assert res.n_replaced > 0
    messages = [text for fit in fits for text in fit.warnings]
    assert len(messages) == 3  # the model of y on x and m, in each data set
    assert list(res.warnings) == list(dict.fromkeys(messages))
    assert len(res.warnings) == 2  # the second and third data sets are the same
    assert res.to_dict()["warnings"] == list(res.warnings)


def test_ordinary_data_sets_give_no_warning_and_no_replacement() -> None:
    res = stats.mediation_imputed(_completed(), "fidelity", "alliance", "outcome", n_resamples=50)
    assert res.warnings == ()
    assert res.n_replaced == 0


def test_same_seed_gives_the_same_result() -> None:
    datasets = _completed()
    one = stats.mediation_imputed(
        datasets, "fidelity", "alliance", "outcome", n_resamples=50, rng=1
    )
    two = stats.mediation_imputed(
        datasets, "fidelity", "alliance", "outcome", n_resamples=50, rng=1
    )
    assert one == two
    assert np.array_equal(one.boot_indirect, two.boot_indirect)
    assert one.seed == 1


def test_mediation_imputed_to_dict_leaves_out_the_draws() -> None:
    res = stats.mediation_imputed(_completed(), "fidelity", "alliance", "outcome", n_resamples=20)
    out = res.to_dict()
    assert "boot_indirect" not in out
    assert "boot_indirect_std" not in out
    assert out["n_imputations"] == 3
    json.dumps(out)


def test_mediation_imputed_names_the_data_set_with_a_problem() -> None:
    datasets = _completed()
    datasets[1].loc[4, "outcome"] = np.nan
    with pytest.raises(ValueError, match=r"datasets\[1\]: y contains NaN"):
        stats.mediation_imputed(datasets, "fidelity", "alliance", "outcome", n_resamples=10)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda d: d[:1], ValueError, "at least 2"),
        (lambda d: d[0], TypeError, "sequence of DataFrames"),
        (lambda d: [d[0], d[1].to_numpy()], TypeError, r"datasets\[1\] must be a pandas"),
        (lambda d: [d[0], d[1].iloc[:-1]], ValueError, "differ in length"),
        (lambda d: [d[0], d[1].drop(columns="age")], ValueError, r"not a column of datasets\[1\]"),
    ],
)
def test_mediation_imputed_rejects_bad_data_sets(
    change: Callable[[list[pd.DataFrame]], Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        stats.mediation_imputed(
            change(_completed()), "fidelity", "alliance", "outcome", "age", n_resamples=10
        )


def test_mediation_imputed_rejects_a_column_given_twice() -> None:
    with pytest.raises(ValueError, match=r"covariates\[0\] names column 'fidelity'"):
        stats.mediation_imputed(
            _completed(), "fidelity", "alliance", "outcome", ["fidelity"], n_resamples=10
        )


def test_mediation_imputed_rejects_an_unknown_cluster_column() -> None:
    with pytest.raises(ValueError, match="cluster names 'site'"):
        stats.mediation_imputed(
            _completed(), "fidelity", "alliance", "outcome", n_resamples=10, cluster="site"
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_resamples": 0}, ValueError, "^n_resamples must be at least 1"),
        ({"n_resamples": 10.0}, TypeError, "^n_resamples must be an int"),
        ({"confidence_level": 1.5}, ValueError, "^confidence_level must be between"),
    ],
)
def test_mediation_imputed_rejects_bad_settings_before_fitting(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        stats.mediation_imputed(_completed(), "fidelity", "alliance", "outcome", **kwargs)
