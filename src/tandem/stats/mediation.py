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

from tandem.stats import _sandwich, _wild
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
Bootstrap = Literal["pairs", "wild"]

_CI_METHODS: Final = ("percentile", "bc", "bca")
_HC_TYPES: Final = ("HC0", "HC1", "HC2", "HC3", "CR1", "CR2")
_CLUSTER_SE: Final = ("CR1", "CR2")
_BOOTSTRAPS: Final = ("pairs", "wild")
_WILD_WEIGHTS: Final = ("webb", "rademacher")
_WILD_SCALES: Final = ("t", "none")
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
    a, a_se, a_t, a_df, a_p, a_ci_low, a_ci_high : float
        Effect of x on m (model ``m ~ x + covariates``), its standard error, t, the degrees of
        freedom of its t test and interval, p and the interval at ``confidence_level``.
    b, b_se, b_t, b_df, b_p, b_ci_low, b_ci_high : float
        Effect of m on y adjusting for x (model ``y ~ x + m + covariates``).
    c, c_se, c_t, c_df, c_p, c_ci_low, c_ci_high : float
        Total effect of x on y (model ``y ~ x + covariates``).
    c_prime, c_prime_se, c_prime_t, c_prime_df, c_prime_p, c_prime_ci_low, c_prime_ci_high : float
        Direct effect of x on y (model ``y ~ x + m + covariates``). The degrees of freedom
        (``*_df``) are n - p for OLS and HC standard errors (p parameters in the path's model),
        G - 1 for CR1 (G clusters) and the path's Satterthwaite degrees of freedom for CR2.
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
        Heteroskedasticity-consistent (HC0-HC3) or cluster-robust (CR1, CR2) standard errors
        used for the paths; None for OLS.
    bootstrap : str
        ``"pairs"`` (rows, or whole clusters, resampled) or ``"wild"`` (wild cluster
        bootstrap).
    wild_weights, wild_scale : str or None
        The wild bootstrap's weights (``"webb"`` or ``"rademacher"``) and residual scaling
        (``"t"`` or ``"none"``); None for the pairs bootstrap.
    n_clusters : int or None
        Clusters, when ``cluster`` was given.
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
    a_df: float
    a_p: float
    a_ci_low: float
    a_ci_high: float
    b: float
    b_se: float
    b_t: float
    b_df: float
    b_p: float
    b_ci_low: float
    b_ci_high: float
    c: float
    c_se: float
    c_t: float
    c_df: float
    c_p: float
    c_ci_low: float
    c_ci_high: float
    c_prime: float
    c_prime_se: float
    c_prime_t: float
    c_prime_df: float
    c_prime_p: float
    c_prime_ci_low: float
    c_prime_ci_high: float
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
    bootstrap: str
    wild_weights: str | None
    wild_scale: str | None
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
    # The sorted cluster labels and, for each row in canonical order, its position as given:
    # to name a left-out cluster or row in messages.
    cluster_labels: npt.NDArray[Any] | None
    input_rows: IntArray
    n_resamples: int
    confidence_level: float
    generator: np.random.Generator
    seed: int | None
    hc: str | None
    ci_method: CiMethod
    bootstrap: Bootstrap
    wild_weights: _wild.WildWeights | None
    wild_scale: _wild.WildScale | None
    batch: int


@dataclass(frozen=True, slots=True)
class _OlsFit:
    """A least-squares fit of one of the three models, with its inference."""

    coef: FloatArray
    se: FloatArray
    t: FloatArray
    # Degrees of freedom of each coefficient's t test and interval: n - p for OLS and HC,
    # G - 1 for CR1, Satterthwaite's for CR2.
    df: FloatArray
    p: FloatArray
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
    bootstrap: Bootstrap = "pairs",
    wild_weights: _wild.WildWeights | None = None,
    wild_scale: _wild.WildScale | None = None,
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
        NumPy array, pandas Series or Categorical (all give the same result). The pairs
        bootstrap resamples whole clusters, and the BCa jackknife leaves out one cluster at a
        time. A cluster may have a single row; with fewer than 10 clusters a ``UserWarning``
        says the intervals tend to be too narrow. The paths' standard errors take the
        clusters into account only with ``hc="CR1"`` or ``"CR2"``.
    hc : {None, "HC0", "HC1", "HC2", "HC3", "CR1", "CR2"}
        Standard errors for the paths. HC0-HC3 are heteroskedasticity-consistent, as
        statsmodels' ``cov_type``, with t tests on n - p degrees of freedom. CR1 and CR2 are
        cluster-robust and need ``cluster``: CR1 as statsmodels' ``cov_type="cluster"`` with
        ``use_t=True`` (G - 1 degrees of freedom for G clusters), CR2 the bias-reduced
        estimator of Bell and McCaffrey with each path's Satterthwaite degrees of freedom, as
        R's clubSandwich (``vcovCR(type="CR2")``, ``coef_test(test="Satterthwaite")``).
    ci_method : {"percentile", "bc", "bca"}
        Interval for the indirect effect: percentile (as PROCESS), bias-corrected (as pingouin)
        or bias-corrected and accelerated.
    bootstrap : {"pairs", "wild"}, default "pairs"
        ``"pairs"`` resamples rows (whole clusters when ``cluster`` is given). ``"wild"`` is
        the wild cluster bootstrap, which needs ``cluster``: the rows stay as they are and
        each cluster's residuals in both models are multiplied by one random weight.
    wild_weights : {"webb", "rademacher"}, optional
        Weights of the wild bootstrap: Webb's six-point distribution (the default, suited to
        few clusters) or Rademacher's ±1. Only with ``bootstrap="wild"``.
    wild_scale : {"t", "none"}, optional
        ``"t"`` (the default with ``bootstrap="wild"``) widens each model's residuals so that
        the draws of each path spread as its small-sample t interval (see Notes); ``"none"``
        perturbs the residuals as they are. Only with ``bootstrap="wild"``.
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
        of range, ``hc="CR1"``/``"CR2"`` or ``bootstrap="wild"`` without ``cluster``, or
        ``wild_weights`` or ``wild_scale`` without ``bootstrap="wild"``; or more bootstrap
        resamples without variation in x or m to replace than ``n_resamples``.
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

    The wild cluster bootstrap keeps the designs :math:`X_M = [1, X, C]` and
    :math:`X_Y = [1, X, M, C]` fixed and draws one weight :math:`w_g` per cluster per resample
    (Webb's :math:`\pm\sqrt{1/2}, \pm 1, \pm\sqrt{3/2}`, each with probability 1/6, or
    Rademacher's :math:`\pm 1`), from one uniform each of ``rng.random((batch, G))`` with
    clusters in the order of their sorted labels. The responses
    :math:`M^* = X_M\hat\beta_M + w_g \tilde e_M` and
    :math:`Y^* = X_Y\hat\beta_Y + w_g \tilde e_Y` share the weight of each cluster, where
    :math:`\tilde e = (I - H_{gg})^{-1/2} e` are the residuals adjusted as in CR2, so that
    the variance of :math:`a^*` over the weights is the CR2 variance of :math:`a`. Refitting
    both models gives :math:`a^*` and :math:`b^*`; since the designs are fixed, each is its
    estimate plus a weighted sum of per-cluster scores, so no resample fits anything. The
    interval of ``ci_method`` is read off the draws of :math:`a^* b^*`, and the standardised
    draws use each resample's :math:`s_{Y^*}`. No resample can fail, so ``n_replaced`` is 0.
    With few clusters the CR2 variance is itself estimated from few clusters, which draws
    spread by it ignore: a percentile interval of :math:`a^*` alone would be the normal
    interval :math:`\hat a \pm z_{1-\alpha/2}\,\mathrm{SE}_{CR2}`. With ``wild_scale="t"``
    (the default) the adjusted residuals of the model of m are therefore multiplied by
    :math:`t_{\nu_a, 1-\alpha/2} / z_{1-\alpha/2}` and those of the model of y by the same
    ratio for b, with :math:`\nu` the paths' CR2 Satterthwaite degrees of freedom, so that
    the percentile interval of :math:`a^*` alone is the CR2 t interval of a. The draws then
    depend on ``confidence_level``.

    Which standard errors and which bootstrap
    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    When clients are nested in teams and x is measured per team (fidelity), OLS and HC
    standard errors treat clients as independent and are too small. Give ``cluster`` and:

    * ``hc="CR2"`` for the paths. Its Satterthwaite degrees of freedom allow for a variance
      estimated from few clusters, and for a predictor that varies only between teams they
      can be far below G - 1. CR1 tests on G - 1 degrees of freedom and is too liberal with
      fewer than about 30-40 clusters, and beyond when clusters differ much in size or in x
      (below); with many balanced clusters the two agree.
    * ``bootstrap="wild"`` (Webb weights, ``wild_scale="t"``) for the indirect effect when
      there are fewer than about 30-40 clusters. The pairs bootstrap over clusters is the
      alternative with many clusters; with few, its resamples lose or repeat the handful of
      teams that carry the spread of x, and its interval is somewhat too narrow.

    In 1000 simulated studies per scenario (``benchmarks/coverage.py``), the 95% intervals
    covered as follows (Monte Carlo SE 0.007):

    ================================  ==========  ==========  ==========
    interval                          seed shape  14 teams    40 teams
    ================================  ==========  ==========  ==========
    a*b, i.i.d. percentile bootstrap  0.936       0.721       0.804
    a*b, pairs cluster bootstrap      0.926       0.936       0.906
    a*b, wild, unscaled               0.916       0.907       0.911
    a*b, wild, t-scaled (default)     0.946       0.961       0.931
    a, OLS                            0.893       0.552       0.714
    a, CR1                            0.924       0.892       0.899
    a, CR2                            0.959       0.959       0.930
    ================================  ==========  ==========  ==========

    The seed shape is :func:`tandem.synth.smcm_study` (about 220 complete cases in 14 teams,
    weak team effects); the others have 311 clients, x per team and team effects with an
    intraclass correlation of 0.26 in both models.

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
    .. [4] Bell, R. M., & McCaffrey, D. F. (2002). Bias reduction in standard errors for
           linear regression with multi-stage samples. *Survey Methodology*, 28(2), 169-181.
    .. [5] Pustejovsky, J. E., & Tipton, E. (2018). Small-sample methods for cluster-robust
           variance estimation and hypothesis testing in fixed effects models. *Journal of
           Business & Economic Statistics*, 36(4), 672-683.
    .. [6] Cameron, A. C., Gelbach, J. B., & Miller, D. L. (2008). Bootstrap-based
           improvements for inference with clustered errors. *The Review of Economics and
           Statistics*, 90(3), 414-427.
    .. [7] Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors.
           *Canadian Journal of Economics*, 56(3), 839-858.

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
        x,
        m,
        y,
        covariates,
        n_resamples,
        confidence_level,
        rng,
        cluster,
        hc,
        ci_method,
        bootstrap,
        wild_weights,
        wild_scale,
        batch,
    )
    n, k = iv.covariates.shape
    ones = np.ones((n, 1))
    design_m = np.hstack([ones, iv.x[:, None], iv.covariates])
    design_y = np.hstack([ones, iv.x[:, None], iv.m[:, None], iv.covariates])
    fit_m = _ols(design_m, iv.m, iv)
    fit_y = _ols(design_y, iv.y, iv)
    fit_total = _ols(design_m, iv.y, iv)
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
    if iv.bootstrap == "pairs" or iv.cluster_codes is None or iv.n_clusters is None:
        raw, raw_std, n_replaced = usable_draws(
            iv.generator,
            products,
            z.shape[1],
            iv.n_resamples,
            batch=iv.batch,
            cluster_codes=iv.cluster_codes,
            n_clusters=iv.n_clusters,
        )
        # Draws are in standardised units; sd(y)/sd(x) brings a*b back to the data's units.
        boot = raw * (sd_y / sd_x)
        boot_std = raw_std
    else:
        boot, boot_std = _wild.wild_indirect_draws(
            design_m,
            iv.m,
            design_y,
            iv.y,
            iv.cluster_codes,
            iv.n_clusters,
            generator=iv.generator,
            n_resamples=iv.n_resamples,
            batch=iv.batch,
            kind=iv.wild_weights or "webb",
            scale_level=iv.confidence_level if iv.wild_scale == "t" else None,
        )
        n_replaced = 0
    boot.flags.writeable = False
    boot_std.flags.writeable = False

    if iv.ci_method == "percentile":
        ci_low, ci_high = percentile_interval(boot, iv.confidence_level)
    else:
        acceleration = 0.0
        if iv.ci_method == "bca":
            jack = _jackknife_indirect(products, z.shape[1], iv.cluster_codes, iv.n_clusters)
            _check_jackknife(jack, iv)
            acceleration = jackknife_acceleration(jack)
        ci_low, ci_high = bias_corrected_interval(
            boot, indirect, iv.confidence_level, acceleration=acceleration
        )
    std_low, std_high = percentile_interval(boot_std, iv.confidence_level)
    finite = boot[np.isfinite(boot)]

    return MediationResult(
        n=n,
        n_covariates=k,
        **_path_fields("a", fit_m, 1, iv.confidence_level),
        **_path_fields("b", fit_y, 2, iv.confidence_level),
        **_path_fields("c", fit_total, 1, iv.confidence_level),
        **_path_fields("c_prime", fit_y, 1, iv.confidence_level),
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
        bootstrap=iv.bootstrap,
        wild_weights=iv.wild_weights,
        wild_scale=iv.wild_scale,
        n_clusters=iv.n_clusters,
        warnings=tuple(fit_messages),
        boot_indirect=boot,
        boot_indirect_std=boot_std,
    )


