"""stats.mediation against statsmodels, pingouin, plain loops and stored reference estimates."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import json
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from tandem import stats
from tandem.stats import _bootstrap
from tandem.stats.mediation import CiMethod, _resampling
from tests.stats.data import mediation_reference as reference

# ``tandem.stats.mediation`` is the function once the package has loaded; this is the package.
mediation_module = importlib.import_module("tandem.stats.mediation")


def make_study(
    n: int = 311, n_covariates: int = 9, n_teams: int = 14, seed: int = 0
) -> dict[str, np.ndarray]:
    """Clients nested in teams with the paper's shape: a ≈ 0.6, b ≈ 0.1, nine covariates."""
    gen = np.random.default_rng(seed)
    team = np.arange(n) % n_teams
    covariates = gen.normal(size=(n, n_covariates))
    if n_covariates:
        covariates[:, 0] = gen.random(n) < 0.4
    x = gen.normal(28.0, 3.0, n_teams)[team] + gen.normal(0.0, 1.0, n)
    m = 40.0 + 0.6 * x + covariates @ gen.normal(0, 1, n_covariates) + gen.normal(0, 6, n)
    y = 1.0 + 0.1 * m + 0.02 * x + covariates @ gen.normal(0, 0.3, n_covariates)
    y = y + gen.normal(0, 1.5, n)
    return {"x": x, "m": m, "y": y, "covariates": covariates, "team": team}


def ols(response: np.ndarray, *columns: np.ndarray, **fit_kwargs: object) -> Any:
    return sm.OLS(response, sm.add_constant(np.column_stack(columns))).fit(**fit_kwargs)


def loop_indirect(study: dict[str, np.ndarray], index: np.ndarray | list[np.ndarray]) -> np.ndarray:
    """The plain reference: for each resample, index the rows and fit both models."""
    x, m, y, cov = study["x"], study["m"], study["y"], study["covariates"]
    ones = np.ones_like(x)
    draws = []
    for rows in index:
        a = np.linalg.lstsq(np.column_stack([ones, x, cov])[rows], m[rows], rcond=None)[0][1]
        b = np.linalg.lstsq(np.column_stack([ones, x, m, cov])[rows], y[rows], rcond=None)[0][2]
        draws.append(a * b)
    return np.array(draws)


def counts_from_index(index: np.ndarray, n: int) -> np.ndarray:
    return np.stack([np.bincount(rows, minlength=n) for rows in index]).astype(float)


# --- paths and standard errors -------------------------------------------------------------


def test_paths_and_standard_errors_match_statsmodels_ols() -> None:
    s = make_study()
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=50, rng=1)
    model_m = ols(s["m"], s["x"], s["covariates"])
    model_y = ols(s["y"], s["x"], s["m"], s["covariates"])
    model_total = ols(s["y"], s["x"], s["covariates"])
    for name, model, column in [
        ("a", model_m, 1),
        ("b", model_y, 2),
        ("c", model_total, 1),
        ("c_prime", model_y, 1),
    ]:
        got = [getattr(res, f"{name}{suffix}") for suffix in ("", "_se", "_t", "_p")]
        want = [model.params[column], model.bse[column], model.tvalues[column]]
        assert_allclose(got[:3], want, rtol=1e-10, err_msg=name)
        assert_allclose(got[3], model.pvalues[column], rtol=1e-9, err_msg=name)
    assert_allclose([res.r2_m, res.r2_y], [model_m.rsquared, model_y.rsquared], rtol=1e-10)
    assert res.indirect == pytest.approx(res.a * res.b, rel=1e-15)
    assert (res.n, res.n_covariates) == (311, 9)


