"""Reliability of scales and of group means: Cronbach's alpha and one-way ICC(1), ICC(2)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

from tandem.stats._common import (
    FloatArray,
    ResultMixin,
    as_1d_float,
    as_2d_float,
    check_aligned,
    check_confidence_level,
    check_same_length,
)

__all__ = ["CronbachAlphaResult", "IccResult", "cronbach_alpha", "icc"]

AlphaNanPolicy = Literal["listwise", "pairwise", "raise"]

_ALPHA_NAN_POLICIES: Final = ("listwise", "pairwise", "raise")


@dataclass(frozen=True, slots=True)
class CronbachAlphaResult(ResultMixin):
    """Result of :func:`cronbach_alpha`.

    Attributes
    ----------
    alpha : float
        Cronbach's alpha.
    ci_low, ci_high : float
        Feldt's F-based confidence interval.
    alpha_if_deleted : tuple of float
        Alpha of the remaining items when each item, in column order, is left out (NaN for
        every item of a two-item scale).
    n, n_items : int
        Rows used and number of items.
    n_dropped : int
        Rows left out: rows with any missing item (``"listwise"``) or with no item at all
        (``"pairwise"``).
    confidence_level : float
    nan_policy : str
    """

    alpha: float
    ci_low: float
    ci_high: float
    alpha_if_deleted: tuple[float, ...]
    n: int
    n_items: int
    n_dropped: int
    confidence_level: float
    nan_policy: str


@dataclass(frozen=True, slots=True)
class IccResult(ResultMixin):
    """Result of :func:`icc`.

    Attributes
    ----------
    icc1 : float
        ICC(1): share of the variance of one observation that lies between groups.
    icc2 : float
        ICC(2): reliability of the group means.
    f, df_between, df_within, p : float, int, int, float
        One-way ANOVA F test of equal group means.
    n_groups, n : int
        Number of groups and of observations.
    n0 : float
        Adjusted (average) group size used by ICC(1) when groups differ in size.
    ms_between, ms_within : float
        Mean squares between and within groups.
    """

    icc1: float
    icc2: float
    f: float
    df_between: int
    df_within: int
    p: float
    n_groups: int
    n: int
    n0: float
    ms_between: float
    ms_within: float


def cronbach_alpha(
    items: npt.ArrayLike,
    *,
    confidence_level: float = 0.95,
    nan_policy: AlphaNanPolicy = "listwise",
) -> CronbachAlphaResult:
    r"""Cronbach's alpha of a scale, with Feldt's interval and alpha if an item is deleted.

    Parameters
    ----------
    items : array_like, shape (n, k)
        One row per respondent, one column per item (a DataFrame works), at least two items.
    confidence_level : float, default 0.95
        Confidence level of Feldt's interval.
    nan_policy : {"listwise", "pairwise", "raise"}, default "listwise"
        ``"listwise"`` drops every row with a missing item (psych's ``use="complete.obs"``);
        ``"pairwise"`` computes each covariance from the rows where both items are present
        (pandas' ``DataFrame.cov``, pingouin's default) and drops only rows with no item;
        ``"raise"`` raises ``ValueError`` on any NaN.

    Returns
    -------
    CronbachAlphaResult

    Raises
    ------
    ValueError
        Fewer than two items or two rows, infinite values, NaN with ``nan_policy="raise"``, or
        an unknown option, naming the argument.

    Notes
    -----
    With :math:`k` items, item variances :math:`\sigma^2_{y_i}` and the variance
    :math:`\sigma^2_x` of the total score, both from the item covariance matrix :math:`C`,

    .. math::

        \alpha = \frac{k}{k-1}\left(1 - \frac{\sum_{i=1}^{k}\sigma^2_{y_i}}{\sigma^2_x}\right)
               = \frac{k}{k-1}\left(1 - \frac{\operatorname{tr} C}{\mathbf 1^\top C \mathbf 1}
               \right).

    Feldt's interval [2]_ with :math:`n` rows and :math:`\gamma` = ``confidence_level`` is

    .. math::

        \left[\,1 - (1-\alpha)\,F_{(1+\gamma)/2}\,,\;
        1 - (1-\alpha)\,F_{(1-\gamma)/2}\,\right],
        \qquad F \sim F(n-1,\,(n-1)(k-1)),

    where :math:`F_q` is the :math:`q` quantile. Alpha if item :math:`i` is deleted applies
    the same formula to :math:`C` without row and column :math:`i`.

    This is pingouin's ``cronbach_alpha`` (tested against R's psych), except that its interval
    is not rounded, and that after listwise deletion :math:`n` counts the rows kept (pingouin
    uses every row in the interval's degrees of freedom). When the total score has no
    variance, alpha is NaN, as in pingouin.

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
           *Psychometrika*, 16(3), 297-334.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
           coefficient alpha. *Applied Psychological Measurement*, 11(1), 93-103.

    Examples
    --------
    Six respondents answer a four-item, four-point scale.

    >>> from tandem import stats
    >>> items = [
    ...     [4, 3, 4, 4],
    ...     [2, 2, 3, 2],
    ...     [3, 3, 3, 4],
    ...     [1, 2, 1, 1],
    ...     [4, 4, 3, 4],
    ...     [2, 1, 2, 2],
    ... ]
    >>> res = stats.cronbach_alpha(items)
    >>> print(f"alpha = {res.alpha:.3f}, 95% CI [{res.ci_low:.3f}, {res.ci_high:.3f}]")
    alpha = 0.939, 95% CI [0.782, 0.991]
    >>> [round(a, 3) for a in res.alpha_if_deleted]
    [0.885, 0.952, 0.94, 0.892]
    """
    data, n_dropped, policy = _cronbach_alpha_iv(items, confidence_level, nan_policy)
    n, k = data.shape
    cov = _pairwise_cov(data) if policy == "pairwise" else np.cov(data, rowvar=False)
    alpha = _alpha_from_cov(cov)

    # Leaving item i out removes C_ii from the trace and row plus column i from the sum.
    diag = np.diag(cov)
    trace_rest = np.trace(cov) - diag
    total_rest = cov.sum() - 2.0 * cov.sum(axis=1) + diag
    if k > 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            if_deleted = (k - 1) / (k - 2) * (1.0 - trace_rest / total_rest)
    else:
        if_deleted = np.full(k, np.nan)

    df1 = n - 1
    df2 = df1 * (k - 1)
    tail = (1.0 - confidence_level) / 2.0
    ci_low = 1.0 - (1.0 - alpha) * float(sps.f.isf(tail, df1, df2))
    ci_high = 1.0 - (1.0 - alpha) * float(sps.f.ppf(tail, df1, df2))
    return CronbachAlphaResult(
        alpha=alpha,
        ci_low=ci_low,
        ci_high=ci_high,
        alpha_if_deleted=tuple(float(a) for a in if_deleted),
        n=n,
        n_items=k,
        n_dropped=n_dropped,
        confidence_level=float(confidence_level),
        nan_policy=policy,
    )


def _cronbach_alpha_iv(
    items: npt.ArrayLike, confidence_level: float, nan_policy: str
) -> tuple[FloatArray, int, str]:
    if nan_policy not in _ALPHA_NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {_ALPHA_NAN_POLICIES}, got {nan_policy!r}")
    check_confidence_level(confidence_level)
    data = as_2d_float(items, "items", allow_nan=nan_policy != "raise")
    if data.shape[1] < 2:
        raise ValueError(f"items needs at least two columns (items), got {data.shape[1]}")
    missing = np.isnan(data)
    keep = ~missing.any(axis=1) if nan_policy == "listwise" else ~missing.all(axis=1)
    n_dropped = int(data.shape[0] - np.count_nonzero(keep))
    data = data[keep]
    if data.shape[0] < 2:
        raise ValueError(
            f"items needs at least two rows after dropping missing values, got {data.shape[0]}"
        )
    if nan_policy == "pairwise":
        both = (~np.isnan(data)).astype(np.float64)
        if (both.T @ both < 2).any():
            raise ValueError("items has a pair of columns observed together in fewer than 2 rows")
    return data, n_dropped, nan_policy


def _alpha_from_cov(cov: FloatArray) -> float:
    k = int(cov.shape[0])
    total = float(cov.sum())
    if total == 0.0:
        return math.nan
    return k / (k - 1) * (1.0 - float(np.trace(cov)) / total)


def _pairwise_cov(data: FloatArray) -> FloatArray:
    # Every sum runs over the rows where both items of the pair are present: zero-filled
    # values times the presence mask give them without a loop over pairs.
    present = (~np.isnan(data)).astype(np.float64)
    filled = np.where(np.isnan(data), 0.0, data)
    counts = present.T @ present
    sums = filled.T @ present  # sums[i, j]: item i over rows where j is present too
    cross = filled.T @ filled
    cov: FloatArray = (cross - sums * sums.T / counts) / (counts - 1.0)
    return cov


def icc(values: npt.ArrayLike, groups: npt.ArrayLike) -> IccResult:
    r"""ICC(1) and ICC(2) from a one-way random-effects ANOVA, allowing unequal group sizes.

    Parameters
    ----------
    values : array_like, shape (n,)
        One observation per row, for example a client's outcome score.
    groups : array_like, shape (n,)
        Group label of each row, for example the client's team; any sortable labels.
        pandas Series are not reindexed: as in statsmodels, ``values`` and ``groups`` must
        carry the same index, else ``ValueError`` names the one that differs.

    Returns
    -------
    IccResult

    Raises
    ------
    ValueError
        NaN or infinite values, missing labels, mismatched lengths, fewer than two groups, or
        no more observations than groups, naming the argument.

    Notes
    -----
    With :math:`k` groups of sizes :math:`n_j`, :math:`N = \sum n_j`, group means
    :math:`\bar y_j` and grand mean :math:`\bar y`,

    .. math::

        MS_B = \frac{\sum_j n_j (\bar y_j - \bar y)^2}{k-1}, \qquad
        MS_W = \frac{\sum_j \sum_i (y_{ij} - \bar y_j)^2}{N-k}, \qquad
        F = \frac{MS_B}{MS_W},

    .. math::

        n_0 = \frac{1}{k-1}\left(N - \frac{\sum_j n_j^2}{N}\right), \qquad
        \text{ICC}(1) = \frac{MS_B - MS_W}{MS_B + (n_0 - 1) MS_W}, \qquad
        \text{ICC}(2) = \frac{MS_B - MS_W}{MS_B}.

    :math:`n_0` is the group size that makes :math:`E(MS_B) = \sigma^2_W + n_0\sigma^2_B` hold
    with unequal groups [2]_; with equal groups it is the common size, and ICC(1) and ICC(2)
    are pingouin's ``ICC(1,1)`` and ``ICC(1,k)``. ICC(1) is negative when the group means vary less
    than chance predicts. When every value within each group is equal, :math:`MS_W = 0`, F is
    infinite and ICC(1) = ICC(2) = 1; when all values are equal everything is NaN.

    References
    ----------
    .. [1] Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability:
           implications for data aggregation and analysis. In K. J. Klein & S. W. J. Kozlowski
           (Eds.), *Multilevel theory, research, and methods in organizations* (pp. 349-381).
           Jossey-Bass.
    .. [2] Searle, S. R., Casella, G., & McCulloch, C. E. (1992). *Variance components*.
           Wiley. Section 3.6.
    .. [3] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing
           rater reliability. *Psychological Bulletin*, 86(2), 420-428.

    Examples
    --------
    Ten clients in three teams of different sizes.

    >>> from tandem import stats
    >>> scores = [1, 3, 6, 7, 8, 3, 4, 5, 6, 7]
    >>> teams = ["A", "A", "B", "B", "B", "C", "C", "C", "C", "C"]
    >>> res = stats.icc(scores, teams)
    >>> print(f"F({res.df_between}, {res.df_within}) = {res.f:.2f}, n0 = {res.n0:.2f}")
    F(2, 7) = 7.50, n0 = 3.10
    >>> print(f"ICC(1) = {res.icc1:.3f}, ICC(2) = {res.icc2:.3f}")
    ICC(1) = 0.677, ICC(2) = 0.867
    """
    y, codes, n_groups = _icc_iv(values, groups)
    n = int(y.size)
    sizes = np.bincount(codes, minlength=n_groups).astype(np.float64)
    means = np.bincount(codes, weights=y, minlength=n_groups) / sizes
    grand = float(np.mean(y))
    df_between = n_groups - 1
    df_within = n - n_groups
    ss_between = float(np.sum(sizes * (means - grand) ** 2))
    ss_within = float(np.sum((y - means[codes]) ** 2))
    ms_between = ss_between / df_between
    ms_within = ss_within / df_within
    n0 = (n - float(np.sum(sizes**2)) / n) / df_between
    with np.errstate(divide="ignore", invalid="ignore"):
        f = float(np.divide(ms_between, ms_within))
        icc1 = float(np.divide(ms_between - ms_within, ms_between + (n0 - 1.0) * ms_within))
        icc2 = float(np.divide(ms_between - ms_within, ms_between))
    p = float(sps.f.sf(f, df_between, df_within)) if not math.isnan(f) else math.nan
    return IccResult(
        icc1=icc1,
        icc2=icc2,
        f=f,
        df_between=df_between,
        df_within=df_within,
        p=p,
        n_groups=n_groups,
        n=n,
        n0=n0,
        ms_between=ms_between,
        ms_within=ms_within,
    )


def _icc_iv(
    values: npt.ArrayLike, groups: npt.ArrayLike
) -> tuple[FloatArray, npt.NDArray[np.intp], int]:
    check_aligned({"values": values, "groups": groups})
    y = as_1d_float(values, "values")
    labels = np.asarray(groups)
    if labels.ndim == 2 and 1 in labels.shape:
        labels = labels.reshape(-1)
    if labels.ndim != 1:
        raise ValueError(f"groups must be one-dimensional, got shape {labels.shape}")
    check_same_length(values=y, groups=labels)
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError("groups contains missing labels (NaN)")
    if labels.dtype.kind == "O" and any(label is None for label in labels):
        raise ValueError("groups contains missing labels (None)")
    try:
        uniques, codes = np.unique(labels, return_inverse=True)
    except TypeError:
        raise TypeError("groups must hold labels of one sortable type") from None
    n_groups = int(uniques.size)
    if n_groups < 2:
        raise ValueError(f"groups must have at least two distinct groups, got {n_groups}")
    if y.size <= n_groups:
        raise ValueError(
            f"values needs more observations ({y.size}) than groups ({n_groups}) to estimate "
            "the within-group variance"
        )
    return y, codes.reshape(-1), n_groups