def usable_draws(
    generator: np.random.Generator,
    products: FloatArray,
    q: int,
    n_resamples: int,
    *,
    batch: int,
    cluster_codes: IntArray | None = None,
    n_clusters: int | None = None,
) -> tuple[FloatArray, FloatArray, int]:
    """Return ``n_resamples`` usable draws (standardised units) and how many were replaced.

    ``products`` are the rows' cross-products (:func:`_crossproducts`) of ``q`` columns. A
    resample in which x, or m given x and the covariates, has no variation left cannot
    identify a or b. It is discarded and the next resample of the stream takes its place, as
    PROCESS replaces such resamples: each round draws exactly the shortfall, so the draws are
    the first ``n_resamples`` usable resamples of ``generator``'s stream, whatever ``batch``
    is. :func:`tandem.stats.mediation_power` replaces its studies' failed resamples with it.
    """
    kept: list[FloatArray] = []
    kept_std: list[FloatArray] = []
    n_kept = 0
    n_replaced = 0
    while n_kept < n_resamples:
        needed = n_resamples - n_kept
        for weights in resample_weights(
            generator, products.shape[0], needed, batch, cluster_codes, n_clusters
        ):
            ab, ab_std = _indirect_from_moments(products.T @ weights.T, q)
            usable = np.isfinite(ab)
            kept.append(ab[usable])
            kept_std.append(ab_std[usable])
            n_kept += int(np.count_nonzero(usable))
            n_replaced += int(usable.size - np.count_nonzero(usable))
        if n_replaced > n_resamples:
            unit = "rows" if cluster_codes is None else "clusters"
            raise ValueError(
                f"{n_replaced} of {n_kept + n_replaced} bootstrap resamples could not estimate "
                f"the paths because x or m had no variation left in them, more than "
                f"n_resamples ({n_resamples}) can be replaced: x may be too rare, or the "
                f"sample too small, for a bootstrap over {unit}"
            )
    return np.concatenate(kept), np.concatenate(kept_std), n_replaced


