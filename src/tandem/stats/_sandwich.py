r"""Cluster-robust (sandwich) covariance of least-squares coefficients, CR1 and CR2.

Both estimators take a fit's design :math:`X` (``n x p``), residuals :math:`e`, the inverse
cross-product :math:`M = (X^\top X)^{-1}` and each row's cluster number, and return the
covariance matrix with the degrees of freedom for each coefficient's t test and interval:

* :func:`cr1_covariance`, as statsmodels' ``cov_type="cluster"``:
  :math:`\frac{G}{G-1}\frac{N-1}{N-p}\, M \left(\sum_g X_g^\top e_g e_g^\top X_g\right) M`,
  tested with :math:`G - 1` degrees of freedom.
* :func:`cr2_covariance`, the bias-reduced linearisation of Bell and McCaffrey (2002) as R's
  clubSandwich computes it for ``lm`` (``vcovCR(type="CR2")``):
  :math:`M \left(\sum_g X_g^\top A_g e_g e_g^\top A_g X_g\right) M` with
  :math:`A_g = (I - H_{gg})^{-1/2}`, :math:`H_{gg} = X_g M X_g^\top`, and each coefficient's
  Satterthwaite degrees of freedom (Pustejovsky & Tipton, 2018), as clubSandwich's
  ``coef_test(test="Satterthwaite")``.

:func:`cr2_adjusted_residuals` gives :math:`A_g e_g`, the residuals the wild cluster
bootstrap perturbs. Nothing here loops over rows: the loops run over clusters, and
:math:`A_g` comes from the thin SVD of :math:`X_g`, so an ``n_g x n_g`` matrix is never formed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np

from tandem.stats._bootstrap import IntArray
from tandem.stats._common import FloatArray

__all__ = ["cr1_covariance", "cr2_adjusted_residuals", "cr2_covariance"]

# Eigenvalues of I - H_gg at or below this are treated as zero in (I - H_gg)^(-1/2), as
# clubSandwich's matrix_power does (tol = 1e-12): a cluster whose rows a column of X
# identifies exactly gets a generalised inverse rather than a division by zero.
_EIGEN_TOL: Final = 1e-12


def cr1_covariance(
    design: FloatArray,
    resid: FloatArray,
    bread: FloatArray,
    cluster_codes: IntArray,
    n_clusters: int,
) -> tuple[FloatArray, FloatArray]:
    r"""Return the CR1 covariance (statsmodels' ``cov_type="cluster"``) and G - 1 df.

    Parameters
    ----------
    design : numpy.ndarray, shape (n, p)
    resid : numpy.ndarray, shape (n,)
    bread : numpy.ndarray, shape (p, p)
        :math:`(X^\top X)^{-1}`.
    cluster_codes : numpy.ndarray of int, shape (n,)
        Each row's cluster number, from 0 to ``n_clusters - 1``.
    n_clusters : int

    Returns
    -------
    tuple of numpy.ndarray
        The covariance matrix (p, p) and the degrees of freedom of each coefficient (p,).
    """
    n, p = design.shape
    scores = np.zeros((n_clusters, p))
    np.add.at(scores, cluster_codes, design * resid[:, None])
    correction = n_clusters / (n_clusters - 1) * (n - 1) / (n - p)
    cov = correction * (bread @ (scores.T @ scores) @ bread)
    return cov, np.full(p, float(n_clusters - 1))


def cr2_covariance(
    design: FloatArray,
    resid: FloatArray,
    bread: FloatArray,
    cluster_codes: IntArray,
    n_clusters: int,
) -> tuple[FloatArray, FloatArray]:
    r"""Return the CR2 covariance and each coefficient's Satterthwaite degrees of freedom.

    Parameters are those of :func:`cr1_covariance`.

    Returns
    -------
    tuple of numpy.ndarray
        The covariance matrix (p, p) and the degrees of freedom of each coefficient (p,).

    Notes
    -----
    For the coefficient :math:`j`, the estimate of its variance is
    :math:`\sum_g (p_g^\top \varepsilon)^2` with
    :math:`p_g = (I - H)_{\cdot g} A_g X_g M e_j`. Under the working model of independent
    errors of equal variance its expectation is :math:`\operatorname{tr} P`, and its variance
    :math:`2 \lVert P \rVert_F^2`, where :math:`P_{gh} = p_g^\top p_h`; matching a scaled
    :math:`\chi^2` gives :math:`\nu_j = (\operatorname{tr} P)^2 / \lVert P \rVert_F^2`. With
    :math:`v_g = A_g X_g M e_j` and :math:`T_g = X_g^\top A_g X_g M`, expanding
    :math:`(I - H)` gives
    :math:`P_{gh} = \delta_{gh} \lVert v_g \rVert^2 - (T_g e_j)^\top M (T_h e_j)`, which needs
    only :math:`p \times p` products per pair of clusters.
    """
    p = design.shape[1]
    scores = np.empty((n_clusters, p))
    t_blocks = np.empty((n_clusters, p, p))
    v_squares = np.empty((n_clusters, p))
    for g, rows, adjust in _adjustments(design, bread, cluster_codes, n_clusters):
        x_g = design[rows]
        adjusted = adjust.apply(x_g)  # A_g X_g
        scores[g] = adjusted.T @ resid[rows]
        v_g = adjusted @ bread
        v_squares[g] = np.einsum("ij,ij->j", v_g, v_g)
        t_blocks[g] = x_g.T @ v_g
    cov = bread @ (scores.T @ scores) @ bread
    # cross[j, g, h] = (T_g e_j)' M (T_h e_j)
    cross = np.einsum("gkj,kl,hlj->jgh", t_blocks, bread, t_blocks)
    gram = -cross
    diagonal = np.arange(n_clusters)
    gram[:, diagonal, diagonal] += v_squares.T
    trace = np.einsum("jgg->j", gram)
    df = trace**2 / np.einsum("jgh,jgh->j", gram, gram)
    return cov, df


def cr2_adjusted_residuals(
    design: FloatArray,
    resid: FloatArray,
    bread: FloatArray,
    cluster_codes: IntArray,
    n_clusters: int,
) -> FloatArray:
    r"""Return the residuals with each cluster's block multiplied by :math:`(I - H_{gg})^{-1/2}`.

    Their cluster sums of scores :math:`X_g^\top A_g e_g` are those of the CR2 covariance.
    """
    adjusted = np.empty_like(resid)
    for _, rows, adjust in _adjustments(design, bread, cluster_codes, n_clusters):
        adjusted[rows] = adjust.apply(resid[rows][:, None])[:, 0]
    return adjusted


@dataclass(frozen=True, slots=True)
class _Adjustment:
    r"""The matrix :math:`(I - H_{gg})^{-1/2} = I + U (C - I) U^\top` of one cluster.

    :math:`U` spans the columns of :math:`X_g`; outside that span :math:`I - H_{gg}` is the
    identity, so only the small matrix :math:`C` (the inverse square root of
    :math:`I - U^\top H_{gg} U`) is needed.
    """

    basis: FloatArray
    correction: FloatArray  # C - I

    def apply(self, values: FloatArray) -> FloatArray:
        """Return :math:`A_g` times ``values`` (rows of the cluster, any number of columns)."""
        return values + self.basis @ (self.correction @ (self.basis.T @ values))


def _adjustments(
    design: FloatArray, bread: FloatArray, cluster_codes: IntArray, n_clusters: int
) -> Iterator[tuple[int, IntArray, _Adjustment]]:
    """Yield each cluster's number, rows and adjustment matrix :math:`(I - H_{gg})^{-1/2}`."""
    order = np.argsort(cluster_codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(cluster_codes, minlength=n_clusters))])
    for g in range(n_clusters):
        rows = order[bounds[g] : bounds[g + 1]]
        basis, singular, vt = np.linalg.svd(design[rows], full_matrices=False)
        # U' H_gg U = S V' M V S
        scaled = vt * singular[:, None]
        inner = np.eye(singular.size) - scaled @ bread @ scaled.T
        values, vectors = np.linalg.eigh(inner)
        safe = np.where(values > _EIGEN_TOL, values, 1.0)
        power = np.where(values > _EIGEN_TOL, safe**-0.5, 0.0)
        correction = (vectors * power) @ vectors.T - np.eye(singular.size)
        yield g, rows, _Adjustment(basis=basis, correction=correction)
