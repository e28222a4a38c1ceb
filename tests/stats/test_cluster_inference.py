"""Cluster-robust paths and the wild cluster bootstrap of stats.mediation.

CR1 is checked against statsmodels, CR2 against R clubSandwich values stored by
``data/make_cr2_reference.R`` and against a plain hand computation (an explicit loop over
clusters with the full hat matrix, written from Bell & McCaffrey's and Pustejovsky & Tipton's
formulas), the wild bootstrap against a loop that refits both models on every resample.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from tandem import stats
from tandem.stats import _sandwich, _wild
from tests.stats.data import cr2_reference as reference

PATHS = {"a": ("m", 1), "b": ("y", 2), "c": ("total", 1), "c_prime": ("y", 1)}
WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


def teams_study(
    n_teams: int = 14, seed: int = 0, n_covariates: int = 2, icc: float = 0.26
) -> dict[str, np.ndarray]:
    """Clients in teams of unequal size; fidelity x per team, team effects on m and y."""
    gen = np.random.default_rng(seed)
    team = np.concatenate([np.arange(n_teams), gen.integers(0, n_teams, 6 * n_teams)])
    n = team.size
    covariates = gen.normal(size=(n, n_covariates))
    x = gen.normal(28.0, 3.0, n_teams)[team] + gen.normal(0.0, 0.5, n)
    m = 40.0 + 0.6 * x + covariates @ gen.normal(0, 1, n_covariates)
    m += 6.0 * (
        math.sqrt(icc) * gen.normal(size=n_teams)[team] + math.sqrt(1 - icc) * gen.normal(size=n)
    )
    y = 1.0 + 0.1 * m + covariates @ gen.normal(0, 0.3, n_covariates)
    y += 1.5 * (
        math.sqrt(icc) * gen.normal(size=n_teams)[team] + math.sqrt(1 - icc) * gen.normal(size=n)
    )
    labels = np.array([f"team-{t:02d}" for t in team])
    return {"x": x, "m": m, "y": y, "covariates": covariates, "team": labels}


def designs(s: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each path's model as (design, response), intercept first as in PATHS' columns."""
    ones = np.ones_like(s["x"])
    cov = s["covariates"]
    return {
        "m": (np.column_stack([ones, s["x"], cov]), s["m"]),
        "y": (np.column_stack([ones, s["x"], s["m"], cov]), s["y"]),
        "total": (np.column_stack([ones, s["x"], cov]), s["y"]),
    }


def inverse_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Symmetric inverse square root, eigenvalues at or below 1e-12 set to 0 (clubSandwich)."""
    values, vectors = np.linalg.eigh(matrix)
    power = np.array([v**-0.5 if v > 1e-12 else 0.0 for v in values])
    result: np.ndarray = (vectors * power) @ vectors.T
    return result


def hand_cr2(
    design: np.ndarray, response: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CR2 standard errors and Satterthwaite df from the definitions, cluster by cluster.

    Returns (se, df, adjusted residuals A_g e_g).
    """
    n, p = design.shape
    bread = np.linalg.inv(design.T @ design)
    resid = response - design @ (bread @ design.T @ response)
    hat = design @ bread @ design.T
    residual_maker = np.eye(n) - hat
    meat = np.zeros((p, p))
    adjusted = np.empty(n)
    p_vectors = []  # per cluster: (n, p) matrix whose column j is p_g for coefficient j
    for label in np.unique(groups):
        rows = np.flatnonzero(groups == label)
        x_g = design[rows]
        a_g = inverse_sqrt(np.eye(rows.size) - hat[np.ix_(rows, rows)])
        score = x_g.T @ a_g @ resid[rows]
        meat += np.outer(score, score)
        adjusted[rows] = a_g @ resid[rows]
        p_vectors.append(residual_maker[:, rows] @ a_g @ x_g @ bread)
    se = np.sqrt(np.diag(bread @ meat @ bread))
    df = np.empty(p)
    for j in range(p):
        vectors = np.stack([pv[:, j] for pv in p_vectors])
        gram = vectors @ vectors.T
        df[j] = np.trace(gram) ** 2 / np.sum(gram**2)
    return se, df, adjusted