@pytest.mark.parametrize("hc", ["HC0", "HC1", "HC2", "HC3"])
def test_hc_standard_errors_match_statsmodels_cov_type(hc: str) -> None:
    s = make_study(n=120, n_covariates=3)
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=20, hc=hc)
    fit = {"cov_type": hc, "use_t": True}
    model_m = ols(s["m"], s["x"], s["covariates"], **fit)
    model_y = ols(s["y"], s["x"], s["m"], s["covariates"], **fit)
    model_total = ols(s["y"], s["x"], s["covariates"], **fit)
    got = [res.a_se, res.b_se, res.c_se, res.c_prime_se, res.a_t, res.b_t]
    want = [
        model_m.bse[1],
        model_y.bse[2],
        model_total.bse[1],
        model_y.bse[1],
        model_m.tvalues[1],
        model_y.tvalues[2],
    ]
    assert_allclose(got, want, rtol=1e-10)
    assert_allclose([res.a_p, res.b_p], [model_m.pvalues[1], model_y.pvalues[2]], rtol=1e-9)
    assert res.hc == hc


def test_total_effect_is_direct_plus_indirect() -> None:
    s = make_study(n=200, n_covariates=4)
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=20)
    assert res.c == pytest.approx(res.c_prime + res.indirect, rel=1e-12)


def _reference_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    data = {name: np.array(values) for name, values in reference.DATA.items()}
    covariates = {name: data[name] for name in reference.COVARIATES}
    return data["x"], data["m"], data["y"], covariates


def test_point_estimates_match_semopy_maximum_likelihood_reference() -> None:
    x, m, y, covariates = _reference_inputs()
    res = stats.mediation(x, m, y, covariates, n_resamples=20)
    got = {name: getattr(res, name) for name in reference.SEMOPY}
    assert_allclose(list(got.values()), list(reference.SEMOPY.values()), rtol=1e-6)


def test_point_estimates_match_covariance_algebra_reference() -> None:
    x, m, y, covariates = _reference_inputs()
    res = stats.mediation(x, m, y, covariates, n_resamples=20)
    expected = reference.COVARIANCE_ALGEBRA
    got = [getattr(res, name) for name in expected]
    assert_allclose(got, list(expected.values()), rtol=1e-10)


# --- bootstrap intervals -------------------------------------------------------------------


@pytest.mark.parametrize("batch", [None, 7])
def test_percentile_interval_equals_plain_loop_on_the_same_resamples(batch: int | None) -> None:
    s = make_study(n=150, n_covariates=3, seed=4)
    # Rows sorted by x are already in the canonical order, so resample row numbers refer to
    # the rows as given.
    order = np.argsort(s["x"])
    s = {name: values[order] for name, values in s.items()}
    n, n_resamples, seed = 150, 1000, 99
    res = stats.mediation(
        s["x"], s["m"], s["y"], s["covariates"], n_resamples=n_resamples, rng=seed, batch=batch
    )
    uniforms = np.random.default_rng(seed).random((n_resamples, n))
    index = np.minimum((uniforms * n).astype(np.intp), n - 1)
    expected_draws = loop_indirect(s, index)
    assert_allclose(res.boot_indirect, expected_draws, rtol=1e-9)
    # PROCESS takes the 25th and 976th of 1000 sorted draws for a 95% interval.
    ranked = np.argsort(expected_draws)
    low, high = ranked[25 - 1], ranked[976 - 1]
    assert np.argsort(res.boot_indirect)[25 - 1] == low
    assert np.argsort(res.boot_indirect)[976 - 1] == high
    assert res.ci_low == pytest.approx(expected_draws[low], rel=1e-12)
    assert res.ci_high == pytest.approx(expected_draws[high], rel=1e-12)
    assert res.boot_se == pytest.approx(np.std(expected_draws, ddof=1), rel=1e-9)


def test_bias_corrected_interval_equals_pingouin_on_pingouin_resamples() -> None:
    s = make_study(n=200, n_covariates=3, seed=2)
    names = [f"c{j}" for j in range(3)]
    frame = pd.DataFrame({"x": s["x"], "m": s["m"], "y": s["y"]})
    frame[names] = s["covariates"]
    table, pingouin_draws = pingouin.mediation_analysis(
        data=frame, x="x", m="m", y="y", covar=names, n_boot=500, seed=3, return_dist=True
    )
    # pingouin draws its resamples this way (pingouin/regression.py, mediation_analysis).
    index = np.random.RandomState(3).choice(np.arange(200), replace=True, size=(500, 200))
    z = _resampling.scaled_design(s["x"], s["m"], s["y"], s["covariates"])
    moments = _resampling.crossproducts(z).T @ counts_from_index(index, 200).T
    scaled, _ = _resampling.indirect_from_moments(moments, z.shape[1])
    draws = scaled * np.std(s["y"], ddof=1) / np.std(s["x"], ddof=1)
    assert_allclose(draws, pingouin_draws, rtol=1e-9)

    indirect = table.set_index("path").loc["Indirect"]
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=20)
    assert res.indirect == pytest.approx(indirect["coef"], rel=1e-10)
    low, high = _bootstrap.bias_corrected_interval(draws, res.indirect, 0.95)
    assert_allclose([low, high], [indirect["CI2.5"], indirect["CI97.5"]], rtol=1e-9)