def _path_fields(name: str, fit: _OlsFit, column: int, confidence_level: float) -> dict[str, float]:
    coef, se, df = float(fit.coef[column]), float(fit.se[column]), float(fit.df[column])
    half_width = float(special.stdtrit(df, 0.5 + confidence_level / 2.0)) * se
    return {
        name: coef,
        f"{name}_se": se,
        f"{name}_t": float(fit.t[column]),
        f"{name}_df": df,
        f"{name}_p": float(fit.p[column]),
        f"{name}_ci_low": coef - half_width,
        f"{name}_ci_high": coef + half_width,
    }


def _ols(design: FloatArray, response: FloatArray, iv: _MediationInput) -> _OlsFit:
    """Fit by least squares; standard errors, t, p and degrees of freedom as ``iv.hc`` says."""
    hc = iv.hc
    n, p = design.shape
    q, r = np.linalg.qr(design)
    coef = linalg.solve_triangular(r, q.T @ response)
    resid = response - design @ coef
    df = n - p
    df_coef = np.full(p, float(df))
    r_inv = np.linalg.inv(r)
    bread = r_inv @ r_inv.T
    if hc is None:
        cov = bread * float(resid @ resid) / df
    elif hc in _CLUSTER_SE and iv.cluster_codes is not None and iv.n_clusters is not None:
        robust = _sandwich.cr1_covariance if hc == "CR1" else _sandwich.cr2_covariance
        cov, df_coef = robust(design, resid, bread, iv.cluster_codes, iv.n_clusters)
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
    return _OlsFit(
        coef=coef,
        se=se,
        t=t,
        df=df_coef,
        p=2.0 * special.stdtr(df_coef, -np.abs(t)),
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


def _check_jackknife(jack: FloatArray, iv: _MediationInput) -> None:
    """Raise when a leave-one-out fit of the BCa jackknife cannot identify the paths."""
    failed = np.flatnonzero(~np.isfinite(jack))
    if failed.size == 0:
        return
    if iv.cluster_labels is None:
        unit = f"row {int(iv.input_rows[failed].min())} (position as given)"
        units = "rows"
    else:
        label = iv.cluster_labels[failed[0] : failed[0] + 1].tolist()[0]
        unit = f"cluster {label!r}"
        units = "clusters"
    raise ValueError(
        f"ci_method='bca' needs every leave-one-out fit of its jackknife, but leaving out "
        f"{unit} ({failed.size} of {jack.size} {units} in all) leaves x, or m given x and the "
        "covariates, without variation: the acceleration is not defined. Use "
        "ci_method='bc' or 'percentile'"
    )


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
    bootstrap: str,
    wild_weights: str | None,
    wild_scale: str | None,
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
    _check_cluster_settings(
        hc, bootstrap, wild_weights, wild_scale, has_cluster=cluster is not None
    )
    if batch is not None and batch < 1:
        raise ValueError(f"batch must be a positive int, got {batch!r}")
    generator, seed = as_generator(rng)

    codes, n_clusters, labels = (
        (None, None, None) if cluster is None else _cluster_codes(cluster, n, bootstrap)
    )
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
        cluster_labels=labels,
        input_rows=order.astype(np.intp),
        n_resamples=int(n_resamples),
        confidence_level=float(confidence_level),
        generator=generator,
        seed=seed,
        hc=None if hc is None else str(hc).upper(),
        ci_method=ci_method,  # type: ignore[arg-type]  # checked against _CI_METHODS above
        bootstrap=bootstrap,  # type: ignore[arg-type]  # checked against _BOOTSTRAPS above
        wild_weights=(
            wild_weights or "webb" if bootstrap == "wild" else None  # type: ignore[arg-type]  # checked against _WILD_WEIGHTS above
        ),
        wild_scale=(
            wild_scale or "t" if bootstrap == "wild" else None  # type: ignore[arg-type]  # checked against _WILD_SCALES above
        ),
        batch=int(batch) if batch is not None else default_batch(n, n_resamples),
    )


