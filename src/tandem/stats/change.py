"""Reliable change of individual clients between two measurements (Jacobson and Truax)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

from tandem.stats._common import (
    FloatArray,
    ResultMixin,
    as_1d_float,
    check_aligned,
    check_confidence_level,
    check_same_length,
)

__all__ = [
    "DETERIORATED",
    "IMPROVED",
    "MISSING",
    "NO_CHANGE",
    "ReliableChangeResult",
    "reliable_change",
]

IMPROVED: Final = "improved"
NO_CHANGE: Final = "no change"
DETERIORATED: Final = "deteriorated"
MISSING: Final = "missing"

StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True, slots=True)
class ReliableChangeResult(ResultMixin):
    """Result of :func:`reliable_change`.

    Attributes
    ----------
    rci : numpy.ndarray of float, shape (n,)
        Reliable change index of each row (NaN where a score is missing).
    category : numpy.ndarray of str, shape (n,)
        ``"improved"``, ``"no change"``, ``"deteriorated"``, or ``"missing"`` where a score
        is missing.
    s_diff : float
        Standard error of the difference between two scores.
    threshold : float
        Smallest change in score units that counts as reliable, ``z_critical * s_diff``.
    z_critical : float
        Two-sided normal quantile for ``confidence_level`` (1.96 at 0.95).
    n_improved, n_no_change, n_deteriorated, n_missing : int
        Rows in each category.
    sd, reliability, confidence_level : float
    higher_is_better : bool
    """

    rci: FloatArray = field(compare=False)
    category: StrArray = field(compare=False)
    s_diff: float
    threshold: float
    z_critical: float
    n_improved: int
    n_no_change: int
    n_deteriorated: int
    n_missing: int
    sd: float
    reliability: float
    confidence_level: float
    higher_is_better: bool


def reliable_change(
    pre: npt.ArrayLike,
    post: npt.ArrayLike,
    sd: float,
    reliability: float,
    *,
    confidence_level: float = 0.95,
    higher_is_better: bool = True,
) -> ReliableChangeResult:
    r"""Jacobson-Truax reliable change index and category for each pre/post pair.

    Parameters
    ----------
    pre, post : array_like, shape (n,), or float
        Scores before and after, row by row; scalars are one row. NaN marks a missing score.
        pandas Series are not reindexed: as in statsmodels, both must carry the same index,
        else ``ValueError`` names the one that differs.
    sd : float
        Standard deviation of the measure in a reference group (for example the baseline
        sample or published norms).
    reliability : float
        Reliability of the measure, :math:`0 \le r < 1` (Cronbach's alpha or test-retest).
    confidence_level : float, default 0.95
        Sets the two-sided normal critical value (1.96 at 0.95).
    higher_is_better : bool, default True
        Whether a rise in score is an improvement; False for symptom scales.

    Returns
    -------
    ReliableChangeResult

    Raises
    ------
    ValueError
        Infinite scores, mismatched lengths, a non-positive ``sd`` or a ``reliability``
        outside :math:`[0, 1)`, naming the argument.

    Notes
    -----
    .. math::

        S_E = s\sqrt{1 - r}, \qquad
        S_{\text{diff}} = \sqrt{2 S_E^2} = \sqrt 2\, s \sqrt{1 - r}, \qquad
        \text{RCI} = \frac{x_{\text{post}} - x_{\text{pre}}}{S_{\text{diff}}}.

    A change is reliable when :math:`|\text{RCI}| > z_{1-\alpha/2}`; its direction and
    ``higher_is_better`` decide between improved and deteriorated. An RCI exactly on the
    critical value counts as no change. The critical value is the exact normal quantile
    (1.959964 at 95%), not the rounded 1.96.

    References
    ----------
    .. [1] Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach
           to defining meaningful change in psychotherapy research. *Journal of Consulting and
           Clinical Psychology*, 59(1), 12-19.

    Examples
    --------
    Hope scores of four clients at intake and at 18 months; the scale has SD 6.2 and
    alpha 0.85.

    >>> import numpy as np
    >>> from tandem import stats
    >>> pre, post = [40, 45, 38, 50], [49, 47, 30, np.nan]
    >>> res = stats.reliable_change(pre, post, sd=6.2, reliability=0.85)
    >>> print(f"S_diff = {res.s_diff:.3f}, reliable change beyond {res.threshold:.2f} points")
    S_diff = 3.396, reliable change beyond 6.66 points
    >>> res.rci.round(2)
    array([ 2.65,  0.59, -2.36,   nan])
    >>> res.category.tolist()
    ['improved', 'no change', 'deteriorated', 'missing']

    Scalars are one row.

    >>> stats.reliable_change(22, 14, sd=5.0, reliability=0.9, higher_is_better=False).category
    array(['improved'], dtype='<U12')
    """
    pre_arr, post_arr, sd_f, reliability_f = _reliable_change_iv(
        pre, post, sd, reliability, confidence_level
    )
    s_diff = math.sqrt(2.0) * sd_f * math.sqrt(1.0 - reliability_f)
    z_critical = float(sps.norm.ppf(0.5 + confidence_level / 2.0))
    rci = (post_arr - pre_arr) / s_diff

    rising = rci > z_critical
    falling = rci < -z_critical
    missing = np.isnan(rci)
    category = np.full(rci.shape, NO_CHANGE, dtype="<U12")
    category[rising] = IMPROVED if higher_is_better else DETERIORATED
    category[falling] = DETERIORATED if higher_is_better else IMPROVED
    category[missing] = MISSING
    improved = rising if higher_is_better else falling
    deteriorated = falling if higher_is_better else rising
    n_improved = int(np.count_nonzero(improved))
    n_deteriorated = int(np.count_nonzero(deteriorated))
    n_missing = int(np.count_nonzero(missing))
    rci.flags.writeable = False
    category.flags.writeable = False
    return ReliableChangeResult(
        rci=rci,
        category=category,
        s_diff=s_diff,
        threshold=z_critical * s_diff,
        z_critical=z_critical,
        n_improved=n_improved,
        n_no_change=int(rci.size) - n_improved - n_deteriorated - n_missing,
        n_deteriorated=n_deteriorated,
        n_missing=n_missing,
        sd=sd_f,
        reliability=reliability_f,
        confidence_level=float(confidence_level),
        higher_is_better=higher_is_better,
    )


def _reliable_change_iv(
    pre: npt.ArrayLike,
    post: npt.ArrayLike,
    sd: float,
    reliability: float,
    confidence_level: float,
) -> tuple[FloatArray, FloatArray, float, float]:
    check_confidence_level(confidence_level)
    check_aligned({"pre": pre, "post": post})
    pre_arr = as_1d_float(_at_least_1d(pre), "pre", allow_nan=True)
    post_arr = as_1d_float(_at_least_1d(post), "post", allow_nan=True)
    check_same_length(pre=pre_arr, post=post_arr)
    sd_f = _real(sd, "sd")
    reliability_f = _real(reliability, "reliability")
    if not (math.isfinite(sd_f) and sd_f > 0.0):
        raise ValueError(f"sd must be a positive finite number, got {sd}")
    if not 0.0 <= reliability_f < 1.0:
        raise ValueError(f"reliability must be at least 0 and below 1, got {reliability}")
    return pre_arr, post_arr, sd_f, reliability_f


def _at_least_1d(x: Any) -> Any:
    # A bare number is one row; anything else goes to as_1d_float unchanged for its checks.
    return [x] if np.ndim(x) == 0 else x


def _real(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return float(value)