def test_bias_corrected_interval_agrees_with_pingouin_within_monte_carlo_error() -> None:
    s = make_study(n=311, n_covariates=9, seed=5)
    names = [f"c{j}" for j in range(9)]
    frame = pd.DataFrame({"x": s["x"], "m": s["m"], "y": s["y"]})
    frame[names] = s["covariates"]
    table = pingouin.mediation_analysis(
        data=frame, x="x", m="m", y="y", covar=names, n_boot=2000, seed=11
    ).set_index("path")
    res = stats.mediation(
        s["x"], s["m"], s["y"], s["covariates"], n_resamples=2000, rng=12, ci_method="bc"
    )
    # With 2000 draws each, a 2.5% quantile has a Monte Carlo SD of about 0.06 bootstrap SEs;
    # 0.35 SE is four SDs of the difference of two independent runs.
    tolerance = 0.35 * res.boot_se
    assert abs(res.ci_low - table.loc["Indirect", "CI2.5"]) < tolerance
    assert abs(res.ci_high - table.loc["Indirect", "CI97.5"]) < tolerance
    assert res.boot_se == pytest.approx(table.loc["Indirect", "se"], rel=0.1)
    assert res.a == pytest.approx(table.loc["m ~ X", "coef"], rel=1e-10)
    assert res.c == pytest.approx(table.loc["Total", "coef"], rel=1e-10)
    assert res.c_prime == pytest.approx(table.loc["Direct", "coef"], rel=1e-10)


def test_pingouin_y_on_m_row_is_not_the_b_path() -> None:
    s = make_study(n=200, n_covariates=2, seed=6)
    frame = pd.DataFrame({"x": s["x"], "m": s["m"], "y": s["y"]})
    frame[["c0", "c1"]] = s["covariates"]
    table = pingouin.mediation_analysis(
        data=frame, x="x", m="m", y="y", covar=["c0", "c1"], n_boot=50, seed=1
    ).set_index("path")
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=20)
    # pingouin's "Y ~ M" leaves x out of the model; b adjusts for x.
    y_on_m = ols(s["y"], s["m"], s["covariates"]).params[1]
    assert table.loc["Y ~ m", "coef"] == pytest.approx(y_on_m, rel=1e-10)
    assert res.b != pytest.approx(y_on_m, rel=1e-3)


def test_bca_interval_uses_the_leave_one_out_jackknife() -> None:
    s = make_study(n=80, n_covariates=2, seed=7)
    res = stats.mediation(
        s["x"], s["m"], s["y"], s["covariates"], n_resamples=400, rng=5, ci_method="bca"
    )
    order = np.lexsort((s["covariates"][:, 1], s["covariates"][:, 0], s["y"], s["m"], s["x"]))
    sorted_study = {name: values[order] for name, values in s.items()}
    keep = ~np.eye(80, dtype=bool)
    jack = np.concatenate([loop_indirect(sorted_study, [np.flatnonzero(row)]) for row in keep])
    d = jack.mean() - jack
    acceleration = np.sum(d**3) / (6 * np.sum(d**2) ** 1.5)
    expected = _bootstrap.bias_corrected_interval(
        res.boot_indirect, res.indirect, 0.95, acceleration=acceleration
    )
    assert_allclose([res.ci_low, res.ci_high], expected, rtol=1e-9)
    bc = _bootstrap.bias_corrected_interval(res.boot_indirect, res.indirect, 0.95)
    assert bc != pytest.approx(expected, rel=1e-6)


