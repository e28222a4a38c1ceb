"""The public function :func:`tandem.stats.mediation`: fit, bootstrap, intervals, result."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from tandem.stats import _wild
from tandem.stats._bootstrap import (
    bias_corrected_interval,
    jackknife_acceleration,
    percentile_interval,
)
from tandem.stats._common import (
    PERFECT_FIT_TOL,
    DegenerateFitWarning,
    RngLike,
    perfect_fit_message,
)
from tandem.stats._model_table import model_table
from tandem.stats.mediation._inputs import CLUSTER_SE, Bootstrap, CiMethod, mediation_iv
from tandem.stats.mediation._paths import ols, path_fields
from tandem.stats.mediation._resampling import (
    check_jackknife,
    crossproducts,
    jackknife_indirect,
    scaled_design,
    usable_draws,
)
from tandem.stats.mediation._result import MediationResult

__all__ = ["mediation"]


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
        the draws of each path spread as its small-sample t interval (see Notes). This is
        Tandem's own small-sample adjustment, checked by simulation in
        ``benchmarks/coverage.py``; it is not a published procedure. ``"none"`` gives the
        textbook wild cluster bootstrap: Webb or Rademacher weights on the CR2-adjusted
        residuals, as they are [6]_ [7]_. Only with ``bootstrap="wild"``.
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
    depend on ``confidence_level``. This scaling is Tandem's adjustment, not a published
    procedure: its only support is the coverage simulation below (``benchmarks/coverage.py``),
    and ``wild_scale="none"`` is there to reproduce the textbook wild cluster bootstrap.

    Which standard errors and which bootstrap
    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    When clients are nested in teams and x is measured per team (fidelity), OLS and HC
    standard errors treat clients as independent and are too small. Give ``cluster`` and:

    * ``hc="CR2"`` for the paths. Its Satterthwaite degrees of freedom allow for a variance
      estimated from few clusters, and for a predictor that varies only between teams they
      can be far below G - 1. CR1 tests on G - 1 degrees of freedom and is too liberal with
      fewer than about 30-40 clusters, and beyond when clusters differ much in size or in x
      (below); with many balanced clusters the two agree.
    * ``bootstrap="wild"`` (Webb weights, ``wild_scale="t"``, Tandem's adjustment) for the
      indirect effect when there are fewer than about 30-40 clusters. The pairs bootstrap
      over clusters is the alternative with many clusters; with few, its resamples lose or
      repeat the handful of teams that carry the spread of x, and its interval is somewhat
      too narrow.

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
    iv = mediation_iv(
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
    fit_m = ols(design_m, iv.m, iv)
    fit_y = ols(design_y, iv.y, iv)
    fit_total = ols(design_m, iv.y, iv)
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

    z = scaled_design(iv.x, iv.m, iv.y, iv.covariates)
    products = crossproducts(z)
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
            jack = jackknife_indirect(products, z.shape[1], iv.cluster_codes, iv.n_clusters)
            check_jackknife(jack, iv)
            acceleration = jackknife_acceleration(jack)
        ci_low, ci_high = bias_corrected_interval(
            boot, indirect, iv.confidence_level, acceleration=acceleration
        )
    std_low, std_high = percentile_interval(boot_std, iv.confidence_level)
    # Cluster-robust F tests have G - 1 denominator degrees of freedom (see ModelTable).
    f_clusters = iv.n_clusters if iv.hc in CLUSTER_SE else None
    finite = boot[np.isfinite(boot)]

    return MediationResult(
        n=n,
        n_covariates=k,
        **path_fields("a", fit_m, 1, iv.confidence_level),
        **path_fields("b", fit_y, 2, iv.confidence_level),
        **path_fields("c", fit_total, 1, iv.confidence_level),
        **path_fields("c_prime", fit_y, 1, iv.confidence_level),
        indirect=indirect,
        boot_se=float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan,
        ci_low=ci_low,
        ci_high=ci_high,
        indirect_std=indirect * sd_x / sd_y,
        indirect_std_ci_low=std_low,
        indirect_std_ci_high=std_high,
        r2_m=fit_m.r2,
        r2_y=fit_y.r2,
        model_m=model_table(
            ("constant", "x", *covariate_names),
            fit_m,
            n,
            iv.confidence_level,
            n_clusters=f_clusters,
        ),
        model_y=model_table(
            ("constant", "x", "m", *covariate_names),
            fit_y,
            n,
            iv.confidence_level,
            n_clusters=f_clusters,
        ),
        model_total=model_table(
            ("constant", "x", *covariate_names),
            fit_total,
            n,
            iv.confidence_level,
            n_clusters=f_clusters,
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
