"""The per-model tables of ``stats.mediation`` against statsmodels OLS on the same data."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import statsmodels.api as sm

from tandem import stats

N = 120


@pytest.fixture
def data() -> dict[str, npt.NDArray[np.float64]]:
    gen = np.random.default_rng(31)
    covariates = gen.normal(size=(N, 2))
    covariates[:, 1] = gen.random(N) < 0.4
    x = gen.normal(30, 4, N)
    # Heteroskedastic errors, so that the HC tables differ from the OLS ones.
    m = 40 + 0.6 * x + covariates @ [1.5, -2.0] + gen.normal(0, 1, N) * (2 + np.abs(x - 30))
    y = 10 + 0.1 * m + 0.05 * x + covariates @ [0.4, 0.8] + gen.normal(0, 2, N)
    return {"x": x, "m": m, "y": y, "age": covariates[:, 0], "housed": covariates[:, 1]}


@pytest.mark.parametrize("hc", [None, "HC3", "HC1"])
@pytest.mark.parametrize("confidence_level", [0.95, 0.9])
def test_every_number_of_each_model_table_equals_statsmodels(
    data: dict[str, npt.NDArray[np.float64]], hc: str | None, confidence_level: float
) -> None:
    covariates = {"age": data["age"], "housed": data["housed"]}
    res = stats.mediation(
        data["x"], data["m"], data["y"], covariates,
        n_resamples=50, rng=1, hc=hc, confidence_level=confidence_level,
    )  # fmt: skip
    cov = np.column_stack([data["age"], data["housed"]])
    models = {
        "model_m": (data["m"], [data["x"]]),
        "model_y": (data["y"], [data["x"], data["m"]]),
        "model_total": (data["y"], [data["x"]]),
    }
    for key, (response, predictors) in models.items():
        design = sm.add_constant(np.column_stack([*predictors, cov]))
        model = sm.OLS(response, design)
        fit = model.fit() if hc is None else model.fit(cov_type=hc, use_t=True)
        table = getattr(res, key)
        roles = ["x", "m"][: len(predictors)]
        assert table.names == ("constant", *roles, "age", "housed")
        np.testing.assert_allclose(table.coef, fit.params, rtol=1e-10)
        np.testing.assert_allclose(table.se, fit.bse, rtol=1e-10)
        np.testing.assert_allclose(table.t, fit.tvalues, rtol=1e-10)
        np.testing.assert_allclose(table.p, fit.pvalues, rtol=1e-9, atol=1e-300)
        interval = fit.conf_int(alpha=1 - confidence_level)
        np.testing.assert_allclose(table.ci_low, interval[:, 0], rtol=1e-10)
        np.testing.assert_allclose(table.ci_high, interval[:, 1], rtol=1e-10)
        np.testing.assert_array_equal(table.df, np.full(design.shape[1], fit.df_resid))
        assert table.r2 == pytest.approx(fit.rsquared, rel=1e-12)
        assert table.r == pytest.approx(math.sqrt(fit.rsquared), rel=1e-12)
        assert table.f == pytest.approx(fit.fvalue, rel=1e-10)
        assert table.f_p == pytest.approx(fit.f_pvalue, rel=1e-8, abs=1e-300)
        assert table.mse == pytest.approx(fit.mse_resid, rel=1e-12)
        assert (table.df1, table.df2) == (fit.df_model, fit.df_resid)
    assert res.model_m.coef[1] == res.a
    assert (res.model_y.coef[1], res.model_y.coef[2]) == (res.c_prime, res.b)
    assert (res.model_total.coef[1], res.model_total.se[1]) == (res.c, res.c_se)
    assert (res.model_m.r2, res.model_y.r2) == (res.r2_m, res.r2_y)


def test_hc_f_is_the_robust_wald_test_not_the_ols_one(
    data: dict[str, npt.NDArray[np.float64]],
) -> None:
    plain = stats.mediation(data["x"], data["m"], data["y"], n_resamples=50, rng=1)
    robust = stats.mediation(data["x"], data["m"], data["y"], n_resamples=50, rng=1, hc="HC3")
    assert robust.model_m.f != pytest.approx(plain.model_m.f, rel=1e-3)
    assert robust.model_m.r2 == plain.model_m.r2


def test_covariate_names_come_from_keys_or_columns_else_cov1_to_covk(
    data: dict[str, npt.NDArray[np.float64]],
) -> None:
    args = (data["x"], data["m"], data["y"])
    frame = pd.DataFrame({"age": data["age"], "housed": data["housed"]})
    matrix = frame.to_numpy()
    by_frame = stats.mediation(*args, frame, n_resamples=20, rng=1)
    by_matrix = stats.mediation(*args, matrix, n_resamples=20, rng=1)
    none = stats.mediation(*args, n_resamples=20, rng=1)
    assert by_frame.model_y.names == ("constant", "x", "m", "age", "housed")
    assert by_matrix.model_y.names == ("constant", "x", "m", "cov1", "cov2")
    assert none.model_m.names == ("constant", "x")
    assert by_frame.model_y.coef.tolist() == by_matrix.model_y.coef.tolist()


def test_tables_are_in_to_dict_as_plain_values(data: dict[str, npt.NDArray[np.float64]]) -> None:
    res = stats.mediation(data["x"], data["m"], data["y"], {"age": data["age"]}, n_resamples=20)
    out = res.to_dict()["model_total"]
    assert out["names"] == ["constant", "x", "age"]
    assert out["coef"] == res.model_total.coef.tolist()
    assert isinstance(out["df1"], int)
    assert (out["df1"], out["df2"]) == (2, N - 3)
    with pytest.raises(ValueError, match="read-only"):
        res.model_m.coef[0] = 0.0
