"""Simple mediation with covariates (PROCESS model 4) and a vectorised bootstrap.

:func:`mediation` fits the two ordinary least-squares models of Hayes' PROCESS model 4 and
bootstraps the indirect effect without a Python loop over resamples: each chunk of resamples is
a matrix of resample counts, its product with the per-row cross-products gives every resample's
moment matrix at once, and a batched sweep reads the paths off them.

Reusing the bootstrap draws
---------------------------
A :class:`MediationResult` keeps its draws in ``boot_indirect`` and ``boot_indirect_std``
(left out of ``to_dict``). To pool across multiply imputed data sets, run :func:`mediation` on
each completed data set, concatenate the draws and take
:func:`tandem.stats._bootstrap.percentile_interval` of the pooled draws
(:func:`~tandem.stats._bootstrap.bias_corrected_interval` for the bias-corrected variant).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
from scipy import linalg, special
from typing_extensions import override

from tandem.stats._bootstrap import (
    CHUNK_ELEMENTS,
    IntArray,
    bias_corrected_interval,
    default_batch,
    jackknife_acceleration,
    percentile_interval,
    resample_weights,
)
from tandem.stats._common import (
    PERFECT_FIT_TOL,
    DegenerateFitWarning,
    FloatArray,
    ResultMixin,
    RngLike,
    as_1d_float,
    as_2d_float,
    as_generator,
    check_aligned,
    check_confidence_level,
    check_same_length,
    perfect_fit_message,
)
from tandem.stats._model_table import ModelTable, model_table

__all__ = ["DegenerateFitWarning", "MediationResult", "ModelTable", "mediation"]

CiMethod = Literal["percentile", "bc", "bca"]

_CI_METHODS: Final = ("percentile", "bc", "bca")
_HC_TYPES: Final = ("HC0", "HC1", "HC2", "HC3")
# A predictor whose variance left over after the predictors swept before it is below this
# fraction of its full-sample variance is aliased in that resample and dropped, as lm() does.
_ALIAS_TOL: Final = 1e-10
# Below this many clusters a cluster bootstrap tends to give intervals that are too narrow.
_FEW_CLUSTERS: Final = 10


@dataclass(frozen=True, slots=True)
class MediationResult(ResultMixin):
    """Paths, indirect effect and bootstrap intervals of a simple mediation model.

    Attributes
    ----------
    n, n_covariates : int
        Rows used and number of covariates.
    a, a_se, a_t, a_p : float
        Effect of x on m (model ``m ~ x + covariates``), its standard error, t and p.
    b, b_se, b_t, b_p : float
        Effect of m on y adjusting for x (model ``y ~ x + m + covariates``).
    c, c_se, c_t, c_p : float
        Total effect of x on y (model ``y ~ x + covariates``).
    c_prime, c_prime_se, c_prime_t, c_prime_p : float
        Direct effect of x on y (model ``y ~ x + m + covariates``).
    indirect, boot_se, ci_low, ci_high : float
        Indirect effect ``a * b``, the standard deviation of its bootstrap draws and its
        interval by ``ci_method``.
    indirect_std, indirect_std_ci_low, indirect_std_ci_high : float
        Completely standardised indirect effect ``a * b * sd(x) / sd(y)`` and its percentile
        interval.
    r2_m, r2_y : float
        R² of the model of m and of the model of y (with m).
    model_m, model_y, model_total : ModelTable
        The full table of each model, as PROCESS prints it: ``m ~ x + covariates``,
        ``y ~ x + m + covariates`` and ``y ~ x + covariates`` (the total effect). Rows are
        named ``"constant"``, ``"x"``, ``"m"`` and the covariates by their mapping keys or
        DataFrame columns (``"cov1"``, ``"cov2"``... for an array); intervals at
        ``confidence_level`` with the paths' standard errors (OLS or ``hc``).
    confidence_level : float
    n_resamples : int
        Usable bootstrap resamples behind the intervals.
    n_replaced : int
        Resamples discarded and drawn again because x, or m given x and the covariates, had
        no variation left in them (as PROCESS replaces them).
    seed : int or None
        The int seed given as ``rng``, else None.
    ci_method : str
    hc : str or None
        Heteroskedasticity-consistent standard errors used for the paths, if any.
    n_clusters : int or None
        Clusters resampled, when ``cluster`` was given.
    warnings : tuple of str
        The :class:`DegenerateFitWarning` messages raised by this fit (a model of y that fits
        essentially perfectly), so that they travel with the result; empty when all is well.
    boot_indirect, boot_indirect_std : numpy.ndarray
        The bootstrap draws, all finite (unusable resamples are replaced); not in
        ``to_dict``.
    """

    n: int
    n_covariates: int
    a: float
    a_se: float
    a_t: float
    a_p: float
    b: float
    b_se: float
    b_t: float
    b_p: float
    c: float
    c_se: float
    c_t: float
    c_p: float
    c_prime: float
    c_prime_se: float
    c_prime_t: float
    c_prime_p: float
    indirect: float
    boot_se: float
    ci_low: float
    ci_high: float
    indirect_std: float
    indirect_std_ci_low: float
    indirect_std_ci_high: float
    r2_m: float
    r2_y: float
    model_m: ModelTable
    model_y: ModelTable
    model_total: ModelTable
    confidence_level: float
    n_resamples: int
    n_replaced: int
    seed: int | None
    ci_method: str
    hc: str | None
    n_clusters: int | None
    warnings: tuple[str, ...]
    boot_indirect: FloatArray = field(repr=False, compare=False)
    boot_indirect_std: FloatArray = field(repr=False, compare=False)

    @override
    def to_dict(self) -> dict[str, Any]:
        """Return the fields as plain Python values, without the bootstrap draws."""
        out = ResultMixin.to_dict(self)
        del out["boot_indirect"], out["boot_indirect_std"]
        return out


@dataclass(frozen=True, slots=True)
class _MediationInput:
    x: FloatArray
    m: FloatArray
    y: FloatArray
    covariates: FloatArray
    covariate_names: tuple[str, ...]
    cluster_codes: IntArray | None
    n_clusters: int | None
    n_resamples: int
    confidence_level: float
    generator: np.random.Generator
    seed: int | None
    hc: str | None
    ci_method: CiMethod
    batch: int


@dataclass(frozen=True, slots=True)
class _OlsFit:
    """A least-squares fit: ``df`` holds each coefficient's t-test degrees of freedom."""

    coef: FloatArray
    se: FloatArray
    t: FloatArray
    p: FloatArray
    df: FloatArray
    cov: FloatArray
    r2: float
    ssr: float
    sst: float