def run(s: dict[str, np.ndarray], **kwargs: Any) -> stats.MediationResult:
    kwargs.setdefault("n_resamples", 50)
    kwargs.setdefault("rng", 1)
    return stats.mediation(s["x"], s["m"], s["y"], s["covariates"], cluster=s["team"], **kwargs)


# --- CR1 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_cr1_paths_match_statsmodels_cluster_covariance_with_t(seed: int) -> None:
    s = teams_study(seed=seed)
    res = run(s, hc="CR1")
    groups = np.unique(s["team"], return_inverse=True)[1]
    for name, (model, column) in PATHS.items():
        design, response = designs(s)[model]
        fit = sm.OLS(response, design).fit(
            cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
        )
        got = [getattr(res, f"{name}{suffix}") for suffix in ("", "_se", "_t", "_p")]
        want = [fit.params[column], fit.bse[column], fit.tvalues[column], fit.pvalues[column]]
        assert_allclose(got, want, rtol=1e-10, err_msg=name)
        low, high = fit.conf_int(alpha=0.05)[column]
        assert_allclose(
            [getattr(res, f"{name}_ci_low"), getattr(res, f"{name}_ci_high")],
            [low, high],
            rtol=1e-10,
            err_msg=name,
        )
        assert getattr(res, f"{name}_df") == fit.df_resid_inference == 13
    assert res.hc == "CR1"


def test_cr1_interval_follows_the_confidence_level() -> None:
    s = teams_study(seed=2)
    res = run(s, hc="CR1", confidence_level=0.9)
    groups = np.unique(s["team"], return_inverse=True)[1]
    design, response = designs(s)["m"]
    fit = sm.OLS(response, design).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    assert_allclose([res.a_ci_low, res.a_ci_high], fit.conf_int(alpha=0.1)[1], rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 12])
def test_cr1_model_f_tests_match_statsmodels_with_cluster_df(seed: int) -> None:
    s = teams_study(seed=seed)
    res = run(s, hc="CR1")
    groups = pd.factorize(s["team"])[0]
    for name, (design, response) in designs(s).items():
        fit = sm.OLS(response, design).fit(
            cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
        )
        table = getattr(res, f"model_{name}")
        assert (table.df1, table.df2) == (design.shape[1] - 1, fit.df_resid_inference)
        assert_allclose([table.f, table.f_p], [fit.fvalue, fit.f_pvalue], rtol=1e-9)
        assert_allclose(table.mse, fit.ssr / fit.df_resid, rtol=1e-12)


def test_cr2_model_f_test_is_the_cr2_wald_test_on_cluster_df() -> None:
    s = teams_study(seed=3)
    res = run(s, hc="CR2")
    n_teams = len(set(s["team"]))
    for name, (design, response) in designs(s).items():
        coef = np.linalg.lstsq(design, response, rcond=None)[0]
        adjusted = hand_cr2(design, response, s["team"])[2]
        bread = np.linalg.inv(design.T @ design)
        scores = [design[s["team"] == g].T @ adjusted[s["team"] == g] for g in set(s["team"])]
        cov = bread @ sum(np.outer(score, score) for score in scores) @ bread
        slopes = coef[1:]
        f = slopes @ np.linalg.solve(cov[1:, 1:], slopes) / slopes.size
        table = getattr(res, f"model_{name}")
        assert table.df2 == n_teams - 1
        assert_allclose(
            [table.f, table.f_p],
            [f, scipy.stats.f.sf(f, slopes.size, n_teams - 1)],
            rtol=1e-9,
            err_msg=name,
        )


# --- CR2 ---------------------------------------------------------------------------------


def _reference_study() -> dict[str, np.ndarray]:
    data = {name: np.array(values, dtype=float) for name, values in reference.DATA.items()}
    return {
        "x": data["x"],
        "m": data["m"],
        "y": data["y"],
        "covariates": data["age"][:, None],
        "team": data["team"].astype(int),
    }


