"""The pairs bootstrap of the indirect effect from per-row moments, and its jackknife.

Each chunk of resamples is a matrix of resample counts; its product with the per-row
cross-products gives every resample's moment matrix at once, and a batched sweep reads the
paths off them (no Python loop over resamples).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from tandem.stats._bootstrap import CHUNK_ELEMENTS, IntArray, resample_weights
from tandem.stats._common import FloatArray
from tandem.stats.mediation._inputs import MediationInput

__all__ = [
    "check_jackknife",
    "crossproducts",
    "indirect_from_moments",
    "jackknife_indirect",
    "scaled_design",
    "usable_draws",
]

# A predictor whose variance left over after the predictors swept before it is below this
# fraction of its full-sample variance is aliased in that resample and dropped, as lm() does.
_ALIAS_TOL: Final = 1e-10


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

    ``products`` are the rows' cross-products (:func:`crossproducts`) of ``q`` columns. A
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
            ab, ab_std = indirect_from_moments(products.T @ weights.T, q)
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


def scaled_design(
    x: FloatArray, m: FloatArray, y: FloatArray, covariates: FloatArray
) -> FloatArray:
    """Return the columns ``[1, x, covariates..., m, y]``, all but the first standardised.

    Standardising keeps the moment matrices well conditioned; the paths' ratios are unchanged.
    The order is the order of the sweeps in :func:`indirect_from_moments`.
    """
    columns = np.column_stack([x, covariates, m, y])
    z = np.empty((columns.shape[0], columns.shape[1] + 1))
    z[:, 0] = 1.0
    z[:, 1:] = (columns - columns.mean(axis=0)) / columns.std(axis=0, ddof=1)
    return z


def crossproducts(z: FloatArray) -> FloatArray:
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


def indirect_from_moments(moments: FloatArray, q: int) -> tuple[FloatArray, FloatArray]:
    """Return ``a*b`` and ``a*b*sd(x)/sd(y)`` for each column of upper-triangular moments.

    ``moments`` has shape (q(q+1)/2, r): one column per resample, in the layout of
    :func:`scaled_design` (0 intercept, 1 x, covariates, q-2 m, q-1 y). Sweeping the
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


def jackknife_indirect(
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
        indirect_from_moments(total[:, None] - left_out[start : start + chunk].T, q)[0]
        for start in range(0, left_out.shape[0], chunk)
    ]
    return np.concatenate(parts)


def check_jackknife(jack: FloatArray, iv: MediationInput) -> None:
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