def mediation(
    x: npt.ArrayLike,
    m: npt.ArrayLike,
    y: npt.ArrayLike,
    covariates: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None = None,
    *,
    n_resamples: int = 5000,
    confidence_level: float = 0.95,
    rng: RngLike = None,
    cluster: npt.ArrayLike | None = None,
    hc: str | None = None,
    ci_method: CiMethod = "percentile",
    batch: int | None = None,
) -> MediationResult:
    r"""Fit a simple mediation model with covariates (PROCESS model 4); bootstrap a*b.

    Parameters
    ----------
    x, m, y : array_like, shape (n,)
        Predictor, mediator and outcome. pandas inputs (these, ``covariates`` and ``cluster``)
        are not reindexed: as in statsmodels, every pandas input must carry the same index,
        else ``ValueError`` names the one that differs. Other inputs match by position.
    covariates : array_like of shape (n, k), mapping of name to array, DataFrame, optional
        Covariates entered in every model. Names (mapping keys, DataFrame columns) are used in
        error messages.
    n_resamples : int, default 5000
        Bootstrap resamples.
    confidence_level : float, default 0.95
    rng : int, numpy.random.Generator or None
        Seed or generator for the resampling.
    cluster : array_like, shape (n,), optional
        Cluster labels (for example the team of each client): numbers or strings, as a list,
        NumPy array, pandas Series or Categorical (all give the same result). Whole clusters
        are resampled, and the BCa jackknife leaves out one cluster at a time. A cluster may
        have a single row; with fewer than 10 clusters a ``UserWarning`` says the interval
        tends to be too narrow. Only the bootstrap changes: the paths' standard errors stay
        those of OLS (or ``hc``).
    hc : {None, "HC0", "HC1", "HC2", "HC3"}
        Heteroskedasticity-consistent standard errors for the paths, as statsmodels'
        ``cov_type``; p-values still use the t distribution with n - p degrees of freedom.
    ci_method : {"percentile", "bc", "bca"}
        Interval for the indirect effect: percentile (as PROCESS), bias-corrected (as pingouin)
        or bias-corrected and accelerated.
    batch : int, optional
        Resamples per chunk; by default chosen to hold about 32 MiB of weights.

    Returns
    -------
    MediationResult

    Raises
    ------
    ValueError
        Naming the variable: NaN or infinite values, a constant column, a column that is a
        linear combination of the others, mismatched lengths or pandas indexes, fewer rows
        than parameters, a missing cluster label or a single cluster; or naming a setting out
        of range; or more bootstrap resamples without variation in x or m to replace than
        ``n_resamples``.
    TypeError
        Non-numeric data, or ``rng`` or ``n_resamples`` of the wrong type.

    Notes
    -----
    With covariates :math:`C`, the paths come from three least-squares fits:

    .. math::

        M = i_M + a X + C\gamma_M + e_M, \qquad
        Y = i_Y + c' X + b M + C\gamma_Y + e_Y, \qquad
        Y = i + c X + C\gamma + e,

    so that :math:`c = c' + ab`. The completely standardised indirect effect is
    :math:`ab\,s_X / s_Y`.

    Each resample draws :math:`n` row numbers ``floor(u * n)`` from
    ``rng.random((batch, n))`` (cluster numbers instead, when ``cluster`` is given), over rows
    put first in a canonical order: by cluster label, then ascending x, m, y and covariates.
    The result therefore depends only on the rows, not their order, and not on ``batch``.
    The resample counts :math:`w` give each resample's moment matrix
    :math:`Z^\top \operatorname{diag}(w) Z`, and sweeping it gives :math:`a` and :math:`b`;
    a resample in which x, or m given x and the covariates, has no variation left cannot
    identify the paths: it is discarded and the next resample of the stream drawn in its
    place, as PROCESS does, and ``n_replaced`` counts them. When more resamples have to be
    replaced than ``n_resamples``, the bootstrap says little about this sample and
    ``ValueError`` is raised instead.

    The percentile interval takes, as PROCESS does, the sorted draws of ranks
    :math:`\lfloor B\alpha/2 + 1/2 \rfloor` and :math:`\lfloor B(1-\alpha/2) \rfloor + 1`
    (:math:`\alpha = 1 -` ``confidence_level``). The bias-corrected interval takes the
    (linearly interpolated) percentiles :math:`\Phi(2z_0 \pm z_{1-\alpha/2})` with
    :math:`z_0 = \Phi^{-1}(\#\{\hat\theta^*_b < \hat\theta\}/B)`, as pingouin does; BCa adds
    the jackknife acceleration :math:`\hat a = \sum d_i^3 / (6 (\sum d_i^2)^{3/2})`,
    :math:`d_i = \bar\theta_{(\cdot)} - \theta_{(i)}` (Efron, 1987). The standardised
    indirect effect is bootstrapped with each resample's own standard deviations and always
    gets the percentile interval.

    A constant column raises ``ValueError`` rather than returning NaN paths.

    Degenerate fits are refused or flagged, never passed on as findings. Predictors that are
    linearly dependent (x, m and the covariates, with the intercept) raise ``ValueError``:
    their paths are not identified, and no estimate is right. A model of m whose residual sum
    of squares is below ``1e-10`` of its total sum of squares counts as such a dependence (the
    bootstrap would find m aliased in every resample) and raises too. A model of y below that
    threshold fits essentially perfectly: its coefficients are still the exact solution, but
    its standard errors, t and p are rounding noise (t near 1e16). That gives a
    :class:`DegenerateFitWarning`, like R's ``summary.lm`` ("essentially perfect fit: summary
    may be unreliable"), also kept in ``warnings``; the numbers are left as computed, since a
    genuine relation of tiny noise is not an error.

    References
    ----------
    .. [1] Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process
           analysis* (3rd ed.). Guilford Press. Appendix A: the PROCESS procedure.
    .. [2] Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for
           assessing and comparing indirect effects in multiple mediator models. *Behavior
           Research Methods*, 40(3), 879-891.
    .. [3] Efron, B. (1987). Better bootstrap confidence intervals. *Journal of the American
           Statistical Association*, 82(397), 171-185.

    Examples
    --------
    >>> import numpy as np
    >>> from tandem import stats
    >>> gen = np.random.default_rng(7)
    >>> fidelity = gen.normal(30, 4, size=200)
    >>> alliance = 40 + 0.6 * fidelity + gen.normal(0, 6, size=200)
    >>> outcome = 10 + 0.1 * alliance + gen.normal(0, 2, size=200)
    >>> res = stats.mediation(fidelity, alliance, outcome, n_resamples=2000, rng=12)
    >>> print(f"a={res.a:.3f} b={res.b:.3f} ab={res.indirect:.3f}")
    a=0.629 b=0.060 ab=0.037
    >>> print(f"95% CI [{res.ci_low:.3f}, {res.ci_high:.3f}]")
    95% CI [0.010, 0.074]
    >>> low, high = res.indirect_std_ci_low, res.indirect_std_ci_high
    >>> print(f"standardised {res.indirect_std:.3f} [{low:.3f}, {high:.3f}]")
    standardised 0.070 [0.019, 0.134]
    """
    iv = _mediation_iv(
        x, m, y, covariates, n_resamples, confidence_level, rng, cluster, hc, ci_method, batch
    )
    n, k = iv.covariates.shape
    ones = np.ones((n, 1))
    design_m = np.hstack([ones, iv.x[:, None], iv.covariates])
    design_y = np.hstack([ones, iv.x[:, None], iv.m[:, None], iv.covariates])
    fit_m = _ols(design_m, iv.m, iv.hc)
    fit_y = _ols(design_y, iv.y, iv.hc)
    fit_total = _ols(design_m, iv.y, iv.hc)
    if fit_m.ssr < PERFECT_FIT_TOL * fit_m.sst:
        # The bootstrap would find m aliased in every resample: refuse, as for exact collinearity.
        raise ValueError(
            f"m is almost exactly a linear combination of the intercept, x"
            f"{' and the covariates' if k else ''} (residual variance "
            f"{fit_m.ssr / fit_m.sst:.1e} of m's): a and b are not identified; is m computed "
            "from them?"
        )
    fit_messages = []
    for fit, model in (
        (fit_y, "model of y on x and m"),
        (fit_total, "model of y on x (total effect)"),
    ):
        message = perfect_fit_message(fit.ssr, fit.sst, model + (" and covariates" if k else ""))
        if message is not None:
            warnings.warn(message, DegenerateFitWarning, stacklevel=2)
            fit_messages.append(message)
    indirect = float(fit_m.coef[1] * fit_y.coef[2])
    covariate_names = iv.covariate_names
    sd_x = float(np.std(iv.x, ddof=1))
    sd_y = float(np.std(iv.y, ddof=1))

    z = _scaled_design(iv.x, iv.m, iv.y, iv.covariates)
    products = _crossproducts(z)
    raw, raw_std, n_replaced = _bootstrap_draws(iv, products, z.shape[1])
    # Draws are in standardised units; sd(y)/sd(x) brings a*b back to the data's units.
    boot = raw * (sd_y / sd_x)
    boot_std = raw_std
    boot.flags.writeable = False
    boot_std.flags.writeable = False

    if iv.ci_method == "percentile":
        ci_low, ci_high = percentile_interval(boot, iv.confidence_level)
    else:
        acceleration = 0.0
        if iv.ci_method == "bca":
            jack = _jackknife_indirect(products, z.shape[1], iv.cluster_codes, iv.n_clusters)
            acceleration = jackknife_acceleration(jack)
        ci_low, ci_high = bias_corrected_interval(
            boot, indirect, iv.confidence_level, acceleration=acceleration
        )
    std_low, std_high = percentile_interval(boot_std, iv.confidence_level)
    finite = boot[np.isfinite(boot)]

    return MediationResult(
        n=n,
        n_covariates=k,
        **_path_fields("a", fit_m, 1),
        **_path_fields("b", fit_y, 2),
        **_path_fields("c", fit_total, 1),
        **_path_fields("c_prime", fit_y, 1),
        indirect=indirect,
        boot_se=float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan,
        ci_low=ci_low,
        ci_high=ci_high,
        indirect_std=indirect * sd_x / sd_y,
        indirect_std_ci_low=std_low,
        indirect_std_ci_high=std_high,
        r2_m=fit_m.r2,
        r2_y=fit_y.r2,
        model_m=model_table(("constant", "x", *covariate_names), fit_m, n, iv.confidence_level),
        model_y=model_table(
            ("constant", "x", "m", *covariate_names), fit_y, n, iv.confidence_level
        ),
        model_total=model_table(
            ("constant", "x", *covariate_names), fit_total, n, iv.confidence_level
        ),
        confidence_level=iv.confidence_level,
        n_resamples=iv.n_resamples,
        n_replaced=n_replaced,
        seed=iv.seed,
        ci_method=iv.ci_method,
        hc=iv.hc,
        n_clusters=iv.n_clusters,
        warnings=tuple(fit_messages),
        boot_indirect=boot,
        boot_indirect_std=boot_std,
    )