def test_bca_with_clusters_leaves_one_cluster_out() -> None:
    s = make_study(n=60, n_covariates=1, n_teams=6, seed=8)
    z = _resampling.scaled_design(s["x"], s["m"], s["y"], s["covariates"])
    products = _resampling.crossproducts(z)
    jack = _resampling.jackknife_indirect(products, z.shape[1], s["team"], 6)
    ratio = np.std(s["y"], ddof=1) / np.std(s["x"], ddof=1)
    expected = np.concatenate(
        [loop_indirect(s, [np.flatnonzero(s["team"] != team)]) for team in range(6)]
    )
    assert_allclose(jack * ratio, expected, rtol=1e-9)


def test_percentile_ranks_follow_process() -> None:
    assert _bootstrap.percentile_ranks(5000, 0.95) == (125, 4876)
    assert _bootstrap.percentile_ranks(1000, 0.95) == (25, 976)
    assert _bootstrap.percentile_ranks(2000, 0.90) == (100, 1901)
    assert _bootstrap.percentile_ranks(10, 0.95) == (1, 10)


def test_percentile_interval_leaves_out_nan_draws() -> None:
    draws = np.concatenate([np.arange(1.0, 1001.0), [np.nan] * 7])
    assert _bootstrap.percentile_interval(draws) == (25.0, 976.0)


def test_resamples_in_which_a_covariate_is_constant_match_least_squares() -> None:
    s = make_study(n=40, n_covariates=2, seed=9)
    s["covariates"][:, 0] = 0.0
    s["covariates"][[3, 30], 0] = 1.0
    order = np.lexsort((s["covariates"][:, 1], s["covariates"][:, 0], s["y"], s["m"], s["x"]))
    s = {name: values[order] for name, values in s.items()}
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=300, rng=2)
    index = np.minimum((np.random.default_rng(2).random((300, 40)) * 40).astype(np.intp), 39)
    has_no_case = ~np.isin(index, np.flatnonzero(s["covariates"][:, 0])).any(axis=1)
    assert has_no_case.sum() > 10
    assert_allclose(res.boot_indirect, loop_indirect(s, index), rtol=1e-8)


# --- invariances ---------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    scale=st.floats(1e-3, 1e3),
    shift=st.floats(-1e3, 1e3),
)
def test_rescaling_x_leaves_the_standardised_indirect_effect_unchanged(
    seed: int, scale: float, shift: float
) -> None:
    s = make_study(n=60, n_covariates=2, seed=seed)
    kwargs: dict[str, Any] = {"n_resamples": 200, "rng": seed}
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], **kwargs)
    scaled = stats.mediation(s["x"] * scale + shift, s["m"], s["y"], s["covariates"], **kwargs)
    got = [scaled.indirect_std, scaled.indirect_std_ci_low, scaled.indirect_std_ci_high]
    want = [res.indirect_std, res.indirect_std_ci_low, res.indirect_std_ci_high]
    # atol for bounds that happen to lie next to 0, where only absolute rounding is meaningful.
    assert_allclose(got, want, rtol=1e-8, atol=1e-12)
    assert scaled.a == pytest.approx(res.a / scale, rel=1e-8)


@pytest.mark.filterwarnings("ignore:cluster has only 5 clusters:UserWarning")
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    permutation_seed=st.integers(0, 2**16),
    clustered=st.booleans(),
    ci_method=st.sampled_from(["percentile", "bc", "bca"]),
)
def test_permuting_rows_changes_nothing_with_a_fixed_seed(
    seed: int, permutation_seed: int, clustered: bool, ci_method: CiMethod
) -> None:
    s = make_study(n=60, n_covariates=2, n_teams=5, seed=seed)
    kwargs: dict[str, Any] = {"n_resamples": 200, "rng": 3, "ci_method": ci_method}
    if clustered:
        kwargs["cluster"] = np.array([f"team-{t}" for t in s["team"]])
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], **kwargs)
    perm = np.random.default_rng(permutation_seed).permutation(60)
    if clustered:
        kwargs["cluster"] = kwargs["cluster"][perm]
    shuffled = stats.mediation(
        s["x"][perm], s["m"][perm], s["y"][perm], s["covariates"][perm], **kwargs
    )
    assert shuffled.to_dict() == res.to_dict()
    assert_array_equal(shuffled.boot_indirect, res.boot_indirect)