def r_values(model: str, key: str) -> np.ndarray:
    """One stored clubSandwich column (coef, se, df or p) of ``model``, as floats."""
    return np.asarray(reference.MODELS[model][key], dtype=float)


def test_cr2_paths_match_r_clubsandwich() -> None:
    s = _reference_study()
    res = run(s, hc="CR2")
    for name, (model, column) in PATHS.items():
        got = [getattr(res, f"{name}{suffix}") for suffix in ("", "_se", "_df", "_p")]
        expected = [r_values(model, key)[column] for key in ("coef", "se", "df", "p")]
        assert_allclose(got, expected, rtol=1e-10, err_msg=name)
    assert res.hc == "CR2"


def test_cr2_every_coefficient_matches_r_clubsandwich() -> None:
    s = _reference_study()
    codes = np.unique(s["team"], return_inverse=True)[1]
    for model, (design, response) in designs(s).items():
        bread = np.linalg.inv(design.T @ design)
        resid = response - design @ (bread @ design.T @ response)
        cov, df = _sandwich.cr2_covariance(design, resid, bread, codes, int(codes.max()) + 1)
        assert_allclose(np.sqrt(np.diag(cov)), r_values(model, "se"), rtol=1e-10)
        assert_allclose(df, r_values(model, "df"), rtol=1e-10)


@pytest.mark.parametrize("data", ["reference", "teams"])
def test_cr2_paths_match_a_hand_computation(data: str) -> None:
    s = _reference_study() if data == "reference" else teams_study(seed=3)
    res = run(s, hc="CR2")
    for name, (model, column) in PATHS.items():
        design, response = designs(s)[model]
        se, df, _ = hand_cr2(design, response, s["team"])
        t = getattr(res, name) / se[column]
        half = scipy.stats.t.ppf(0.975, df[column]) * se[column]
        got = [getattr(res, f"{name}{suffix}") for suffix in ("_se", "_df", "_t", "_p")]
        want = [se[column], df[column], t, 2 * scipy.stats.t.sf(abs(t), df[column])]
        assert_allclose(got, want, rtol=1e-9, err_msg=name)
        assert_allclose(
            [getattr(res, f"{name}_ci_low"), getattr(res, f"{name}_ci_high")],
            [getattr(res, name) - half, getattr(res, name) + half],
            rtol=1e-9,
            err_msg=name,
        )


def test_cr2_df_of_a_team_level_predictor_is_far_below_the_cluster_count() -> None:
    res = run(teams_study(seed=4), hc="CR2")
    # x varies almost only between teams: its Satterthwaite df sits well below G - 1 = 13.
    assert 2.0 < res.a_df < 13.0
    assert res.a_df < res.b_df


# --- OLS and HC degrees of freedom ------------------------------------------------------


@pytest.mark.parametrize("hc", [None, "HC3"])
def test_ols_and_hc_paths_use_n_minus_p_degrees_of_freedom(hc: str | None) -> None:
    s = teams_study(seed=5)
    res = stats.mediation(s["x"], s["m"], s["y"], s["covariates"], n_resamples=20, hc=hc)
    n = s["x"].size
    assert (res.a_df, res.c_df) == (n - 4, n - 4)
    assert (res.b_df, res.c_prime_df) == (n - 5, n - 5)
    design, response = designs(s)["y"]
    fit = sm.OLS(response, design).fit(**({} if hc is None else {"cov_type": hc, "use_t": True}))
    assert_allclose([res.b_ci_low, res.b_ci_high], fit.conf_int(alpha=0.05)[2], rtol=1e-10)


# --- wild cluster bootstrap ---------------------------------------------------------------