def _bootstrap_draws(
    iv: _MediationInput, products: FloatArray, q: int
) -> tuple[FloatArray, FloatArray, int]:
    """Return ``n_resamples`` usable draws (standardised units) and how many were replaced.

    A resample in which x, or m given x and the covariates, has no variation left cannot
    identify a or b. It is discarded and the next resample of the stream takes its place, as
    PROCESS replaces such resamples: each round draws exactly the shortfall, so the draws are
    the first ``n_resamples`` usable resamples of the stream, whatever ``batch`` is.
    """
    kept: list[FloatArray] = []
    kept_std: list[FloatArray] = []
    n_kept = 0
    n_replaced = 0
    while n_kept < iv.n_resamples:
        needed = iv.n_resamples - n_kept
        for weights in resample_weights(
            iv.generator, iv.x.size, needed, iv.batch, iv.cluster_codes, iv.n_clusters
        ):
            ab, ab_std = _indirect_from_moments(products.T @ weights.T, q)
            usable = np.isfinite(ab)
            kept.append(ab[usable])
            kept_std.append(ab_std[usable])
            n_kept += int(np.count_nonzero(usable))
            n_replaced += int(usable.size - np.count_nonzero(usable))
        if n_replaced > iv.n_resamples:
            unit = "rows" if iv.cluster_codes is None else "clusters"
            raise ValueError(
                f"{n_replaced} of {n_kept + n_replaced} bootstrap resamples could not estimate "
                f"the paths because x or m had no variation left in them, more than "
                f"n_resamples ({iv.n_resamples}) can be replaced: x may be too rare, or the "
                f"sample too small, for a bootstrap over {unit}"
            )
    return np.concatenate(kept), np.concatenate(kept_std), n_replaced