def test_batch_size_does_not_change_the_draws() -> None:
    s = make_study(n=50, n_covariates=1, seed=10)
    whole = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=90, rng=4)
    chunked = stats.mediation(
        s["x"], s["m"], s["y"], s["covariates"], n_resamples=90, rng=4, batch=8
    )
    assert_allclose(chunked.boot_indirect, whole.boot_indirect, rtol=1e-12)


# --- clusters ------------------------------------------------------------------------------


def test_cluster_resamples_keep_each_clusters_rows_together() -> None:
    team = np.repeat(np.arange(7), [2, 3, 4, 5, 2, 6, 3])
    weights = np.concatenate(
        list(_bootstrap.resample_weights(np.random.default_rng(0), team.size, 300, 64, team, 7))
    )
    assert weights.shape == (300, team.size)
    for t in range(7):
        rows = weights[:, team == t]
        assert_array_equal(rows, rows[:, :1].repeat(rows.shape[1], axis=1))
    drawn_clusters = np.stack([weights[:, np.flatnonzero(team == t)[0]] for t in range(7)])
    assert_array_equal(drawn_clusters.sum(axis=0), 7)


def test_cluster_bootstrap_is_wider_when_teams_differ() -> None:
    gen = np.random.default_rng(11)
    team = np.arange(280) % 14
    x = gen.normal(0, 1, 14)[team]
    m = 0.5 * x + gen.normal(0, 1, 14)[team] + gen.normal(0, 0.5, 280)
    y = 0.5 * m + gen.normal(0, 1, 14)[team] + gen.normal(0, 0.5, 280)
    rows = stats.mediation(x, m, y, n_resamples=500, rng=1)
    teams = stats.mediation(x, m, y, n_resamples=500, rng=1, cluster=team)
    assert teams.n_clusters == 14
    assert rows.n_clusters is None
    assert teams.boot_se > 1.5 * rows.boot_se


# --- result --------------------------------------------------------------------------------


def test_to_dict_is_json_ready_and_leaves_out_the_draws() -> None:
    s = make_study(n=60, n_covariates=2)
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=100, rng=7)
    out = res.to_dict()
    assert "boot_indirect" not in out
    assert "boot_indirect_std" not in out
    assert out["seed"] == 7
    assert out["n_resamples"] == 100
    assert out["ci_method"] == "percentile"
    json.dumps(out)
    assert res.boot_indirect.shape == (100,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.a = 0.0  # type: ignore[misc]  # frozen: the assignment must fail


def test_docstring_examples_run() -> None:
    for module in (mediation_module, _bootstrap):
        outcome = doctest.testmod(module)
        assert (outcome.failed, outcome.attempted > 0) == (0, True)


# --- bad input -----------------------------------------------------------------------------


def _small() -> dict[str, np.ndarray]:
    return make_study(n=30, n_covariates=2, n_teams=3, seed=12)


def _with(name: str, values: object) -> dict[str, Any]:
    s: dict[str, Any] = dict(_small())
    s[name] = values
    return s


def _call(s: dict[str, Any], **kwargs: Any) -> None:
    stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=10, **kwargs)


@pytest.mark.parametrize(
    ("name", "position", "value", "message"),
    [
        ("x", 3, np.nan, "x contains NaN"),
        ("m", 0, np.inf, "m contains infinite"),
        ("y", 5, -np.inf, "y contains infinite"),
    ],
)
def test_non_finite_values_are_rejected_naming_the_variable(
    name: str, position: int, value: float, message: str
) -> None:
    values = _small()[name].copy()
    values[position] = value
    with pytest.raises(ValueError, match=message):
        _call(_with(name, values))


@pytest.mark.parametrize("name", ["x", "m", "y"])
def test_constant_column_is_rejected_naming_the_variable(name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} is constant"):
        _call(_with(name, np.full(30, 2.5)))


