"""Hierarchical regression: the R² gained by adding predictors to a base model."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

from tandem.stats._common import (
    DegenerateFitWarning,
    FloatArray,
    ResultMixin,
    as_1d_float,
    as_2d_float,
    check_aligned,
    check_same_length,
    perfect_fit_message,
)

__all__ = ["R2ChangeResult", "r2_change"]


@dataclass(frozen=True, slots=True)
class R2ChangeResult(ResultMixin):
    """Result of :func:`r2_change`.

    Attributes
    ----------
    r2_base, r2_full : float
        R² of the base model and of the model with the added predictors.
    delta_r2 : float
        ``r2_full - r2_base``.
    f, df1, df2, p : float, int, int, float
        F test of the change: ``df1`` added predictors, ``df2`` residual degrees of freedom of
        the full model.
    n : int
        Rows used.
    n_base, n_added : int
        Predictors in the base model (besides the intercept) and predictors added.
    warnings : tuple of str
        The :class:`~tandem.stats.DegenerateFitWarning` message when the full model fits
        essentially perfectly; empty when all is well.
    """

    r2_base: float
    r2_full: float
    delta_r2: float
    f: float
    df1: int
    df2: int
    p: float
    n: int
    n_base: int
    n_added: int
    warnings: tuple[str, ...] = ()


def r2_change(y: npt.ArrayLike, base: npt.ArrayLike, added: npt.ArrayLike) -> R2ChangeResult:
    r"""Test the R² gained when ``added`` predictors join the ``base`` predictors of ``y``.

    Both models are ordinary least squares with an intercept, fitted on the same rows.

    Parameters
    ----------
    y : array_like, shape (n,)
        Outcome. pandas inputs (this, ``base`` and ``added``) are not reindexed: as in
        statsmodels, every pandas input must carry the same index, else ``ValueError`` names
        the one that differs. Other inputs match by position.
    base : array_like, shape (n,) or (n, p1)
        Predictors entered first (for example the covariates); an ``(n, 0)`` array gives an
        intercept-only base model with :math:`R^2 = 0`.
    added : array_like, shape (n,) or (n, p2)
        Predictors entered second; at least one.

    Returns
    -------
    R2ChangeResult

    Raises
    ------
    ValueError
        NaN or infinite values, mismatched lengths, a constant column, predictors that are a
        linear combination of the others, or no more rows than parameters, naming the
        argument.

    Notes
    -----
    With :math:`n` rows, :math:`p_1` base and :math:`p_2` added predictors,

    .. math::

        \Delta R^2 = R^2_{\text{full}} - R^2_{\text{base}}, \qquad
        F = \frac{\Delta R^2 / p_2}{(1 - R^2_{\text{full}}) / (n - p_1 - p_2 - 1)},

    with :math:`F \sim F(p_2,\, n - p_1 - p_2 - 1)` under the null hypothesis that the added
    predictors explain nothing more. Collinear columns raise ``ValueError`` (the models are not
    identified). A full model whose residual sum of squares is below ``1e-10`` of the total
    fits essentially perfectly, so F is rounding noise (about 1e30): that gives a
    :class:`~tandem.stats.DegenerateFitWarning`, as R's ``summary.lm`` warns, also kept in
    ``warnings``. This is the F test of statsmodels'
    ``OLSResults.compare_f_test`` and of SPSS's "R Square Change".

    References
    ----------
    .. [1] Cohen, J., Cohen, P., West, S. G., & Aiken, L. S. (2003). *Applied multiple
           regression/correlation analysis for the behavioral sciences* (3rd ed.). Erlbaum.
           Section 5.5.

    Examples
    --------
    Does the working alliance explain quality of life beyond age and baseline score?

    >>> import numpy as np
    >>> from tandem import stats
    >>> gen = np.random.default_rng(4)
    >>> age = gen.normal(42, 11, size=120)
    >>> baseline = gen.normal(4.2, 1.0, size=120)
    >>> alliance = gen.normal(70, 12, size=120)
    >>> qol = 1.0 + 0.6 * baseline + 0.02 * alliance + gen.normal(0, 0.8, size=120)
    >>> res = stats.r2_change(qol, np.column_stack([age, baseline]), alliance)
    >>> print(f"R2 {res.r2_base:.3f} -> {res.r2_full:.3f}, change {res.delta_r2:.3f}")
    R2 0.339 -> 0.410, change 0.070
    >>> print(f"F({res.df1}, {res.df2}) = {res.f:.2f}, p = {res.p:.5f}")
    F(1, 116) = 13.78, p = 0.00032
    """
    y_arr, base_arr, added_arr = _r2_change_iv(y, base, added)
    n = int(y_arr.size)
    n_base = int(base_arr.shape[1])
    n_added = int(added_arr.shape[1])
    # Centring every column absorbs the intercept and keeps the sums of squares exact when
    # means are large; an empty base then leaves the total sum of squares untouched.
    centred = y_arr - np.mean(y_arr)
    base_c = base_arr - np.mean(base_arr, axis=0)
    added_c = added_arr - np.mean(added_arr, axis=0)
    sst = float(centred @ centred)
    ssr_base = _residual_ss(base_c, centred)
    ssr_full = _residual_ss(np.hstack([base_c, added_c]), centred)
    message = perfect_fit_message(ssr_full, sst, "full model of y")
    if message is not None:
        warnings.warn(message, DegenerateFitWarning, stacklevel=2)
    r2_base = 1.0 - ssr_base / sst
    r2_full = 1.0 - ssr_full / sst
    df1 = n_added
    df2 = n - n_base - n_added - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        f = float(np.divide((ssr_base - ssr_full) / df1, ssr_full / df2))
    return R2ChangeResult(
        r2_base=r2_base,
        r2_full=r2_full,
        delta_r2=r2_full - r2_base,
        f=f,
        df1=df1,
        df2=df2,
        p=float(sps.f.sf(f, df1, df2)),
        n=n,
        n_base=n_base,
        n_added=n_added,
        warnings=() if message is None else (message,),
    )


def _residual_ss(design: FloatArray, y: FloatArray) -> float:
    if design.shape[1] == 0:
        return float(y @ y)
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    resid = y - design @ coef
    return float(resid @ resid)


def _r2_change_iv(
    y: npt.ArrayLike, base: npt.ArrayLike, added: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    check_aligned({"y": y, "base": base, "added": added})
    y_arr = as_1d_float(y, "y")
    base_arr = as_2d_float(base, "base")
    added_arr = as_2d_float(added, "added")
    check_same_length(y=y_arr, base=base_arr, added=added_arr)
    if added_arr.shape[1] == 0:
        raise ValueError("added must have at least one column")
    n_params = 1 + base_arr.shape[1] + added_arr.shape[1]
    if y_arr.size <= n_params:
        raise ValueError(
            f"y has {y_arr.size} rows, fewer than needed for {n_params} parameters plus one "
            "residual degree of freedom"
        )
    if np.ptp(y_arr) == 0.0:
        raise ValueError("y is constant; R² is undefined")
    for name, arr in (("base", base_arr), ("added", added_arr)):
        constant = np.flatnonzero(np.ptp(arr, axis=0) == 0.0)
        if constant.size:
            raise ValueError(f"{name} column {int(constant[0])} is constant")
    ones = np.ones((y_arr.size, 1))
    base_design = np.hstack([ones, base_arr])
    if np.linalg.matrix_rank(base_design) < base_design.shape[1]:
        raise ValueError("base columns are collinear (one is a linear combination of others)")
    full_design = np.hstack([base_design, added_arr])
    if np.linalg.matrix_rank(full_design) < full_design.shape[1]:
        raise ValueError("added columns are collinear with each other or with base")
    return y_arr, base_arr, added_arr
