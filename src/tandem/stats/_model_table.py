"""The coefficient table and model summary of one least-squares fit, as PROCESS prints them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from scipy import special

from tandem.stats._common import FloatArray, ResultMixin

__all__ = ["ModelTable", "model_table"]


@dataclass(frozen=True, slots=True)
class ModelTable(ResultMixin):
    """One regression model: a row per coefficient and the model summary.

    Attributes
    ----------
    names : tuple of str
        The coefficients: ``"constant"``, then the predictors (``"x"``, ``"m"`` and the
        covariates by name).
    coef, se, t, p : numpy.ndarray
        Per coefficient: estimate, standard error (OLS, or the ``hc`` type), t and two-sided p.
    df : numpy.ndarray
        Per coefficient, the degrees of freedom of its t test and interval (``n - p`` for OLS
        and HC standard errors, ``G - 1`` for CR1, the coefficient's Satterthwaite degrees of
        freedom for CR2).
    ci_low, ci_high : numpy.ndarray
        Per coefficient, the ``confidence_level`` interval ``coef ± t(df) se`` (PROCESS's
        LLCI and ULCI).
    r, r2 : float
        Multiple correlation and R².
    f, df1, df2, f_p : float, int, int, float
        The F test that every coefficient but the constant is zero, its degrees of freedom
        (predictors, and ``n - p`` residual) and p. With ``hc`` standard errors it is the
        Wald test with the robust covariance, as PROCESS and statsmodels compute it. With
        cluster-robust standard errors (CR1, CR2) the denominator degrees of freedom are
        G - 1 for G clusters, as statsmodels' ``f_test`` uses ``df_resid_inference`` for
        ``cov_type="cluster"`` with ``use_t=True``: the covariance is estimated from G cluster
        scores, not n residuals. CR2 uses its own covariance with the same G - 1, a simple
        reference distribution rather than clubSandwich's Hotelling-T² approximation
        (``Wald_test(test="HTZ")``), which allows for few or unbalanced clusters as well.
    mse : float
        Residual mean square, ``SSR / (n - p)``, whatever the standard errors.
    """

    names: tuple[str, ...]
    coef: FloatArray = field(compare=False)
    se: FloatArray = field(compare=False)
    t: FloatArray = field(compare=False)
    p: FloatArray = field(compare=False)
    df: FloatArray = field(compare=False)
    ci_low: FloatArray = field(compare=False)
    ci_high: FloatArray = field(compare=False)
    r: float
    r2: float
    f: float
    df1: int
    df2: int
    f_p: float
    mse: float


def model_table(
    names: Sequence[str],
    fit: _Fit,
    n: int,
    confidence_level: float,
    *,
    n_clusters: int | None = None,
) -> ModelTable:
    """Build the table of a least-squares ``fit`` whose first coefficient is the intercept.

    The rows show the fit's own standard errors, t, p and degrees of freedom, so the table
    and the paths never disagree; the intervals use the t quantile at each coefficient's df.
    ``n_clusters`` is given for cluster-robust fits: the F test's denominator df is then
    ``n_clusters - 1``.
    """
    n_params = fit.coef.size
    critical = special.stdtrit(fit.df, 0.5 + confidence_level / 2.0)
    slopes = fit.coef[1:]
    df1 = n_params - 1
    df_resid = n - n_params
    df2 = df_resid if n_clusters is None else n_clusters - 1
    try:
        f = float(slopes @ np.linalg.solve(fit.cov[1:, 1:], slopes)) / df1
    except np.linalg.LinAlgError:
        f = math.nan
    r2 = 1.0 - fit.ssr / fit.sst
    return ModelTable(
        names=tuple(names),
        coef=_frozen(fit.coef),
        se=_frozen(fit.se),
        t=_frozen(fit.t),
        p=_frozen(fit.p),
        df=_frozen(fit.df),
        ci_low=_frozen(fit.coef - critical * fit.se),
        ci_high=_frozen(fit.coef + critical * fit.se),
        r=math.sqrt(max(r2, 0.0)),
        r2=r2,
        f=f,
        df1=df1,
        df2=df2,
        f_p=float(special.fdtrc(df1, df2, f)),
        mse=fit.ssr / df_resid,
    )


class _Fit(Protocol):
    """What :func:`model_table` reads of a fit (``mediation``'s ``OlsFit``)."""

    @property
    def coef(self) -> FloatArray: ...
    @property
    def se(self) -> FloatArray: ...
    @property
    def t(self) -> FloatArray: ...
    @property
    def p(self) -> FloatArray: ...
    @property
    def df(self) -> FloatArray: ...
    @property
    def cov(self) -> FloatArray: ...
    @property
    def ssr(self) -> float: ...
    @property
    def sst(self) -> float: ...


def _frozen(values: FloatArray) -> FloatArray:
    out = np.array(values, dtype=np.float64)
    out.flags.writeable = False
    return out