def test_constant_covariate_is_rejected_by_its_name() -> None:
    s = _small()
    covariates = {"age": s["covariates"][:, 0], "site": np.ones(30)}
    with pytest.raises(ValueError, match=r"covariates\['site'\] is constant"):
        _call(_with("covariates", covariates))


def test_dataframe_covariate_with_nan_is_rejected_by_its_column_name() -> None:
    frame = pd.DataFrame(_small()["covariates"], columns=["age", "education"])
    frame.loc[4, "education"] = np.nan
    with pytest.raises(ValueError, match=r"covariates\['education'\] contains NaN"):
        _call(_with("covariates", frame))


def test_unnamed_covariate_is_rejected_by_its_column_number() -> None:
    covariates = _small()["covariates"].copy()
    covariates[:, 1] = 7.0
    with pytest.raises(ValueError, match=r"covariates\[:, 1\] is constant"):
        _call(_with("covariates", covariates))


def test_collinear_covariate_is_rejected() -> None:
    s = _small()
    covariates = {"age": s["covariates"][:, 0], "age_twice": 2 * s["covariates"][:, 0] + 1}
    with pytest.raises(ValueError, match=r"covariates\['age_twice'\] is a linear combination"):
        _call(_with("covariates", covariates))


def test_mismatched_lengths_are_rejected_naming_the_variable() -> None:
    with pytest.raises(ValueError, match="m has 29 rows but x has 30"):
        _call(_with("m", _small()["m"][:-1]))


def test_fewer_rows_than_parameters_is_rejected() -> None:
    s = make_study(n=6, n_covariates=3, seed=1)
    with pytest.raises(ValueError, match=r"6 rows, fewer than needed .* 6 parameters"):
        stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=10)


_TEAM_LABELS = ["north"] * 14 + ["south"] * 15 + ["east"]

_LABEL_INPUTS: dict[str, Any] = {
    "list": lambda labels: list(labels),
    "numpy <U": lambda labels: np.array(labels),
    "object array": lambda labels: np.array(labels, dtype=object),
    "pandas Series": lambda labels: pd.Series(labels),
    "pandas string Series": lambda labels: pd.Series(labels, dtype="string"),
    "pandas Categorical": lambda labels: pd.Categorical(labels),
    "Categorical Series": lambda labels: pd.Series(pd.Categorical(labels)),
}


@pytest.mark.parametrize("kind", list(_LABEL_INPUTS))
def test_a_cluster_with_one_member_is_resampled_whatever_the_label_type(kind: str) -> None:
    s = _small()
    reference_kwargs: dict[str, Any] = {"n_resamples": 200, "rng": 5, "ci_method": "bca"}
    with pytest.warns(UserWarning, match="only 3 clusters"):
        want = stats.mediation(
            s["x"],
            s["m"],
            s["y"],
            s["covariates"],
            cluster=np.array(_TEAM_LABELS),
            **reference_kwargs,
        )
    with pytest.warns(UserWarning, match="only 3 clusters"):
        got = stats.mediation(
            s["x"],
            s["m"],
            s["y"],
            s["covariates"],
            cluster=_LABEL_INPUTS[kind](_TEAM_LABELS),
            **reference_kwargs,
        )
    assert got.n_clusters == 3
    assert got.to_dict() == want.to_dict()
    assert_array_equal(got.boot_indirect, want.boot_indirect)


def test_ten_or_more_clusters_with_singletons_resample_without_a_warning() -> None:
    s = make_study(n=40, n_covariates=1, n_teams=12, seed=3)
    team = s["team"].copy()
    team[team == 11] = 10
    team[np.flatnonzero(team == 10)[0]] = 11  # team 11 now has one client
    labels = np.array([f"team-{t}" for t in team], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = stats.mediation(
            s["x"], s["m"], s["y"], s["covariates"], n_resamples=100, rng=2, cluster=labels
        )
    assert res.n_clusters == 12
    assert np.isfinite(res.ci_low)


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_a_missing_cluster_label_is_rejected(missing: object) -> None:
    labels: list[object] = list(_TEAM_LABELS)
    labels[4] = missing
    with pytest.raises(ValueError, match="cluster contains missing labels"):
        _call(_small(), cluster=np.array(labels, dtype=object))


# --- pandas inputs ----------------------------------------------------------------------


def _frame(s: dict[str, np.ndarray], index: Any = None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"x": s["x"], "m": s["m"], "y": s["y"], "c0": s["covariates"][:, 0]},
        index=index,
    )
    frame["team"] = [f"team-{t}" for t in s["team"]]
    return frame


