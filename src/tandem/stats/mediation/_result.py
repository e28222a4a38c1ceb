"""The result of :func:`tandem.stats.mediation`: paths, indirect effect, tables and draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from typing_extensions import override

from tandem.stats._common import FloatArray, ResultMixin
from tandem.stats._model_table import ModelTable

__all__ = ["MediationResult"]


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
