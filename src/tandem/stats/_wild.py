r"""Wild cluster bootstrap of the indirect effect ``a * b`` of a mediation model.

The designs of the two models stay fixed, so a resample only changes the responses:
:math:`m^* = X_M \hat\beta_M + w_{g(i)} \tilde e_{M,i}` and
:math:`y^* = X_Y \hat\beta_Y + w_{g(i)} \tilde e_{Y,i}`, with one weight :math:`w_g` per
cluster shared by both models and :math:`\tilde e` the residuals adjusted as in CR2
(:func:`tandem.stats._sandwich.cr2_adjusted_residuals`). Refitting is then linear in the
weights: :math:`a^* = \hat a + \sum_g w_g s_{a,g}` with
:math:`s_{a,g} = \sum_{i \in g} \ell_{a,i} \tilde e_{M,i}`, where :math:`\ell_a` is the row of
:math:`(X_M^\top X_M)^{-1} X_M^\top` that gives :math:`a` (likewise :math:`b`). A batch of
weight vectors gives every resample's paths in one matrix product over clusters.
"""

from __future__ import annotations

import math
from typing import Final, Literal

import numpy as np
from scipy import linalg, special

from tandem.stats._bootstrap import IntArray
from tandem.stats._common import FloatArray
from tandem.stats._sandwich import cr2_adjusted_residuals, cr2_covariance

__all__ = ["WildScale", "WildWeights", "cluster_weights", "wild_indirect_draws"]

WildWeights = Literal["webb", "rademacher"]
WildScale = Literal["t", "none"]

# Webb's (2023) six-point distribution: mean 0, variance 1, and 6**G distinct resamples, so
# that a handful of clusters still gives a smooth bootstrap distribution.
_WEBB: Final = np.array(
    [-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)]
)


def cluster_weights(
    generator: np.random.Generator, size: int, n_clusters: int, kind: WildWeights
) -> FloatArray:
    """Return ``size`` rows of one weight per cluster, Webb's six points or Rademacher's ±1.

    Each weight comes from one uniform of ``generator.random((size, n_clusters))``: Webb's
    point ``floor(6 u)`` (in ascending order), Rademacher's -1 when ``u < 1/2``, else 1. One
    uniform per weight keeps the stream the same however the resamples are chunked.
    """
    uniforms = generator.random((size, n_clusters))
    if kind == "rademacher":
        return np.where(uniforms < 0.5, -1.0, 1.0)
    index = np.minimum((uniforms * 6.0).astype(np.intp), 5)
    weights: FloatArray = _WEBB[index]
    return weights


def wild_indirect_draws(
    design_m: FloatArray,
    m: FloatArray,
    design_y: FloatArray,
    y: FloatArray,
    cluster_codes: IntArray,
    n_clusters: int,
    *,
    generator: np.random.Generator,
    n_resamples: int,
    batch: int,
    kind: WildWeights,
    scale_level: float | None,
) -> tuple[FloatArray, FloatArray]:
    r"""Return the draws of ``a * b`` and of ``a * b * sd(x) / sd(y*)``, in the data's units.

    ``design_m`` is ``[1, x, covariates]`` (``a`` in column 1) and ``design_y`` is
    ``[1, x, m, covariates]`` (``b`` in column 2). The standardised draws use each
    resample's own :math:`s_{Y^*}`, from cluster sums of the fitted values and residuals.

    With ``scale_level`` (a confidence level), each model's adjusted residuals are multiplied
    by :math:`t_{\nu, (1+\ell)/2} / z_{(1+\ell)/2}`, with :math:`\nu` the CR2 Satterthwaite
    degrees of freedom of the path the model carries (a, b), so that the percentile interval
    of each path's draws is its CR2 t interval at that level.
    """
    n = m.size
    a, s_a, _, _, df_a = _path_scores(design_m, m, 1, cluster_codes, n_clusters)
    b, s_b, fitted_y, resid_y, df_b = _path_scores(design_y, y, 2, cluster_codes, n_clusters)
    if scale_level is not None:
        quantile = 0.5 + scale_level / 2.0
        normal = float(special.ndtri(quantile))
        s_a = s_a * (float(special.stdtrit(df_a, quantile)) / normal)
        scale_b = float(special.stdtrit(df_b, quantile)) / normal
        s_b = s_b * scale_b
        resid_y = resid_y * scale_b
    sd_x = float(np.std(design_m[:, 1], ddof=1))
    # sum((y*_i - mean y*)^2) as a quadratic in the weights, through cluster sums.
    centred = fitted_y - fitted_y.mean()
    ss_fitted = float(centred @ centred)
    cross = np.bincount(cluster_codes, weights=centred * resid_y, minlength=n_clusters)
    square = np.bincount(cluster_codes, weights=resid_y**2, minlength=n_clusters)
    total = np.bincount(cluster_codes, weights=resid_y, minlength=n_clusters)

    draws = np.empty(n_resamples)
    draws_std = np.empty(n_resamples)
    for start in range(0, n_resamples, batch):
        stop = min(start + batch, n_resamples)
        weights = cluster_weights(generator, stop - start, n_clusters, kind)
        ab = (a + weights @ s_a) * (b + weights @ s_b)
        ss_y = ss_fitted + 2.0 * (weights @ cross) + (weights**2) @ square
        ss_y -= (weights @ total) ** 2 / n
        draws[start:stop] = ab
        draws_std[start:stop] = ab * sd_x / np.sqrt(ss_y / (n - 1))
    return draws, draws_std


def _path_scores(
    design: FloatArray,
    response: FloatArray,
    column: int,
    cluster_codes: IntArray,
    n_clusters: int,
) -> tuple[float, FloatArray, FloatArray, FloatArray, float]:
    """Return the coefficient, its per-cluster score sums, the fitted values and residuals.

    The residuals returned are the CR2-adjusted ones that the bootstrap perturbs; the last
    value is the coefficient's CR2 Satterthwaite degrees of freedom.
    """
    q, r = np.linalg.qr(design)
    coef = linalg.solve_triangular(r, q.T @ response)
    fitted = design @ coef
    r_inv = linalg.solve_triangular(r, np.eye(r.shape[0]))
    bread = r_inv @ r_inv.T
    resid = response - fitted
    adjusted = cr2_adjusted_residuals(design, resid, bread, cluster_codes, n_clusters)
    _, df = cr2_covariance(design, resid, bread, cluster_codes, n_clusters)
    # Row `column` of (X'X)^-1 X' = R^-1 Q'.
    loading = q @ r_inv[column]
    scores: FloatArray = np.bincount(
        cluster_codes, weights=loading * adjusted, minlength=n_clusters
    ).astype(np.float64, copy=False)
    return float(coef[column]), scores, fitted, adjusted, float(df[column])