def _check_cluster_settings(
    hc: str | None,
    bootstrap: str,
    wild_weights: str | None,
    wild_scale: str | None,
    *,
    has_cluster: bool,
) -> None:
    """Raise naming the setting that is out of range or that needs ``cluster``."""
    if bootstrap not in _BOOTSTRAPS:
        raise ValueError(f"bootstrap must be one of {', '.join(_BOOTSTRAPS)}, got {bootstrap!r}")
    for name, value, allowed in (
        ("wild_weights", wild_weights, _WILD_WEIGHTS),
        ("wild_scale", wild_scale, _WILD_SCALES),
    ):
        if value is None:
            continue
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        if bootstrap != "wild":
            raise ValueError(
                f"{name}={value!r} applies only to bootstrap='wild', got bootstrap={bootstrap!r}"
            )
    if has_cluster:
        return
    if hc is not None and str(hc).upper() in _CLUSTER_SE:
        raise ValueError(
            f"hc={hc!r} needs cluster: cluster-robust standard errors need each row's cluster "
            "label (cluster=...)"
        )
    if bootstrap == "wild":
        raise ValueError(
            "bootstrap='wild' needs cluster: the wild cluster bootstrap draws one weight per "
            "cluster (cluster=...); without clusters use bootstrap='pairs'"
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


def _cluster_codes(
    cluster: npt.ArrayLike, n: int, bootstrap: str
) -> tuple[IntArray, int, npt.NDArray[Any]]:
    """Return each row's cluster number (by sorted label), the number of clusters and labels.

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
        advice = (
            "cluster-robust intervals are unreliable, so read them"
            if bootstrap == "wild"
            else "the cluster bootstrap interval tends to be too narrow, so read it"
        )
        warnings.warn(
            f"cluster has only {unique.size} clusters; with fewer than {_FEW_CLUSTERS} "
            f"{advice} with caution",
            UserWarning,
            stacklevel=4,
        )
    return codes.astype(np.intp).reshape(-1), int(unique.size), unique


def _is_missing_label(label: object) -> bool:
    """Return True for None, NaN, pandas.NA and NaT (without importing pandas)."""
    if label is None:
        return True
    if isinstance(label, float | np.floating):
        return bool(np.isnan(label))
    return type(label).__name__ in {"NAType", "NaTType"}
