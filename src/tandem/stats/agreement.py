"""Inter-coder agreement: Cohen's kappa on coded characters, and Krippendorff's alpha."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from tandem.stats._common import FloatArray, ResultMixin

__all__ = [
    "CodingAgreementResult",
    "KrippendorffAlphaResult",
    "coding_agreement",
    "krippendorff_alpha",
]

LevelOfMeasurement = Literal["nominal", "ordinal", "interval", "ratio"]
Spans = Iterable[Sequence[int]] | npt.NDArray[np.integer[Any]]
# Rows may hold None for a missing value, which numpy's ArrayLike does not describe.
ReliabilityData = npt.ArrayLike | Sequence[Sequence[Any]]

_LEVELS: Final = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True, slots=True)
class CodingAgreementResult(ResultMixin):
    """Result of :func:`coding_agreement`.

    Attributes
    ----------
    percent_agreement : float
        Share of characters on which the coders agree (both coded or neither coded), in
        percent, from 0 to 100.
    kappa : float
        Cohen's kappa over every character of the document (1 when the coders agree on every
        character, including when both coded nothing or both coded everything).
    observed_agreement, expected_agreement : float
        :math:`p_o` and :math:`p_e` of Cohen's kappa, as proportions.
    both, a_only, b_only, neither : int
        The 2x2 table: characters coded by both coders, by coder A alone, by coder B alone,
        and by neither.
    length : int
        Characters in the document (the sum of the four counts).
    """

    percent_agreement: float
    kappa: float
    observed_agreement: float
    expected_agreement: float
    both: int
    a_only: int
    b_only: int
    neither: int
    length: int


@dataclass(frozen=True, slots=True)
class KrippendorffAlphaResult(ResultMixin):
    """Result of :func:`krippendorff_alpha`.

    Attributes
    ----------
    alpha : float
        Krippendorff's alpha (NaN when the pairable values show no variation).
    observed_disagreement, expected_disagreement : float
        :math:`D_o` and :math:`D_e`, so that ``alpha = 1 - D_o / D_e``.
    n_pairable_values : int
        Values in units that two or more coders coded: the :math:`n` of the coincidence matrix.
    n_pairable_units : int
        Units coded by two or more coders.
    n_coders, n_units : int
        Rows and columns of the reliability data.
    level : str
        Level of measurement that chose the distance between values.
    """

    alpha: float
    observed_disagreement: float
    expected_disagreement: float
    n_pairable_values: int
    n_pairable_units: int
    n_coders: int
    n_units: int
    level: str


def coding_agreement(
    length: int | np.integer[Any],
    spans_a: Spans,
    spans_b: Spans,
) -> CodingAgreementResult:
    r"""Percent agreement and Cohen's kappa of two coders' codings of one code in a document.

    Each character of the document is a unit that each coder either coded or not, as in
    NVivo's coding comparison query.

    Parameters
    ----------
    length : int
        Characters in the document (at least 1).
    spans_a, spans_b : iterable of (start, end) pairs of int
        Stretches each coder coded with the code, as character offsets with ``end``
        exclusive, ``0 <= start <= end <= length``. Spans of one coder may overlap or nest:
        a character counts once however many of that coder's spans cover it.

    Returns
    -------
    CodingAgreementResult

    Raises
    ------
    TypeError
        ``length`` or an offset is not an integer, or a span is not a pair.
    ValueError
        ``length`` below 1, a span with ``start > end``, or an offset outside ``0..length``,
        naming the span.

    Notes
    -----
    With :math:`a` characters coded by both coders, :math:`b` by A only, :math:`c` by B only
    and :math:`d` by neither, out of :math:`n`,

    .. math::

        p_o = \frac{a + d}{n}, \qquad
        p_e = \frac{a+b}{n}\,\frac{a+c}{n} + \frac{c+d}{n}\,\frac{b+d}{n}, \qquad
        \kappa = \frac{p_o - p_e}{1 - p_e}
               = \frac{2(ad - bc)}{(a+b)(b+d) + (a+c)(c+d)}.

    Kappa is computed from the integer counts with the last form, so it carries no rounding
    from the proportions. Chance agreement is estimated over the whole document, uncoded
    characters included, as NVivo does [2]_; QualCoder's "kappa", computed over the coded
    characters only, is a different quantity. When :math:`p_e = 1` (both coders coded
    nothing, or both coded every character) kappa is :math:`0/0`; it is reported as 1, as
    NVivo does, because the coders agree on every character (scikit-learn's
    ``cohen_kappa_score`` gives NaN there).

    References
    ----------
    .. [1] Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
           Psychological Measurement*, 20(1), 37-46.
    .. [2] QSR International. NVivo help, "How are Kappa and percentage agreement
           calculated?" (coding comparison query).

    Examples
    --------
    A 1,000-character document; each coder codes 100 characters and 50 of them overlap.

    >>> from tandem import stats
    >>> res = stats.coding_agreement(1000, [(100, 200)], [(150, 230), (400, 420)])
    >>> (res.both, res.a_only, res.b_only, res.neither)
    (50, 50, 50, 850)
    >>> print(f"{res.percent_agreement:.1f}% agreement, kappa = {res.kappa:.3f}")
    90.0% agreement, kappa = 0.444
    """
    n = _coding_agreement_iv(length, spans_a, spans_b)
    coded_a = _coverage(n, spans_a)
    coded_b = _coverage(n, spans_b)
    a = int(np.count_nonzero(coded_a & coded_b))
    b = int(np.count_nonzero(coded_a)) - a
    c = int(np.count_nonzero(coded_b)) - a
    d = n - a - b - c
    denominator = (a + b) * (b + d) + (a + c) * (c + d)
    kappa = 1.0 if denominator == 0 else 2 * (a * d - b * c) / denominator
    observed = (a + d) / n
    expected = ((a + b) * (a + c) + (c + d) * (b + d)) / (n * n)
    return CodingAgreementResult(
        percent_agreement=100.0 * observed,
        kappa=float(kappa),
        observed_agreement=observed,
        expected_agreement=expected,
        both=a,
        a_only=b,
        b_only=c,
        neither=d,
        length=n,
    )


def _coding_agreement_iv(length: Any, spans_a: Any, spans_b: Any) -> int:
    if not _is_integer(length):
        raise TypeError(f"length must be an integer, got {length!r}")
    n = int(length)
    if n < 1:
        raise ValueError(f"length must be at least 1 character, got {n}")
    for name, spans in (("spans_a", spans_a), ("spans_b", spans_b)):
        _check_spans(name, spans, n)
    return n


def _check_spans(name: str, spans: Any, length: int) -> None:
    if isinstance(spans, str | bytes) or not isinstance(spans, Iterable):
        raise TypeError(f"{name} must be an iterable of (start, end) pairs, got {spans!r}")
    for i, span in enumerate(spans):
        where = f"{name}[{i}]"
        if isinstance(span, str | bytes) or not isinstance(span, Sequence | np.ndarray):
            raise TypeError(f"{where} must be a (start, end) pair, got {span!r}")
        if len(span) != 2:
            raise TypeError(f"{where} must be a (start, end) pair, got {len(span)} values")
        start, end = span
        for label, offset in (("start", start), ("end", end)):
            if not _is_integer(offset):
                raise TypeError(f"{where} {label} must be an integer offset, got {offset!r}")
            if not 0 <= int(offset) <= length:
                raise ValueError(
                    f"{where} {label} {int(offset)} is outside the document (0..{length})"
                )
        if int(start) > int(end):
            raise ValueError(f"{where} starts at {int(start)}, after its end {int(end)}")


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def _coverage(length: int, spans: Spans) -> npt.NDArray[np.bool_]:
    """Return which characters at least one of ``spans`` covers."""
    bounds = np.asarray([(int(s), int(e)) for s, e in spans], dtype=np.int64).reshape(-1, 2)
    # +1 where a span starts and -1 where it ends; the running sum counts the spans that
    # cover each character, so overlapping and nested spans are unioned.
    steps = np.bincount(bounds[:, 0], minlength=length + 1) - np.bincount(
        bounds[:, 1], minlength=length + 1
    )
    covered: npt.NDArray[np.bool_] = np.cumsum(steps[:length]) > 0
    return covered


def krippendorff_alpha(
    reliability_data: ReliabilityData,
    level: LevelOfMeasurement = "nominal",
) -> KrippendorffAlphaResult:
    r"""Krippendorff's alpha for two or more coders, with missing values allowed.

    Parameters
    ----------
    reliability_data : array_like, shape (coders, units)
        The value each coder gave each unit, one row per coder, ``None`` or NaN where a coder
        gave none; the layout of the ``krippendorff`` package. Nominal values may be any
        labels (numbers or strings); the other levels need numbers.
    level : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Level of measurement, which sets the distance :math:`\delta^2_{ck}` between values.

    Returns
    -------
    KrippendorffAlphaResult

    Raises
    ------
    ValueError
        An unknown level, data that is not two-dimensional, infinite values, fewer than two
        distinct values, or no unit coded by two coders (the ``krippendorff`` package raises
        on the last two as well).
    TypeError
        Labels of mixed types, or labels that are not numbers at a level other than nominal.

    Notes
    -----
    With :math:`n_{uc}` the number of coders who gave value :math:`c` to unit :math:`u` and
    :math:`m_u = \sum_c n_{uc}`, units with :math:`m_u \ge 2` are pairable. The coincidence
    matrix, its margins and the disagreements are [1]_

    .. math::

        o_{ck} = \sum_{u:\,m_u \ge 2} \frac{n_{uc}\,n_{uk} - [c = k]\,n_{uc}}{m_u - 1}, \qquad
        n_c = \sum_k o_{ck}, \qquad n = \sum_c n_c,

    .. math::

        \alpha = 1 - \frac{D_o}{D_e}, \qquad
        D_o = \frac{1}{n}\sum_{c,k} o_{ck}\,\delta^2_{ck}, \qquad
        D_e = \frac{1}{n(n-1)}\sum_{c,k} n_c\,n_k\,\delta^2_{ck}.

    The distances are :math:`[c \ne k]` (nominal), :math:`(c-k)^2` (interval),
    :math:`((c-k)/(c+k))^2` (ratio) and, for ordinal values ranked :math:`c \le k`,
    :math:`(\sum_{g=c}^{k} n_g - (n_c+n_k)/2)^2`. The matrix comes from one product of the
    unit-by-value count table with itself, without a loop over units. When every pairable
    value is the same, :math:`D_e = 0` and alpha is NaN, as in the ``krippendorff``
    package.

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. University
           of Pennsylvania, Annenberg School for Communication Departmental Papers 43.
    .. [2] Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
           reliability measure for coding data. *Communication Methods and Measures*, 1(1),
           77-89.

    Examples
    --------
    Krippendorff's (2011) example: four coders, twelve units, some values missing.

    >>> from tandem import stats
    >>> data = [
    ...     [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...     [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ... ]
    >>> res = stats.krippendorff_alpha(data)
    >>> print(f"alpha = {res.alpha:.3f} over {res.n_pairable_values} pairable values")
    alpha = 0.743 over 40 pairable values
    >>> print(f"{stats.krippendorff_alpha(data, level='interval').alpha:.3f}")
    0.849
    """
    codes, domain, n_coders, n_units = _krippendorff_alpha_iv(reliability_data, level)
    n_values = len(domain)

    # Unit-by-value counts n_uc: one bincount over (unit, value) cells of the coded entries.
    unit_idx = np.nonzero(codes >= 0)[1]
    counts = np.bincount(
        unit_idx * n_values + codes[codes >= 0], minlength=n_units * n_values
    ).reshape(n_units, n_values)
    per_unit = counts.sum(axis=1)
    pairable = per_unit >= 2
    n_pairable_units = int(np.count_nonzero(pairable))
    if n_pairable_units == 0:
        raise ValueError(
            "reliability_data has no unit coded by at least two coders, so nothing can be compared"
        )
    counts_p = counts[pairable].astype(np.float64)
    weights = counts_p / (per_unit[pairable] - 1.0)[:, None]
    coincidence: FloatArray = weights.T @ counts_p - np.diag(weights.sum(axis=0))
    n_c = coincidence.sum(axis=0)
    n = float(n_c.sum())

    distance = _distances(domain, n_c, level)
    observed = float(np.sum(coincidence * distance)) / n
    expected = float(n_c @ distance @ n_c) / (n * (n - 1.0))
    alpha = 1.0 - observed / expected if expected > 0.0 else math.nan
    return KrippendorffAlphaResult(
        alpha=alpha,
        observed_disagreement=observed,
        expected_disagreement=expected,
        n_pairable_values=round(n),
        n_pairable_units=n_pairable_units,
        n_coders=n_coders,
        n_units=n_units,
        level=level,
    )


def _krippendorff_alpha_iv(
    reliability_data: Any, level: str
) -> tuple[npt.NDArray[np.intp], FloatArray | npt.NDArray[Any], int, int]:
    """Return the value index of each cell (-1 when missing), the sorted values and the shape."""
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {_LEVELS}, got {level!r}")
    cells = np.asarray(reliability_data)
    if cells.dtype.kind not in "biuf":
        cells = np.asarray(reliability_data, dtype=object)
    if cells.ndim != 2:
        raise ValueError(
            f"reliability_data must be two-dimensional (coders x units), got shape {cells.shape}"
        )
    n_coders, n_units = cells.shape
    flat = cells.reshape(-1)
    if flat.dtype.kind in "biuf":
        values_all = flat.astype(np.float64)
        missing = np.isnan(values_all)
        values: Any = values_all[~missing]
        numeric = True
    else:
        missing = np.fromiter((_is_missing(v) for v in flat), dtype=bool, count=flat.size)
        values = flat[~missing]
        numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)
        if numeric:
            values = values.astype(np.float64)
    if level != "nominal" and not numeric:
        raise TypeError(f"reliability_data must hold numbers at the {level} level")
    if numeric and np.isinf(values).any():
        raise ValueError("reliability_data contains infinite values")
    try:
        domain, inverse = np.unique(values, return_inverse=True)
    except TypeError:
        raise TypeError("reliability_data must hold labels of one sortable type") from None
    if len(domain) < 2:
        raise ValueError(
            f"reliability_data has {len(domain)} distinct value(s); alpha needs at least two"
        )
    codes = np.full(flat.size, -1, dtype=np.intp)
    codes[~missing] = inverse.reshape(-1)
    return codes.reshape(n_coders, n_units), domain, n_coders, n_units


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _distances(domain: Any, n_c: FloatArray, level: str) -> FloatArray:
    """Return the squared distance between every two values of the sorted ``domain``."""
    size = len(domain)
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "ordinal":
        # sum_{g=c..k} n_g - (n_c + n_k)/2 is the distance between the two values' midranks.
        mid = np.cumsum(n_c) - n_c / 2.0
        ranks: FloatArray = (mid[:, None] - mid[None, :]) ** 2
        return ranks
    values = np.asarray(domain, dtype=np.float64)
    diff = values[:, None] - values[None, :]
    if level == "interval":
        interval: FloatArray = diff**2
        return interval
    total = values[:, None] + values[None, :]
    ratio: FloatArray = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0) ** 2
    return ratio