def loop_wild(
    s: dict[str, np.ndarray],
    n_resamples: int,
    seed: int | np.random.Generator,
    points: np.ndarray | None,
    level: float | None = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Refit both models on every resample of CR2-adjusted residuals times cluster weights.

    ``points`` are Webb's six points; None draws Rademacher weights. With ``level``, each
    model's adjusted residuals are first widened by t(df) / z quantiles at that level, df the
    Satterthwaite df of the model's path (a for m, b for y).
    """
    labels, codes = np.unique(s["team"], return_inverse=True)
    uniforms = np.random.default_rng(seed).random((n_resamples, labels.size))
    models = designs(s)
    fitted = {}
    adjusted = {}
    for model, column in (("m", 1), ("y", 2)):
        design, response = models[model]
        coef = np.linalg.lstsq(design, response, rcond=None)[0]
        fitted[model] = design @ coef
        _, df, adjusted[model] = hand_cr2(design, response, s["team"])
        if level is not None:
            quantile = (1 + level) / 2
            ratio = scipy.stats.t.ppf(quantile, df[column]) / scipy.stats.norm.ppf(quantile)
            adjusted[model] = adjusted[model] * ratio
    sd_x = np.std(s["x"], ddof=1)
    draws, draws_std = [], []
    for u in uniforms:
        if points is None:
            weights = np.where(u < 0.5, -1.0, 1.0)
        else:
            weights = points[np.minimum((u * 6).astype(int), 5)]
        m_star = fitted["m"] + weights[codes] * adjusted["m"]
        y_star = fitted["y"] + weights[codes] * adjusted["y"]
        a = np.linalg.lstsq(models["m"][0], m_star, rcond=None)[0][1]
        b = np.linalg.lstsq(models["y"][0], y_star, rcond=None)[0][2]
        draws.append(a * b)
        draws_std.append(a * b * sd_x / np.std(y_star, ddof=1))
    return np.array(draws), np.array(draws_std)


@pytest.mark.parametrize("weights", ["webb", "rademacher"])
@pytest.mark.parametrize(("scale", "level"), [("t", 0.95), ("t", 0.9), ("none", None)])
def test_wild_draws_equal_a_loop_refitting_each_resample(
    weights: str, scale: str, level: float | None
) -> None:
    s = teams_study(seed=6)
    res = run(
        s,
        bootstrap="wild",
        wild_weights=weights,
        wild_scale=scale,
        confidence_level=level or 0.95,
        n_resamples=300,
        rng=9,
    )
    draws, draws_std = loop_wild(s, 300, 9, WEBB if weights == "webb" else None, level)
    assert_allclose(res.boot_indirect, draws, rtol=1e-9)
    assert_allclose(res.boot_indirect_std, draws_std, rtol=1e-9)
    low, high = stats._bootstrap.percentile_interval(draws, level or 0.95)
    assert_allclose([res.ci_low, res.ci_high], [low, high], rtol=1e-9)
    assert (res.bootstrap, res.wild_weights, res.wild_scale) == ("wild", weights, scale)
    assert res.n_replaced == 0


def test_wild_t_scaling_widens_the_interval_with_few_clusters() -> None:
    s = teams_study(n_teams=10, seed=14)
    plain = run(s, bootstrap="wild", wild_scale="none", n_resamples=2000, rng=3)
    scaled = run(s, bootstrap="wild", n_resamples=2000, rng=3)
    assert scaled.ci_high - scaled.ci_low > 1.05 * (plain.ci_high - plain.ci_low)


def test_wild_defaults_to_webb_weights_and_t_scaling() -> None:
    s = teams_study(seed=7)
    res = run(s, bootstrap="wild", n_resamples=100, rng=2)
    assert (res.wild_weights, res.wild_scale) == ("webb", "t")
    assert_allclose(res.boot_indirect, loop_wild(s, 100, 2, WEBB)[0], rtol=1e-9)
    # Webb's points give more than two values per cluster weight: the draws are not symmetric
    # pairs as Rademacher's ±1 would make them for one cluster.
    assert np.unique(np.round(res.boot_indirect, 12)).size == 100


def test_wild_spread_of_each_path_is_its_cr2_variance() -> None:
    s = teams_study(seed=8)
    codes = np.unique(s["team"], return_inverse=True)[1]
    res = run(s, hc="CR2")
    # a* - a = sum_g w_g s_g with weights of mean 0 and variance 1: Var(a*) = sum_g s_g^2.
    for name, (model, column) in [("a", ("m", 1)), ("b", ("y", 2))]:
        design, response = designs(s)[model]
        coef, scores, _, _, df = _wild._path_scores(design, response, column, codes, 14)
        assert df == pytest.approx(getattr(res, f"{name}_df"), rel=1e-10)
        assert coef == pytest.approx(getattr(res, name), rel=1e-12)
        assert math.sqrt(scores @ scores) == pytest.approx(getattr(res, f"{name}_se"), rel=1e-10)
    assert WEBB.mean() == pytest.approx(0.0, abs=1e-15)
    assert WEBB.var() == pytest.approx(1.0, rel=1e-15)


@pytest.mark.filterwarnings("ignore:cluster has only:UserWarning")
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), permutation_seed=st.integers(0, 2**16))
def test_wild_does_not_depend_on_row_order(seed: int, permutation_seed: int) -> None:
    s = teams_study(n_teams=8, seed=seed)
    kwargs: dict[str, Any] = {"bootstrap": "wild", "hc": "CR2", "n_resamples": 200, "rng": 4}
    res = run(s, **kwargs)
    perm = np.random.default_rng(permutation_seed).permutation(s["x"].size)
    shuffled = run({name: values[perm] for name, values in s.items()}, **kwargs)
    assert shuffled.to_dict() == res.to_dict()
    assert_array_equal(shuffled.boot_indirect, res.boot_indirect)


def test_wild_batch_size_does_not_change_the_draws() -> None:
    s = teams_study(seed=9)
    whole = run(s, bootstrap="wild", n_resamples=90, rng=5)
    chunked = run(s, bootstrap="wild", n_resamples=90, rng=5, batch=8)
    assert_array_equal(chunked.boot_indirect, whole.boot_indirect)


def test_wild_bias_corrected_interval_reads_the_wild_draws() -> None:
    s = teams_study(seed=10)
    res = run(s, bootstrap="wild", ci_method="bc", n_resamples=500, rng=6)
    expected = stats._bootstrap.bias_corrected_interval(res.boot_indirect, res.indirect, 0.95)
    assert_allclose([res.ci_low, res.ci_high], expected, rtol=1e-12)


# --- bad settings -------------------------------------------------------------------------


@pytest.mark.parametrize("hc", ["CR1", "CR2", "cr2"])
def test_cluster_robust_errors_without_cluster_are_refused(hc: str) -> None:
    s = teams_study(seed=11)
    with pytest.raises(ValueError, match=rf"hc='{hc}' needs cluster"):
        stats.mediation(s["x"], s["m"], s["y"], n_resamples=10, hc=hc)


def test_wild_bootstrap_without_cluster_is_refused() -> None:
    s = teams_study(seed=11)
    with pytest.raises(ValueError, match=r"bootstrap='wild' needs cluster"):
        stats.mediation(s["x"], s["m"], s["y"], n_resamples=10, bootstrap="wild")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bootstrap": "block"}, "bootstrap must be one of pairs, wild"),
        ({"bootstrap": "wild", "wild_weights": "mammen"}, "wild_weights must be one of"),
        ({"wild_weights": "webb"}, r"wild_weights='webb' applies only to bootstrap='wild'"),
        ({"bootstrap": "wild", "wild_scale": "z"}, "wild_scale must be one of t, none"),
        ({"wild_scale": "none"}, r"wild_scale='none' applies only to bootstrap='wild'"),
        ({"hc": "CR3"}, "hc must be None or one of"),
    ],
)
def test_bad_cluster_settings_are_refused_naming_the_argument(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        run(teams_study(seed=12), n_resamples=10, **kwargs)


def test_few_clusters_warning_fits_the_bootstrap() -> None:
    s = teams_study(n_teams=6, seed=13)
    with pytest.warns(UserWarning, match=r"only 6 clusters.*cluster bootstrap interval"):
        run(s)
    with pytest.warns(UserWarning, match=r"only 6 clusters.*cluster-robust intervals"):
        run(s, bootstrap="wild")


def test_docstring_says_t_scaling_is_tandems_own_and_none_the_textbook_wild_bootstrap() -> None:
    doc = " ".join((stats.mediation.__doc__ or "").split())
    parameter = doc[doc.index('wild_scale : {"t", "none"}') : doc.index("batch : int")]
    assert "Tandem's own small-sample adjustment" in parameter
    assert "benchmarks/coverage.py" in parameter
    assert "not a published procedure" in parameter
    assert "textbook wild cluster bootstrap" in parameter
    assert "CR2-adjusted residuals" in parameter


# --- pooled over imputations --------------------------------------------------------------


def test_pooled_paths_use_the_cr2_satterthwaite_df_as_complete_data_df() -> None:
    s = teams_study(seed=15)
    gen = np.random.default_rng(16)
    frames = []
    for _ in range(3):
        frames.append(
            pd.DataFrame(
                {
                    "x": s["x"],
                    "m": s["m"] + gen.normal(0, 2, s["m"].size) * (gen.random(s["m"].size) < 0.2),
                    "y": s["y"],
                    "team": s["team"],
                }
            )
        )
    res = stats.mediation_imputed(
        frames, "x", "m", "y", cluster="team", hc="CR2", n_resamples=20, rng=1
    )
    fits = [
        stats.mediation(f["x"], f["m"], f["y"], cluster=f["team"], hc="CR2", n_resamples=20)
        for f in frames
    ]
    estimates = np.array([fit.a for fit in fits])
    variances = np.array([fit.a_se for fit in fits]) ** 2
    m = len(fits)
    between = np.var(estimates, ddof=1)
    total = variances.mean() + (1 + 1 / m) * between
    share = (1 + 1 / m) * between / total
    df_complete = np.mean([fit.a_df for fit in fits])
    df_old = (m - 1) / share**2
    df_observed = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - share)
    assert df_complete < 13
    assert res.a_se == pytest.approx(math.sqrt(total), rel=1e-12)
    assert res.a_df == pytest.approx(1 / (1 / df_old + 1 / df_observed), rel=1e-10)


@pytest.mark.parametrize("hc", ["CR1", "CR2"])
def test_model_tables_show_the_cluster_robust_rows_of_the_paths(hc: str) -> None:
    res = run(teams_study(seed=17), hc=hc)
    for name, table, row in [
        ("a", res.model_m, 1),
        ("b", res.model_y, 2),
        ("c_prime", res.model_y, 1),
        ("c", res.model_total, 1),
    ]:
        got = [table.se[row], table.df[row], table.p[row], table.ci_low[row], table.ci_high[row]]
        want = [getattr(res, f"{name}{suffix}") for suffix in ("_se", "_df", "_p", "_ci_low")]
        want.append(getattr(res, f"{name}_ci_high"))
        assert_allclose(got, want, rtol=1e-12, err_msg=name)


@pytest.mark.parametrize(("weights", "scale"), [("rademacher", "none"), ("webb", "t")])
def test_pooled_wild_bootstrap_stacks_each_data_sets_wild_draws(
    weights: _wild.WildWeights, scale: _wild.WildScale
) -> None:
    s = teams_study(seed=17, n_covariates=0)
    gen = np.random.default_rng(18)
    studies = [{**s, "m": s["m"] + gen.normal(0, 2, s["m"].size)} for _ in range(3)]
    frames = [pd.DataFrame({key: d[key] for key in ("x", "m", "y", "team")}) for d in studies]
    res = stats.mediation_imputed(
        frames, "x", "m", "y", cluster="team", bootstrap="wild", wild_weights=weights,
        wild_scale=scale, n_resamples=150, rng=7,
    )  # fmt: skip
    streams = np.random.default_rng(7).spawn(3)
    points = WEBB if weights == "webb" else None
    level = 0.95 if scale == "t" else None
    draws = [loop_wild(d, 150, g, points, level) for d, g in zip(studies, streams, strict=True)]
    assert_allclose(res.boot_indirect, np.concatenate([d for d, _ in draws]), rtol=1e-9)
    assert_allclose(res.boot_indirect_std, np.concatenate([d for _, d in draws]), rtol=1e-9)
    assert (res.bootstrap, res.wild_weights, res.wild_scale) == ("wild", weights, scale)
    assert res.to_dict()["bootstrap"] == "wild"
