"""Monte Carlo power for the indirect effect of a simple mediation model."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from tandem.stats._bootstrap import CHUNK_ELEMENTS, draw_counts, percentile_ranks
from tandem.stats._common import FloatArray, ResultMixin, RngLike, as_generator
from tandem.stats.mediation._resampling import crossproducts, indirect_from_moments, usable_draws

__all__ = ["MediationPowerResult", "mediation_power"]


@dataclass(frozen=True, slots=True)
class MediationPowerResult(ResultMixin):
    r"""Simulated power to detect the indirect effect with a percentile bootstrap interval.

    Attributes
    ----------
    power : float
        Share of simulated studies whose interval for ``a * b`` excludes 0.
    mc_se : float
        Monte Carlo standard error of ``power``, :math:`\sqrt{p(1-p)/n_{sims}}`.
    a, b, c_prime : float
        Population paths used to simulate.
    n, n_sims, n_resamples : int
        Study size, simulated studies and bootstrap resamples per study.
    n_replaced : int
        Resamples, over all studies, discarded and drawn again because x, or m given x, had
        no variation left in them (as :func:`tandem.stats.mediation` replaces them).
    alpha : float
        The interval has confidence level ``1 - alpha``.
    seed : int or None
        The int seed given as ``rng``, else None.
    """

    power: float
    mc_se: float
    a: float
    b: float
    c_prime: float
    n: int
    n_sims: int
    n_resamples: int
    n_replaced: int
    alpha: float
    seed: int | None


def mediation_power(
    a: float,
    b: float,
    n: int,
    *,
    c_prime: float = 0.0,
    n_sims: int = 1000,
    n_resamples: int = 1000,
    alpha: float = 0.05,
    rng: RngLike = None,
    batch: int | None = None,
) -> MediationPowerResult:
    r"""Estimate by simulation the power of the percentile bootstrap test of ``a * b``.

    Parameters
    ----------
    a, b : float
        Population paths x → m and m → y (in standard units of x and of the residuals).
    n : int
        Rows in each simulated study; at least 4.
    c_prime : float, default 0
        Population direct effect of x on y.
    n_sims : int, default 1000
        Simulated studies.
    n_resamples : int, default 1000
        Bootstrap resamples per study.
    alpha : float, default 0.05
        The interval has confidence level ``1 - alpha``.
    rng : int, numpy.random.Generator or None
        Seed or generator.
    batch : int, optional
        Studies simulated per chunk; by default about 32 MiB of resample counts.

    Returns
    -------
    MediationPowerResult

    Notes
    -----
    Each study draws, as Fritz and MacKinnon (2007) do,

    .. math::

        X \sim N(0, 1), \qquad M = aX + e_M, \qquad Y = c'X + bM + e_Y, \qquad
        e_M, e_Y \sim N(0, 1),

    and is analysed as :func:`tandem.stats.mediation` does with ``ci_method="percentile"``:
    the indirect effect is significant when the percentile interval of its bootstrap draws
    excludes 0. Resamples are vectorised across resamples and studies alike. A resample in
    which x, or m given x, has no variation left cannot identify the paths; as in
    :func:`tandem.stats.mediation` it is discarded and replaced, so that every study's
    interval rests on ``n_resamples`` usable draws, and ``n_replaced`` counts them. The
    results do not depend on ``batch``: studies, resamples and replacement resamples come from
    three independent streams spawned from ``rng``, the replacements drawn study after study.

    References
    ----------
    .. [1] Fritz, M. S., & MacKinnon, D. P. (2007). Required sample size to detect the mediated
           effect. *Psychological Science*, 18(3), 233-239.
    .. [2] Schoemann, A. M., Boulton, A. J., & Short, S. D. (2017). Determining power and sample
           size for simple and complex mediation models. *Social Psychological and Personality
           Science*, 8(4), 379-386.

    Examples
    --------
    Fritz and MacKinnon's "medium" paths (0.39) need about 78 people for 0.8 power:

    >>> from tandem import stats
    >>> res = stats.mediation_power(0.39, 0.39, 78, n_sims=400, n_resamples=500, rng=3)
    >>> print(f"power {res.power:.2f} (Monte Carlo SE {res.mc_se:.2f})")
    power 0.79 (Monte Carlo SE 0.02)
    """
    a, b, c_prime = (
        _path(value, name) for value, name in ((a, "a"), (b, "b"), (c_prime, "c_prime"))
    )
    _mediation_power_iv(n, n_sims, n_resamples, alpha, batch)
    generator, seed = as_generator(rng)
    # Spawned children are numbered, so the first two streams are those of spawn(2).
    study_stream, resample_stream, replacement_stream = generator.spawn(3)
    low_rank, high_rank = percentile_ranks(n_resamples, 1.0 - alpha)
    per_chunk = batch or max(1, CHUNK_ELEMENTS // (n_resamples * n))

    significant = 0
    n_replaced = 0
    done = 0
    while done < n_sims:
        size = min(per_chunk, n_sims - done)
        noise = study_stream.standard_normal((size, n, 3))
        z = np.ones((size, n, 4))  # columns 1, x, m, y as the mediation engine lays them out
        z[..., 1] = noise[..., 0]
        z[..., 2] = a * z[..., 1] + noise[..., 1]
        z[..., 3] = c_prime * z[..., 1] + b * z[..., 2] + noise[..., 2]
        products = crossproducts(z)
        counts = draw_counts(resample_stream, n, size * n_resamples)
        # (studies, pairs, rows) @ (studies, rows, resamples): BLAS runs this shape far faster
        # than the transposed one with only ten output columns.
        by_study = counts.reshape(size, n_resamples, n).transpose(0, 2, 1)
        moments = products.transpose(0, 2, 1) @ by_study
        draws, _ = indirect_from_moments(
            moments.transpose(1, 0, 2).reshape(products.shape[-1], -1), 4
        )
        draws = draws.reshape(size, n_resamples)
        for study in np.flatnonzero(np.isnan(draws).any(axis=1)):
            usable = draws[study][np.isfinite(draws[study])]
            extra, _, again = usable_draws(
                replacement_stream,
                products[study],
                4,
                n_resamples - usable.size,
                batch=n_resamples,
            )
            n_replaced += n_resamples - usable.size + again
            draws[study] = np.concatenate([usable, extra])
        significant += _count_excluding_zero(draws, low_rank, high_rank)
        done += size

    power = significant / n_sims
    return MediationPowerResult(
        power=power,
        mc_se=math.sqrt(power * (1.0 - power) / n_sims),
        a=a,
        b=b,
        c_prime=c_prime,
        n=n,
        n_sims=n_sims,
        n_resamples=n_resamples,
        n_replaced=n_replaced,
        alpha=float(alpha),
        seed=seed,
    )


def _count_excluding_zero(draws: FloatArray, low_rank: int, high_rank: int) -> int:
    """Count the studies (rows) whose percentile interval excludes 0."""
    ordered = np.sort(draws, axis=1)
    low = ordered[:, low_rank - 1]
    high = ordered[:, high_rank - 1]
    return int(np.count_nonzero((low > 0) | (high < 0)))


def _path(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def _mediation_power_iv(
    n: int, n_sims: int, n_resamples: int, alpha: float, batch: int | None
) -> None:
    for name, value, least in (("n", n, 4), ("n_sims", n_sims, 1), ("n_resamples", n_resamples, 1)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < least:
            raise ValueError(f"{name} must be at least {least}, got {value}")
    if not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if batch is not None and batch < 1:
        raise ValueError(f"batch must be a positive int, got {batch!r}")
