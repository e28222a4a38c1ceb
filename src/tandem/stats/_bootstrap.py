"""Resampling and interval helpers shared by the bootstrap methods of :mod:`tandem.stats`.

Resamples are count matrices (resamples x units) drawn in chunks, so that a method can turn
each chunk into statistics with array operations and never loop over resamples. Intervals take
the draws of any statistic: :func:`percentile_interval` as PROCESS, and
:func:`bias_corrected_interval` as pingouin (or BCa, given a jackknife acceleration).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy import special

from tandem.stats._common import FloatArray, check_confidence_level

IntArray = npt.NDArray[np.intp]

# Resamples x units held at once in one chunk of resample counts: 2**22 float64 values are
# 32 MiB, and drawing them needs about four such arrays.
CHUNK_ELEMENTS: Final = 1 << 22


def default_batch(n_units: int, n_resamples: int) -> int:
    """Return how many resamples of ``n_units`` fit in one chunk of ``CHUNK_ELEMENTS``."""
    return max(1, min(n_resamples, CHUNK_ELEMENTS // max(n_units, 1)))


def resample_weights(
    generator: np.random.Generator,
    n_rows: int,
    n_resamples: int,
    batch: int,
    cluster_codes: IntArray | None = None,
    n_clusters: int | None = None,
) -> Iterator[FloatArray]:
    """Yield (resamples, n_rows) count matrices, ``batch`` resamples at a time.

    With clusters, whole clusters are drawn and every row carries its cluster's count.
    """
    units = n_rows if cluster_codes is None or n_clusters is None else n_clusters
    done = 0
    while done < n_resamples:
        size = min(batch, n_resamples - done)
        counts = draw_counts(generator, units, size)
        yield counts if cluster_codes is None else counts[:, cluster_codes]
        done += size


def draw_counts(generator: np.random.Generator, n_units: int, size: int) -> FloatArray:
    """Return how often each of ``n_units`` is drawn in each of ``size`` resamples.

    One uniform per pick (rather than ``Generator.integers``, which buffers) keeps the stream
    the same however the resamples are chunked.
    """
    picks = generator.random((size, n_units))
    picks *= n_units
    index = picks.astype(np.intp)
    del picks
    np.minimum(index, n_units - 1, out=index)
    index += (np.arange(size, dtype=np.intp) * n_units)[:, None]
    counts = np.bincount(index.ravel(), minlength=size * n_units)
    del index
    return counts.reshape(size, n_units).astype(np.float64)


def percentile_interval(
    draws: npt.ArrayLike, confidence_level: float = 0.95
) -> tuple[float, float]:
    r"""Percentile bootstrap interval with the order statistics PROCESS uses.

    Parameters
    ----------
    draws : array_like
        Bootstrap draws; NaN draws are left out.
    confidence_level : float, default 0.95

    Returns
    -------
    tuple of float
        ``(low, high)``; NaN when there is no finite draw.

    Notes
    -----
    With :math:`B` finite draws sorted, the bounds are the draws of ranks (from 1)
    :math:`\lfloor B\alpha/2 + 1/2 \rfloor` and :math:`\lfloor B(1 - \alpha/2) \rfloor + 1`,
    kept within :math:`[1, B]`: for 5000 draws at 95 %, the 125th and the 4876th.

    Examples
    --------
    >>> percentile_interval(range(1, 1001), 0.95)
    (25.0, 976.0)
    """
    check_confidence_level(confidence_level)
    values = np.sort(np.asarray(draws, dtype=np.float64).ravel())
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan, math.nan
    low, high = percentile_ranks(values.size, confidence_level)
    return float(values[low - 1]), float(values[high - 1])


def bias_corrected_interval(
    draws: npt.ArrayLike,
    estimate: float,
    confidence_level: float = 0.95,
    *,
    acceleration: float = 0.0,
) -> tuple[float, float]:
    r"""Bias-corrected (and, with ``acceleration``, accelerated) bootstrap interval.

    Parameters
    ----------
    draws : array_like
        Bootstrap draws; NaN draws are left out.
    estimate : float
        The estimate from the full sample.
    confidence_level : float, default 0.95
    acceleration : float, default 0
        Jackknife acceleration :math:`\hat a`; 0 gives pingouin's bias-corrected interval.

    Returns
    -------
    tuple of float
        ``(low, high)``. When every draw lies on one side of ``estimate`` the correction is
        infinite: the interval is the extreme draw for BC and NaN for BCa.

    Notes
    -----
    .. math::

        z_0 = \Phi^{-1}\!\left(\frac{\#\{\theta^*_b < \hat\theta\}}{B}\right), \qquad
        \alpha_{1,2} = \Phi\!\left(z_0 + \frac{z_0 + z_{\alpha/2, 1-\alpha/2}}
        {1 - \hat a (z_0 + z_{\alpha/2, 1-\alpha/2})}\right)

    and the bounds are the linearly interpolated percentiles :math:`100\alpha_{1,2}` of the
    draws (``numpy.percentile``), as in pingouin.

    Examples
    --------
    Draws centred above the estimate pull both bounds down:

    >>> draws = np.random.default_rng(0).normal(1.0, 0.5, size=4000)
    >>> print("{:.3f} {:.3f}".format(*percentile_interval(draws)))
    0.032 1.980
    >>> print("{:.3f} {:.3f}".format(*bias_corrected_interval(draws, 0.9)))
    -0.093 1.828
    """
    check_confidence_level(confidence_level)
    values = np.asarray(draws, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan, math.nan
    z0 = float(special.ndtri(np.mean(values < estimate)))
    tail = (1.0 - confidence_level) / 2.0
    bounds = []
    for z_alpha in (special.ndtri(tail), special.ndtri(1.0 - tail)):
        with np.errstate(invalid="ignore"):
            shifted = z0 + (z0 + z_alpha) / (1.0 - acceleration * (z0 + z_alpha))
        bounds.append(float(special.ndtr(shifted)) * 100.0)
    if not all(math.isfinite(q) for q in bounds):
        return math.nan, math.nan
    low, high = np.percentile(values, bounds)
    return float(low), float(high)


def percentile_ranks(n_draws: int, confidence_level: float) -> tuple[int, int]:
    # Rounded to 9 places so that 5000 * 0.05 / 2 is 125, not 125.00000000000001.
    tail = round(n_draws * (1.0 - confidence_level) / 2.0, 9)
    low = math.floor(tail + 0.5)
    high = math.floor(round(n_draws - tail, 9)) + 1
    return min(max(low, 1), n_draws), min(max(high, 1), n_draws)


def jackknife_acceleration(jack: FloatArray) -> float:
    r"""Return Efron's acceleration :math:`\sum d_i^3 / (6 (\sum d_i^2)^{3/2})` of jackknife values.

    :math:`d_i = \bar\theta_{(\cdot)} - \theta_{(i)}`; NaN values are left out, and 0 is returned
    when the jackknife values do not vary.
    """
    jack = jack[np.isfinite(jack)]
    d = jack.mean() - jack
    denominator = 6.0 * float(d @ d) ** 1.5
    return float(np.sum(d**3)) / denominator if denominator > 0 else 0.0