def test_aligned_pandas_inputs_give_the_array_result() -> None:
    s = make_study(n=40, n_covariates=1, n_teams=12, seed=8)
    frame = _frame(s, index=np.arange(100, 140))
    covariates = {"c0": s["covariates"][:, 0]}  # named as the DataFrame's column
    want = stats.mediation(s["x"], s["m"], s["y"], covariates, n_resamples=100, rng=1)
    got = stats.mediation(frame["x"], frame["m"], frame["y"], frame[["c0"]], n_resamples=100, rng=1)
    assert got.to_dict() == want.to_dict()


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("m", "m is not aligned with x"),
        ("y", "y is not aligned with x"),
        ("covariates", "covariates is not aligned with x"),
        ("covariates mapping", r"covariates\['c0'\] is not aligned with x"),
        ("cluster", "cluster is not aligned with x"),
    ],
)
def test_misaligned_pandas_inputs_are_refused_naming_the_argument(
    argument: str, message: str
) -> None:
    s = make_study(n=40, n_covariates=1, n_teams=12, seed=8)
    frame = _frame(s)
    reversed_frame = frame.iloc[::-1]
    args: dict[str, Any] = {
        "x": frame["x"],
        "m": frame["m"],
        "y": frame["y"],
        "covariates": frame[["c0"]],
        "cluster": frame["team"],
    }
    if argument == "covariates mapping":
        args["covariates"] = {"c0": reversed_frame["c0"]}
    else:
        column = {"covariates": ["c0"], "cluster": "team"}.get(argument, argument)
        args[argument] = reversed_frame[column]
    with pytest.raises(ValueError, match=message):
        stats.mediation(**args, n_resamples=10, rng=1)


def test_cluster_of_the_wrong_length_is_rejected() -> None:
    with pytest.raises(ValueError, match="cluster has 29 rows but x has 30"):
        _call(_small(), cluster=np.arange(29) % 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hc": "HC9"}, "hc must be"),
        ({"ci_method": "normal"}, "ci_method must be"),
        ({"confidence_level": 1.0}, "confidence_level must be"),
        ({"batch": 0}, "batch must be"),
    ],
)
def test_bad_settings_are_rejected_naming_the_argument(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _call(_small(), **kwargs)


def test_zero_resamples_is_rejected() -> None:
    s = _small()
    with pytest.raises(ValueError, match="n_resamples must be at least 1"):
        stats.mediation(s["x"], s["m"], s["y"], n_resamples=0)


def test_non_integer_seed_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="rng must be"):
        _call(_small(), rng="seven")


# --- resamples that cannot identify the paths ------------------------------------------------


def loop_replaced(
    x: np.ndarray, m: np.ndarray, y: np.ndarray, n_resamples: int, seed: int
) -> tuple[np.ndarray, int]:
    """Draw resample after resample from the stream, skipping those with x or m constant."""
    n = x.size
    gen = np.random.default_rng(seed)
    draws: list[float] = []
    replaced = 0
    while len(draws) < n_resamples:
        rows = np.minimum((gen.random(n) * n).astype(np.intp), n - 1)
        if np.ptp(x[rows]) == 0.0:
            replaced += 1
            continue
        ones = np.ones(n)
        a = np.linalg.lstsq(np.column_stack([ones, x])[rows], m[rows], rcond=None)[0][1]
        b = np.linalg.lstsq(np.column_stack([ones, x, m])[rows], y[rows], rcond=None)[0][2]
        draws.append(a * b)
    return np.array(draws), replaced


