"""Rubin's rules: combine an estimate and its standard error over imputations."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from scipy import stats as sps

from tandem.stats._common import FloatArray, ResultMixin, check_confidence_level

__all__ = ["PooledResult", "pool"]

Alternative = Literal["two-sided", "less", "greater"]

_ALTERNATIVES: Final = ("two-sided", "less", "greater")


@dataclass(frozen=True, slots=True)
class PooledResult(ResultMixin):
    r"""An estimate combined over imputations by Rubin's rules.

    Attributes
    ----------
    estimate, se : float
        Mean of the estimates and the square root of the total variance.
    t, df, p : float
        ``estimate / se``, its degrees of freedom and p-value.
    ci_low, ci_high : float
        Confidence interval on ``df`` degrees of freedom (infinite on the open side of a
        one-sided alternative).
    within_variance, between_variance, total_variance : float
        :math:`\bar U`, :math:`B` and :math:`T`.
    riv : float
        Relative increase in variance due to missing data, :math:`r`.
    lambda_ : float
        Proportion of the total variance due to missing data, :math:`\lambda`.
    fmi : float
        Fraction of missing information, :math:`\gamma` (Rubin 1987, eq. 3.1.10).
    m : int
    df_complete : float or None
        Complete-data degrees of freedom, when given.
    confidence_level : float
    alternative : str
    """

    estimate: float
    se: float
    t: float
    df: float
    p: float
    ci_low: float
    ci_high: float
    within_variance: float
    between_variance: float
    total_variance: float
    riv: float
    lambda_: float
    fmi: float
    m: int
    df_complete: float | None
    confidence_level: float
    alternative: str


@dataclass(frozen=True, slots=True)
class RubinRules:
    """The quantities of Rubin's rules for one estimate (see :func:`pool`)."""

    estimate: float
    within: float
    between: float
    total: float
    riv: float
    lambda_: float
    df_rubin: float
    df: float
    fmi: float