def _path_fields(name: str, fit: _OlsFit, column: int) -> dict[str, float]:
    return {
        name: float(fit.coef[column]),
        f"{name}_se": float(fit.se[column]),
        f"{name}_t": float(fit.t[column]),
        f"{name}_p": float(fit.p[column]),
    }


def _ols(design: FloatArray, response: FloatArray, hc: str | None) -> _OlsFit:
    n, p = design.shape
    q, r = np.linalg.qr(design)
    coef = linalg.solve_triangular(r, q.T @ response)
    resid = response - design @ coef
    df = n - p
    r_inv = np.linalg.inv(r)
    bread = r_inv @ r_inv.T
    if hc is None:
        cov = bread * float(resid @ resid) / df
    else:
        leverage = np.einsum("ij,ij->i", q, q)
        omega = resid**2
        if hc == "HC1":
            omega = omega * n / df
        elif hc == "HC2":
            omega = omega / (1.0 - leverage)
        elif hc == "HC3":
            omega = omega / (1.0 - leverage) ** 2
        meat = (design * omega[:, None]).T @ design
        cov = bread @ meat @ bread
    se = np.sqrt(np.diag(cov))
    t = coef / se
    centred = response - response.mean()
    ssr = float(resid @ resid)
    sst = float(centred @ centred)
    df_coef = np.full(p, float(df))
    return _OlsFit(
        coef=coef,
        se=se,
        t=t,
        p=2.0 * special.stdtr(df_coef, -np.abs(t)),
        df=df_coef,
        cov=cov,
        r2=1.0 - ssr / sst,
        ssr=ssr,
        sst=sst,
    )