@pytest.mark.parametrize("batch", [None, 13])
def test_resamples_with_constant_x_are_replaced_and_counted(batch: int | None) -> None:
    gen = np.random.default_rng(5)
    n = 20
    x = np.zeros(n)
    x[[4, 11]] = 1.0  # a rare binary predictor: about 12% of resamples miss both cases
    m = 3.0 + 2.0 * x + gen.normal(size=n)
    y = 1.0 + 0.5 * m + gen.normal(size=n)
    order = np.lexsort((y, m, x))
    x, m, y = x[order], m[order], y[order]
    res = stats.mediation(x, m, y, n_resamples=2000, rng=3, batch=batch)
    expected, replaced = loop_replaced(x, m, y, 2000, 3)
    assert replaced > 100
    assert res.n_replaced == replaced
    assert np.isfinite(res.boot_indirect).all()
    assert res.boot_indirect.size == 2000
    assert_allclose(res.boot_indirect, expected, rtol=1e-8)
    assert res.to_dict()["n_replaced"] == replaced


def test_no_replacement_is_reported_as_zero() -> None:
    s = make_study(n=80, n_covariates=2, seed=1)
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=200, rng=1)
    assert res.n_replaced == 0


def test_too_few_usable_resamples_is_a_clear_error() -> None:
    # One case of x and tied m among the others: more than half of all resamples fail.
    x = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    m = np.array([0.0, 0.0, 0.0, 1.0, 3.0])
    y = np.array([1.0, 0.0, 2.0, 1.0, 3.0])
    with pytest.raises(ValueError, match=r"bootstrap resamples could not estimate the paths"):
        stats.mediation(x, m, y, n_resamples=500, rng=1)


# --- degenerate fits ------------------------------------------------------------------------


def test_perfect_fit_of_y_warns_that_its_inference_is_unreliable() -> None:
    # y computed from x and m (as when the outcome's total contains the mediator's items): the
    # residuals are rounding noise and t would be about 1e16.
    gen = np.random.default_rng(0)
    x = gen.normal(size=50)
    m = 0.6 * x + gen.normal(size=50)
    y = 1.0 + 0.3 * x + 0.5 * m
    with pytest.warns(stats.DegenerateFitWarning, match="essentially perfect fit") as caught:
        res = stats.mediation(x, m, y, n_resamples=100, rng=1)
    assert any("model of y on x and m" in str(w.message) for w in caught)
    assert len(res.warnings) == 1
    assert "model of y on x and m" in res.warnings[0]
    assert res.to_dict()["warnings"] == list(res.warnings)


def test_near_perfect_total_model_is_named_in_the_warning() -> None:
    gen = np.random.default_rng(1)
    x = gen.normal(size=60)
    m = 0.6 * x + gen.normal(size=60)
    # The relative residual variance of y ~ x is about 1e-14, below the 1e-10 threshold.
    y = 2.0 + 0.3 * x + 1e-7 * gen.normal(size=60)
    with pytest.warns(stats.DegenerateFitWarning) as caught:
        res = stats.mediation(x, m, y, n_resamples=100, rng=1)
    # The total model and the model of y with m both fit essentially perfectly.
    assert sorted(str(w.message) for w in caught) == sorted(res.warnings)
    assert len(res.warnings) == 2
    assert any("model of y on x (total effect)" in text for text in res.warnings)


def test_ordinary_data_give_no_fit_warning() -> None:
    s = make_study(n=100, n_covariates=2, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", stats.DegenerateFitWarning)
        res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=100, rng=1)
    assert res.warnings == ()


def test_mediator_that_is_a_combination_of_x_and_a_covariate_is_rank_deficient() -> None:
    s = make_study(n=60, n_covariates=2, seed=4)
    m = 2.0 * s["x"] - s["covariates"][:, 1] + 3.0
    with pytest.raises(ValueError, match=r"covariates\[:, 1\] is a linear combination"):
        stats.mediation(s["x"], m, s["y"], s["covariates"], n_resamples=10, rng=1)


def test_near_perfect_model_of_m_is_refused_as_rank_deficient() -> None:
    gen = np.random.default_rng(2)
    x = gen.normal(size=60)
    m = 0.6 * x + 1e-7 * gen.normal(size=60)  # relative residual variance about 3e-14
    y = 0.5 * m + gen.normal(size=60)
    with pytest.raises(ValueError, match="m is almost exactly a linear combination"):
        stats.mediation(x, m, y, n_resamples=50, rng=1)
