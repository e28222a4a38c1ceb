"""Mediation over imputations: paths pooled by Rubin's rules, bootstrap draws stacked."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from typing_extensions import override

from tandem.stats._bootstrap import percentile_interval
from tandem.stats._common import (
    FloatArray,
    ResultMixin,
    RngLike,
    as_generator,
    check_confidence_level,
)
from tandem.stats._wild import WildScale, WildWeights
from tandem.stats.imputation.chained import ImputationResult
from tandem.stats.imputation.rubin import rubin_rules, t_test
from tandem.stats.mediation import Bootstrap, mediation

__all__ = ["MediationImputedResult", "mediation_imputed"]

_PATHS: Final = ("a", "b", "c", "c_prime")


@dataclass(frozen=True, slots=True)
class MediationImputedResult(ResultMixin):
    """Mediation paths pooled over imputations, with the stacked bootstrap interval.

    Attributes
    ----------
    n, n_covariates, n_imputations : int
        Rows per data set, covariates and completed data sets.
    a, a_se, a_t, a_df, a_p, a_fmi : float
        Effect of x on m pooled by Rubin's rules: estimate, standard error, t, Barnard-Rubin
        degrees of freedom, p-value and fraction of missing information.
    b, b_se, b_t, b_df, b_p, b_fmi : float
        Effect of m on y adjusting for x, likewise.
    c, c_se, c_t, c_df, c_p, c_fmi : float
        Total effect, likewise.
    c_prime, c_prime_se, c_prime_t, c_prime_df, c_prime_p, c_prime_fmi : float
        Direct effect, likewise.
    indirect : float
        Mean over data sets of ``a * b``.
    boot_se, ci_low, ci_high : float
        Standard deviation and percentile interval of the stacked bootstrap draws.
    indirect_std, indirect_std_ci_low, indirect_std_ci_high : float
        Mean completely standardised indirect effect and the percentile interval of its
        stacked draws.
    confidence_level : float
    n_resamples : int
        Bootstrap resamples per data set; the interval uses ``n_imputations * n_resamples``.
    n_replaced : int
        Resamples discarded and drawn again, summed over the data sets (see
        :func:`tandem.stats.mediation`).
    seed : int or None
    hc : str or None
    bootstrap : str
        ``"pairs"`` or ``"wild"``, as given to each per-imputation fit.
    wild_weights, wild_scale : str or None
        The wild bootstrap's weights and residual scaling; None for the pairs bootstrap.
    n_clusters : int or None
    warnings : tuple of str
        The degenerate-fit warnings of the per-imputation fits, each message once, in the
        order first raised; empty when all is well.
    boot_indirect, boot_indirect_std : numpy.ndarray
        The stacked draws, data set by data set; not in ``to_dict``.
    """

    n: int
    n_covariates: int
    n_imputations: int
    a: float
    a_se: float
    a_t: float
    a_df: float
    a_p: float
    a_fmi: float
    b: float
    b_se: float
    b_t: float
    b_df: float
    b_p: float
    b_fmi: float
    c: float
    c_se: float
    c_t: float
    c_df: float
    c_p: float
    c_fmi: float
    c_prime: float
    c_prime_se: float
    c_prime_t: float
    c_prime_df: float
    c_prime_p: float
    c_prime_fmi: float
    indirect: float
    boot_se: float
    ci_low: float
    ci_high: float
    indirect_std: float
    indirect_std_ci_low: float
    indirect_std_ci_high: float
    confidence_level: float
    n_resamples: int
    n_replaced: int
    seed: int | None
    hc: str | None
    bootstrap: str
    wild_weights: str | None
    wild_scale: str | None
    n_clusters: int | None
    warnings: tuple[str, ...]
    boot_indirect: FloatArray = dataclasses.field(repr=False, compare=False)
    boot_indirect_std: FloatArray = dataclasses.field(repr=False, compare=False)

    @override
    def to_dict(self) -> dict[str, Any]:
        """Return the fields as plain Python values, without the bootstrap draws."""
        out = ResultMixin.to_dict(self)
        del out["boot_indirect"], out["boot_indirect_std"]
        return out


@dataclass(frozen=True, slots=True)
class _MediationImputedInput:
    datasets: tuple[pd.DataFrame, ...]
    covariates: tuple[Any, ...]
    generator: np.random.Generator
    seed: int | None


def mediation_imputed(
    datasets: ImputationResult | Sequence[pd.DataFrame],
    x: Any,
    m: Any,
    y: Any,
    covariates: Any = None,
    *,
    n_resamples: int = 5000,
    confidence_level: float = 0.95,
    rng: RngLike = None,
    cluster: Any = None,
    hc: str | None = None,
    bootstrap: Bootstrap = "pairs",
    wild_weights: WildWeights | None = None,
    wild_scale: WildScale | None = None,
    batch: int | None = None,
) -> MediationImputedResult:
    r"""Fit a simple mediation model on every completed data set and pool the results.

    Parameters
    ----------
    datasets : ImputationResult or sequence of pandas.DataFrame
        The completed data sets (at least 2).
    x, m, y : column label
        Predictor, mediator and outcome columns.
    covariates : column label or sequence of labels, optional
        Covariate columns entered in every model.
    n_resamples : int, default 5000
        Bootstrap resamples per data set.
    confidence_level : float, default 0.95
    rng : int, numpy.random.Generator or None
        Seed or generator; each data set gets its own independent stream spawned from it.
    cluster : column label, optional
        Column of cluster labels: whole clusters are resampled (see
        :func:`tandem.stats.mediation`).
    hc : {None, "HC0", "HC1", "HC2", "HC3", "CR1", "CR2"}
        Heteroskedasticity-consistent or (with ``cluster``) cluster-robust standard errors for
        the paths (see :func:`tandem.stats.mediation`).
    bootstrap : {"pairs", "wild"}, default "pairs"
        The bootstrap of each data set: ``"wild"`` is the wild cluster bootstrap and needs
        ``cluster`` (see :func:`tandem.stats.mediation`).
    wild_weights : {"webb", "rademacher"}, optional
        Weights of the wild bootstrap (Webb's by default); only with ``bootstrap="wild"``.
    wild_scale : {"t", "none"}, optional
        Residual scaling of the wild bootstrap (``"t"`` by default); only with
        ``bootstrap="wild"``.
    batch : int, optional
        Resamples per chunk, passed to :func:`tandem.stats.mediation`.

    Returns
    -------
    MediationImputedResult

    Raises
    ------
    TypeError
        ``datasets`` is not a sequence of DataFrames.
    ValueError
        Fewer than two data sets, data sets of different lengths, a column missing from a data
        set, or a column named twice; :func:`tandem.stats.mediation`'s checks, prefixed with
        the data set, such as NaN left in a column.

    Notes
    -----
    Each path :math:`a, b, c, c'` is pooled with :func:`pool`, with the complete-data degrees
    of freedom of its t test in :func:`tandem.stats.mediation`: :math:`n - 2 - k` for the
    models of m and of the total effect and :math:`n - 3 - k` for the model of y
    (:math:`k` covariates) with OLS and HC standard errors, :math:`G - 1` with CR1, and the
    mean over data sets of the path's Satterthwaite degrees of freedom with CR2.

    The indirect effect is the mean of the per-imputation :math:`\hat a_i \hat b_i`. Its
    interval follows Wu and Jia (2013) and Schomaker and Heumann (2018, "MI Boot"): the
    :math:`B` bootstrap draws of every data set are stacked into :math:`mB` draws and the
    percentile interval is read off them, with the rank rule of
    :func:`tandem.stats.mediation`. The stacked draws carry both the sampling and the
    between-imputation variability of :math:`ab`, whose distribution is too skewed for
    Rubin's normal-theory rules.

    References
    ----------
    .. [1] Wu, W., & Jia, F. (2013). A new procedure to test mediation with missing data
           through nonparametric bootstrapping and multiple imputation. *Multivariate
           Behavioral Research*, 48(5), 663-691.
    .. [2] Schomaker, M., & Heumann, C. (2018). Bootstrap inference when using multiple
           imputation. *Statistics in Medicine*, 37(14), 2252-2266.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from tandem import stats
    >>> gen = np.random.default_rng(5)
    >>> fidelity = gen.normal(28, 4, size=150)
    >>> alliance = 40 + 0.6 * fidelity + gen.normal(0, 5, size=150)
    >>> outcome = 20 + 0.2 * alliance + gen.normal(0, 3, size=150)
    >>> frame = pd.DataFrame({"fidelity": fidelity, "alliance": alliance, "outcome": outcome})
    >>> frame = frame.mask(gen.random(frame.shape) < [0, 0.15, 0.15])
    >>> completed = stats.impute(frame, m=5, rng=1, n_burnin=5)
    >>> res = stats.mediation_imputed(
    ...     completed, "fidelity", "alliance", "outcome", n_resamples=1000, rng=2
    ... )
    >>> print(f"a={res.a:.3f} (fmi {res.a_fmi:.2f}) b={res.b:.3f} ab={res.indirect:.3f}")
    a=0.660 (fmi 0.09) b=0.158 ab=0.104
    >>> print(f"95% CI [{res.ci_low:.3f}, {res.ci_high:.3f}] from {res.boot_indirect.size} draws")
    95% CI [0.035, 0.187] from 5000 draws
    """
    iv = _mediation_imputed_iv(
        datasets, x, m, y, covariates, cluster, rng, n_resamples, confidence_level
    )
    fits = []
    for i, (frame, stream) in enumerate(
        zip(iv.datasets, iv.generator.spawn(len(iv.datasets)), strict=True)
    ):
        try:
            fits.append(
                mediation(
                    frame[x],
                    frame[m],
                    frame[y],
                    {label: frame[label] for label in iv.covariates} if iv.covariates else None,
                    n_resamples=n_resamples,
                    confidence_level=confidence_level,
                    rng=stream,
                    cluster=None if cluster is None else frame[cluster],
                    hc=hc,
                    bootstrap=bootstrap,
                    wild_weights=wild_weights,
                    wild_scale=wild_scale,
                    batch=batch,
                )
            )
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"datasets[{i}]: {exc}") from None

    n = fits[0].n
    k = len(iv.covariates)
    df_complete = {
        name: float(np.mean([getattr(fit, f"{name}_df") for fit in fits])) for name in _PATHS
    }
    paths: dict[str, float] = {}
    for name in _PATHS:
        estimates = np.array([getattr(fit, name) for fit in fits])
        ses = np.array([getattr(fit, f"{name}_se") for fit in fits])
        rubin = rubin_rules(estimates, ses, float(df_complete[name]))
        se = math.sqrt(rubin.total)
        t, p = t_test(rubin.estimate, se, rubin.df, "two-sided")
        paths.update(
            {
                name: rubin.estimate,
                f"{name}_se": se,
                f"{name}_t": t,
                f"{name}_df": rubin.df,
                f"{name}_p": p,
                f"{name}_fmi": rubin.fmi,
            }
        )

    boot = np.concatenate([fit.boot_indirect for fit in fits])
    boot_std = np.concatenate([fit.boot_indirect_std for fit in fits])
    boot.flags.writeable = False
    boot_std.flags.writeable = False
    ci_low, ci_high = percentile_interval(boot, confidence_level)
    std_low, std_high = percentile_interval(boot_std, confidence_level)
    finite = boot[np.isfinite(boot)]
    return MediationImputedResult(
        n=n,
        n_covariates=k,
        n_imputations=len(fits),
        **paths,
        indirect=float(np.mean([fit.indirect for fit in fits])),
        boot_se=float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan,
        ci_low=ci_low,
        ci_high=ci_high,
        indirect_std=float(np.mean([fit.indirect_std for fit in fits])),
        indirect_std_ci_low=std_low,
        indirect_std_ci_high=std_high,
        confidence_level=fits[0].confidence_level,
        n_resamples=fits[0].n_resamples,
        n_replaced=sum(fit.n_replaced for fit in fits),
        seed=iv.seed,
        hc=fits[0].hc,
        bootstrap=fits[0].bootstrap,
        wild_weights=fits[0].wild_weights,
        wild_scale=fits[0].wild_scale,
        n_clusters=fits[0].n_clusters,
        warnings=tuple(dict.fromkeys(text for fit in fits for text in fit.warnings)),
        boot_indirect=boot,
        boot_indirect_std=boot_std,
    )


def _mediation_imputed_iv(
    datasets: Any,
    x: Any,
    m: Any,
    y: Any,
    covariates: Any,
    cluster: Any,
    rng: RngLike,
    n_resamples: Any,
    confidence_level: float,
) -> _MediationImputedInput:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise TypeError(f"n_resamples must be an int, got {type(n_resamples).__name__}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    check_confidence_level(confidence_level)
    frames = datasets.datasets if isinstance(datasets, ImputationResult) else datasets
    if isinstance(frames, pd.DataFrame) or not isinstance(frames, Sequence):
        raise TypeError(
            "datasets must be an ImputationResult or a sequence of DataFrames, one per imputation"
        )
    frames = tuple(frames)
    for i, frame in enumerate(frames):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"datasets[{i}] must be a pandas DataFrame, got {type(frame).__name__}")
    if len(frames) < 2:
        raise ValueError(f"datasets has {len(frames)} data sets; pooling needs at least 2")
    lengths = {len(frame) for frame in frames}
    if len(lengths) > 1:
        raise ValueError(
            f"datasets differ in length ({', '.join(map(str, sorted(lengths)))} rows); they "
            "must be completions of the same data"
        )

    if covariates is None:
        covariate_labels: tuple[Any, ...] = ()
    elif isinstance(covariates, str) or not isinstance(covariates, Sequence):
        covariate_labels = (covariates,)
    else:
        covariate_labels = tuple(covariates)
    named = {"x": x, "m": m, "y": y}
    named.update({f"covariates[{j}]": label for j, label in enumerate(covariate_labels)})
    seen: dict[Any, str] = {}
    for argument, label in named.items():
        if label in seen:
            raise ValueError(f"{argument} names column {label!r}, already given as {seen[label]}")
        seen[label] = argument
    if cluster is not None:
        named["cluster"] = cluster
    for argument, label in named.items():
        for i, frame in enumerate(frames):
            if label not in frame.columns:
                raise ValueError(
                    f"{argument} names {label!r}, which is not a column of datasets[{i}]"
                )
    generator, seed = as_generator(rng)
    return _MediationImputedInput(
        datasets=frames, covariates=covariate_labels, generator=generator, seed=seed
    )