def _scaled_design(
    x: FloatArray, m: FloatArray, y: FloatArray, covariates: FloatArray
) -> FloatArray:
    """Return the columns ``[1, x, covariates..., m, y]``, all but the first standardised.

    Standardising keeps the moment matrices well conditioned; the paths' ratios are unchanged.
    The order is the order of the sweeps in :func:`_indirect_from_moments`.
    """
    columns = np.column_stack([x, covariates, m, y])
    z = np.empty((columns.shape[0], columns.shape[1] + 1))
    z[:, 0] = 1.0
    z[:, 1:] = (columns - columns.mean(axis=0)) / columns.std(axis=0, ddof=1)
    return z


def _crossproducts(z: FloatArray) -> FloatArray:
    """Return each row's upper-triangular outer product ``z_i z_i^T``, shape (..., q(q+1)/2).

    The pairs run in ``np.triu_indices`` order; filling one block per column keeps the peak
    memory at the size of the result.
    """
    q = z.shape[-1]
    out = np.empty((*z.shape[:-1], q * (q + 1) // 2))
    start = 0
    for i in range(q):
        stop = start + q - i
        np.multiply(z[..., i : i + 1], z[..., i:], out=out[..., start:stop])
        start = stop
    return out


def _indirect_from_moments(moments: FloatArray, q: int) -> tuple[FloatArray, FloatArray]:
    """Return ``a*b`` and ``a*b*sd(x)/sd(y)`` for each column of upper-triangular moments.

    ``moments`` has shape (q(q+1)/2, r): one column per resample, in the layout of
    :func:`_scaled_design` (0 intercept, 1 x, covariates, q-2 m, q-1 y). Sweeping the
    intercept, x and the covariates leaves the regression of m on them in row x (Goodnight,
    1979); sweeping m then leaves the regression of y in row m. Only the columns not yet swept
    are kept up to date, since no later step reads the others.
    """
    upper, lower = np.triu_indices(q)
    s = np.empty((q, q, moments.shape[1]))
    s[upper, lower] = moments
    s[lower, upper] = moments
    # A pivot below this is a predictor with no variance left: aliased in that resample.
    tolerance = _ALIAS_TOL * s[0, 0]
    m_col = q - 2
    swept_ok = []
    for k in range(q - 1):
        if k == 1:
            ss_x = s[1, 1].copy()
            ss_y = s[q - 1, q - 1].copy()
        if k == m_col:
            a = s[1, m_col].copy()
        pivot = s[k, k]
        ok = pivot > tolerance
        swept_ok.append(ok)
        scale = np.where(ok, 1.0 / np.where(ok, pivot, 1.0), 0.0)
        row = s[k, k + 1 :] * scale
        col = s[:, k].copy()
        s[:, k + 1 :] -= col[:, None] * row[None]
        s[k, k + 1 :] = row
    b = s[m_col, q - 1]
    identified = swept_ok[1] & swept_ok[m_col]
    ab = np.where(identified, a * b, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ab_std = ab * np.sqrt(ss_x / ss_y)
    return ab, ab_std


def _jackknife_indirect(
    products: FloatArray, q: int, cluster_codes: IntArray | None, n_clusters: int | None
) -> FloatArray:
    """Leave-one-out (or leave-one-cluster-out) indirect effects, in standardised units."""
    total = products.sum(axis=0)
    if cluster_codes is None or n_clusters is None:
        left_out = products
    else:
        left_out = np.zeros((n_clusters, products.shape[1]))
        np.add.at(left_out, cluster_codes, products)
    chunk = max(1, CHUNK_ELEMENTS // (q * q))
    parts = [
        _indirect_from_moments(total[:, None] - left_out[start : start + chunk].T, q)[0]
        for start in range(0, left_out.shape[0], chunk)
    ]
    return np.concatenate(parts)


def _mediation_iv(
    x: npt.ArrayLike,
    m: npt.ArrayLike,
    y: npt.ArrayLike,
    covariates: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None,
    n_resamples: int,
    confidence_level: float,
    rng: RngLike,
    cluster: npt.ArrayLike | None,
    hc: str | None,
    ci_method: str,
    batch: int | None,
) -> _MediationInput:
    pandas_inputs: dict[str, Any] = {"x": x, "m": m, "y": y}
    if isinstance(covariates, Mapping):
        pandas_inputs.update({f"covariates[{key!r}]": v for key, v in covariates.items()})
    else:
        pandas_inputs["covariates"] = covariates
    pandas_inputs["cluster"] = cluster
    check_aligned(pandas_inputs)
    columns = {"x": as_1d_float(x, "x"), "m": as_1d_float(m, "m"), "y": as_1d_float(y, "y")}
    columns.update(_covariate_columns(covariates))
    n = check_same_length(**columns)
    names = list(columns)
    k = len(names) - 3
    n_params = 3 + k
    if n <= n_params:
        raise ValueError(
            f"x, m and y have {n} rows, fewer than needed for the model of y, which has "
            f"{n_params} parameters (intercept, x, m and {k} covariates): at least "
            f"{n_params + 1} rows are needed"
        )
    for name, values in columns.items():
        if np.all(values == values[0]):
            raise ValueError(f"{name} is constant (every value is {values[0]:g})")
    _check_rank(columns)

    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise TypeError(f"n_resamples must be an int, got {type(n_resamples).__name__}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    check_confidence_level(confidence_level)
    if hc is not None and str(hc).upper() not in _HC_TYPES:
        raise ValueError(f"hc must be None or one of {', '.join(_HC_TYPES)}, got {hc!r}")
    if ci_method not in _CI_METHODS:
        raise ValueError(f"ci_method must be one of {', '.join(_CI_METHODS)}, got {ci_method!r}")
    if batch is not None and batch < 1:
        raise ValueError(f"batch must be a positive int, got {batch!r}")
    generator, seed = as_generator(rng)

    codes, n_clusters = (None, None) if cluster is None else _cluster_codes(cluster, n)
    # The canonical row order: np.lexsort sorts by its last key first, so this is by cluster,
    # then x, m, y and the covariates in turn.
    order_keys: list[npt.NDArray[Any]] = [columns[name] for name in reversed(names)]
    order_keys[-3:] = [columns["y"], columns["m"], columns["x"]]
    if codes is not None:
        order_keys.append(codes)
    order = np.lexsort(order_keys)
    covariate_matrix = np.column_stack([columns[name] for name in names[3:]]) if k else None
    return _MediationInput(
        x=columns["x"][order],
        m=columns["m"][order],
        y=columns["y"][order],
        covariates=(np.empty((n, 0)) if covariate_matrix is None else covariate_matrix[order]),
        covariate_names=_covariate_names(covariates, k),
        cluster_codes=None if codes is None else codes[order],
        n_clusters=n_clusters,
        n_resamples=int(n_resamples),
        confidence_level=float(confidence_level),
        generator=generator,
        seed=seed,
        hc=None if hc is None else str(hc).upper(),
        ci_method=ci_method,  # type: ignore[arg-type]  # checked against _CI_METHODS above
        batch=int(batch) if batch is not None else default_batch(n, n_resamples),
    )


def _covariate_columns(
    covariates: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None,
) -> dict[str, FloatArray]:
    """Return the covariates as named 1-D columns, named as they appear in error messages."""
    if covariates is None:
        return {}
    if isinstance(covariates, Mapping):
        return {
            f"covariates[{key!r}]": as_1d_float(values, f"covariates[{key!r}]")
            for key, values in covariates.items()
        }
    columns = getattr(covariates, "columns", None)
    if columns is not None:  # a DataFrame: name columns by their labels
        return {
            f"covariates[{key!r}]": as_1d_float(covariates[key], f"covariates[{key!r}]")  # type: ignore[index]  # DataFrame column access
            for key in columns
        }
    matrix = as_2d_float(covariates, "covariates")
    return {f"covariates[:, {j}]": matrix[:, j] for j in range(matrix.shape[1])}


def _covariate_names(
    covariates: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None, k: int
) -> tuple[str, ...]:
    """Return the covariates' names: mapping keys or DataFrame columns, else cov1..covk."""
    if isinstance(covariates, Mapping):
        return tuple(str(key) for key in covariates)
    columns = getattr(covariates, "columns", None)
    if columns is not None:
        return tuple(str(key) for key in columns)
    return tuple(f"cov{j + 1}" for j in range(k))


def _check_rank(columns: dict[str, FloatArray]) -> None:
    """Raise naming the first column that is a linear combination of the ones before it."""
    names = ["x", "m", *list(columns)[3:]]
    values = np.column_stack([columns[name] for name in names])
    scaled = (values - values.mean(axis=0)) / values.std(axis=0)
    diagonal = np.abs(np.diag(np.linalg.qr(scaled, mode="r")))
    dependent = np.flatnonzero(diagonal < 1e-8 * math.sqrt(values.shape[0]))
    if dependent.size:
        j = int(dependent[0])
        raise ValueError(
            f"{names[j]} is a linear combination of the intercept and "
            f"{', '.join(names[:j])}; drop it or one of those"
        )


def _cluster_codes(cluster: npt.ArrayLike, n: int) -> tuple[IntArray, int]:
    """Return each row's cluster number (by sorted label) and the number of clusters.

    Lists, NumPy arrays of any dtype, pandas Series (string, object or categorical) and
    Categoricals all come through ``np.asarray`` as the same labels, so they give the same
    numbers and therefore the same resamples.
    """
    labels = np.asarray(cluster)
    if labels.ndim != 1:
        raise ValueError(f"cluster must be one-dimensional, got shape {labels.shape}")
    if labels.shape[0] != n:
        raise ValueError(f"cluster has {labels.shape[0]} rows but x has {n}; lengths must match")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError("cluster contains missing labels (NaN)")
    if labels.dtype.kind == "O":
        missing = [i for i, label in enumerate(labels.tolist()) if _is_missing_label(label)]
        if missing:
            raise ValueError(
                f"cluster contains missing labels ({len(missing)} rows, the first at "
                f"position {missing[0]}); drop those rows or give them a label"
            )
    try:
        unique, codes = np.unique(labels, return_inverse=True)
    except TypeError:
        raise TypeError("cluster labels must be all numbers or all strings") from None
    if unique.size < 2:
        raise ValueError("cluster has a single cluster; resampling clusters needs at least two")
    if unique.size < _FEW_CLUSTERS:
        warnings.warn(
            f"cluster has only {unique.size} clusters; with fewer than {_FEW_CLUSTERS} the "
            "cluster bootstrap interval tends to be too narrow, so read it with caution",
            UserWarning,
            stacklevel=4,
        )
    return codes.astype(np.intp).reshape(-1), int(unique.size)


def _is_missing_label(label: object) -> bool:
    """Return True for None, NaN, pandas.NA and NaT (without importing pandas)."""
    if label is None:
        return True
    if isinstance(label, float | np.floating):
        return bool(np.isnan(label))
    return type(label).__name__ in {"NAType", "NaTType"}