def pool(
    results_or_estimates: Sequence[Any],
    *,
    field: str | None = None,
    df_complete: float | None = None,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> PooledResult:
    r"""Combine one estimate and its standard error over imputations by Rubin's rules.

    Parameters
    ----------
    results_or_estimates : sequence
        One entry per completed data set: an ``(estimate, se)`` pair, or (with ``field``) a
        result object or mapping holding ``field`` and ``field + "_se"``.
    field : str, optional
        Name of the estimate in each result, for example ``"b"`` takes ``b`` and ``b_se``.
    df_complete : float, optional
        Degrees of freedom of the complete-data analysis (``n - p`` for a regression). When
        given, the degrees of freedom are Barnard and Rubin's small-sample ones; otherwise
        Rubin's (1987).
    confidence_level : float, default 0.95
    alternative : {"two-sided", "less", "greater"}
        Alternative hypothesis for ``p`` (estimate below or above zero) and side of the
        interval.

    Returns
    -------
    PooledResult

    Raises
    ------
    ValueError
        Fewer than two entries, a non-finite estimate, a negative or non-finite standard
        error, a non-positive ``df_complete``, or an unknown ``alternative``.
    TypeError
        An entry that is not a pair, or a result without ``field``.

    Notes
    -----
    With estimates :math:`\hat Q_i` and standard errors :math:`s_i` from :math:`m` data sets:

    .. math::

        \bar Q = \frac1m \sum_i \hat Q_i, \quad
        \bar U = \frac1m \sum_i s_i^2, \quad
        B = \frac{1}{m-1} \sum_i (\hat Q_i - \bar Q)^2, \quad
        T = \bar U + \left(1 + \frac1m\right) B,

    .. math::

        r = \frac{(1 + m^{-1}) B}{\bar U}, \quad
        \lambda = \frac{(1 + m^{-1}) B}{T}, \quad
        \nu_m = \frac{m - 1}{\lambda^2}, \quad
        \gamma = \frac{r + 2 / (\nu_m + 3)}{r + 1}.

    With complete-data degrees of freedom :math:`\nu_c`, Barnard and Rubin's

    .. math::

        \hat\nu_{obs} = \frac{\nu_c + 1}{\nu_c + 3} \nu_c (1 - \lambda), \qquad
        \nu = \left(\frac{1}{\nu_m} + \frac{1}{\hat\nu_{obs}}\right)^{-1}

    replaces :math:`\nu_m`. :math:`t = \bar Q / \sqrt T` is referred to Student's t on
    :math:`\nu` degrees of freedom (the normal when :math:`\nu` is infinite, as when the
    estimates agree and no :math:`\nu_c` is given).

    ``lambda_`` equals statsmodels' ``MICEResults.frac_miss_info`` and mice's ``lambda``.
    ``fmi`` is Rubin's :math:`\gamma` with :math:`\nu_m`, as SAS PROC MIANALYZE reports it;
    mice puts the Barnard-Rubin :math:`\nu` in its place, which gives a larger value when
    :math:`\nu_c` is small. When every standard error is zero and the estimates agree
    (:math:`T = 0`), ``riv``, ``lambda_``, ``fmi``, ``df``, ``t``, ``p`` and the interval are
    NaN.

    References
    ----------
    .. [1] Rubin, D. B. (1987). *Multiple imputation for nonresponse in surveys*. Wiley.
           Section 3.1.
    .. [2] Barnard, J., & Rubin, D. B. (1999). Small-sample degrees of freedom with multiple
           imputation. *Biometrika*, 86(4), 948-955.
    .. [3] van Buuren, S. (2018). *Flexible imputation of missing data* (2nd ed.). CRC Press.
           Section 5.2.

    Examples
    --------
    >>> from tandem import stats
    >>> res = stats.pool([(0.52, 0.11), (0.61, 0.12), (0.47, 0.10)], df_complete=120)
    >>> print(f"{res.estimate:.4f} se={res.se:.4f} df={res.df:.1f} fmi={res.fmi:.3f}")
    0.5333 se=0.1374 df=13.1 fmi=0.424
    >>> print(f"[{res.ci_low:.3f}, {res.ci_high:.3f}] p={res.p:.4f}")
    [0.237, 0.830] p=0.0019
    """
    estimates, ses = _pool_iv(results_or_estimates, field)
    if df_complete is not None:
        if isinstance(df_complete, bool) or not isinstance(df_complete, int | float | np.number):
            raise TypeError(f"df_complete must be a number, got {type(df_complete).__name__}")
        if not float(df_complete) > 0:
            raise ValueError(f"df_complete must be positive, got {df_complete}")
    check_confidence_level(confidence_level)
    if alternative not in _ALTERNATIVES:
        raise ValueError(
            f"alternative must be one of {', '.join(_ALTERNATIVES)}, got {alternative!r}"
        )
    df_com = None if df_complete is None else float(df_complete)
    rubin = rubin_rules(estimates, ses, df_com)
    se = math.sqrt(rubin.total)
    t, p = t_test(rubin.estimate, se, rubin.df, alternative)
    ci_low, ci_high = _t_interval(rubin.estimate, se, rubin.df, confidence_level, alternative)
    return PooledResult(
        estimate=rubin.estimate,
        se=se,
        t=t,
        df=rubin.df,
        p=p,
        ci_low=ci_low,
        ci_high=ci_high,
        within_variance=rubin.within,
        between_variance=rubin.between,
        total_variance=rubin.total,
        riv=rubin.riv,
        lambda_=rubin.lambda_,
        fmi=rubin.fmi,
        m=estimates.size,
        df_complete=df_com,
        confidence_level=float(confidence_level),
        alternative=alternative,
    )


def rubin_rules(estimates: FloatArray, ses: FloatArray, df_complete: float | None) -> RubinRules:
    """Apply Rubin's rules to checked estimates and standard errors (formulas in :func:`pool`)."""
    m = estimates.size
    within = float(np.mean(ses**2))
    between = float(np.var(estimates, ddof=1))
    inflation = (1.0 + 1.0 / m) * between
    total = within + inflation
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        riv = float(np.divide(inflation, within))
        lambda_ = float(np.divide(inflation, total))
        df_rubin = float(np.divide(m - 1, lambda_**2))
    df = df_rubin
    if df_complete is not None and not math.isnan(lambda_):
        df_observed = (df_complete + 1.0) / (df_complete + 3.0) * df_complete * (1.0 - lambda_)
        # Written as a sum of inverses so that lambda = 0 (df_rubin infinite) gives df_observed.
        df = 0.0 if df_observed == 0 else 1.0 / (1.0 / df_rubin + 1.0 / df_observed)
    fmi = (riv + 2.0 / (df_rubin + 3.0)) / (riv + 1.0) if math.isfinite(riv) else lambda_
    return RubinRules(
        estimate=float(np.mean(estimates)),
        within=within,
        between=between,
        total=total,
        riv=riv,
        lambda_=lambda_,
        df_rubin=df_rubin,
        df=df,
        fmi=fmi,
    )


def t_test(estimate: float, se: float, df: float, alternative: str) -> tuple[float, float]:
    """Return ``t = estimate / se`` and its p-value on ``df`` degrees of freedom (NaN if none)."""
    if se == 0.0 or math.isnan(df) or df <= 0:
        return (estimate / se if se > 0 else math.nan), math.nan
    t = estimate / se
    dist = sps.t(df) if math.isfinite(df) else sps.norm()
    if alternative == "two-sided":
        return t, float(2.0 * dist.sf(abs(t)))
    if alternative == "greater":
        return t, float(dist.sf(t))
    return t, float(dist.cdf(t))


def _t_interval(
    estimate: float, se: float, df: float, confidence_level: float, alternative: str
) -> tuple[float, float]:
    if math.isnan(df) or df <= 0:
        return math.nan, math.nan
    dist = sps.t(df) if math.isfinite(df) else sps.norm()
    if alternative == "two-sided":
        half = float(dist.ppf(0.5 + confidence_level / 2.0)) * se
        return estimate - half, estimate + half
    one = float(dist.ppf(confidence_level)) * se
    if alternative == "greater":
        return estimate - one, math.inf
    return -math.inf, estimate + one


def _pool_iv(items: Sequence[Any], field: str | None) -> tuple[FloatArray, FloatArray]:
    if isinstance(items, str | bytes) or not isinstance(items, Sequence | np.ndarray):
        raise TypeError("results_or_estimates must be a sequence, one entry per imputation")
    pairs: list[tuple[Any, Any]] = []
    for i, item in enumerate(items):
        if field is None:
            if isinstance(item, str | bytes) or len(np.shape(item)) != 1 or len(item) != 2:
                raise TypeError(
                    f"results_or_estimates[{i}] must be an (estimate, se) pair; pass field= "
                    "to read result objects"
                )
            pairs.append((item[0], item[1]))
        else:
            pairs.append((_read(item, field, i), _read(item, f"{field}_se", i)))
    if len(pairs) < 2:
        raise ValueError(
            f"results_or_estimates has {len(pairs)} entries; pooling needs at least 2 imputations"
        )
    try:
        array = np.asarray(pairs, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("estimates and standard errors must be numbers") from None
    estimates, ses = array[:, 0], array[:, 1]
    what = "estimates" if field is None else repr(field)
    if not np.isfinite(estimates).all():
        raise ValueError(f"{what} must be finite; entry {int(np.argmin(np.isfinite(estimates)))}")
    bad = ~np.isfinite(ses) | (ses < 0)
    if bad.any():
        raise ValueError(
            f"standard errors must be finite and non-negative; entry {int(np.argmax(bad))} is "
            f"{ses[int(np.argmax(bad))]}"
        )
    return estimates, ses


def _read(item: Any, name: str, i: int) -> Any:
    if isinstance(item, Mapping):
        if name not in item:
            raise TypeError(f"results_or_estimates[{i}] has no {name!r}")
        return item[name]
    if not hasattr(item, name):
        raise TypeError(f"results_or_estimates[{i}] ({type(item).__name__}) has no {name!r}")
    return getattr(item, name)
