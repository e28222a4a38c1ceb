"""Scores of a fidelity review and agreement between its two assessors (pure, no Django).

A review's domain score is the mean of its items' consensus ratings; the total is the sum of
the domain means (Strengths Model fidelity scale, seed 003). With 8 domains rated 1-5 the total
lies in 8-40 and a total of at least 32 counts as high fidelity. A cut-off set for one number of
domains says nothing about another, so ``score_review`` classes a review only when it rates as
many domains as the threshold was set for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RATING_MIN = 1
RATING_MAX = 5
CATEGORIES = tuple(range(RATING_MIN, RATING_MAX + 1))


@dataclass(frozen=True, slots=True)
class ReviewScoresResult:
    """Domain means, their total, the range the total can take, and high/low fidelity.

    ``is_high`` is None when the scale has no threshold or when the review rated another
    number of domains than the threshold was set for.
    """

    domains: Mapping[str, float]
    total: float
    range_low: float
    range_high: float
    is_high: bool | None
    n_domains: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "domains": dict(self.domains),
            "total": self.total,
            "range_low": self.range_low,
            "range_high": self.range_high,
            "is_high": self.is_high,
            "n_domains": self.n_domains,
        }


@dataclass(frozen=True, slots=True)
class AgreementResult:
    """How far two assessors' independent ratings of the same items agree.

    ``exact`` and ``within_one`` are proportions of items; ``mean_abs_difference`` is in rating
    points; ``weighted_kappa`` is Cohen's kappa with quadratic weights, None when undefined (no
    items, or both assessors gave one and the same rating to every item, so that chance
    disagreement is zero; the reference implementations return NaN there).
    """

    n_items: int
    exact: float | None
    within_one: float | None
    mean_abs_difference: float | None
    weighted_kappa: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_items": self.n_items,
            "exact": self.exact,
            "within_one": self.within_one,
            "mean_abs_difference": self.mean_abs_difference,
            "weighted_kappa": self.weighted_kappa,
        }


def _check_rating(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: ratings must be integers, got {type(value).__name__}")
    if not RATING_MIN <= value <= RATING_MAX:
        raise ValueError(f"{name}: rating {value} is outside {RATING_MIN}-{RATING_MAX}")
    return value


def _score_review_iv(ratings_by_domain: Mapping[str, Sequence[int]]) -> None:
    if not ratings_by_domain:
        raise ValueError("ratings_by_domain: at least one domain is needed")
    for code, ratings in ratings_by_domain.items():
        if len(ratings) == 0:
            raise ValueError(f"ratings_by_domain: domain {code!r} has no ratings")
        for rating in ratings:
            _check_rating(f"ratings_by_domain[{code!r}]", rating)


def domain_means(ratings_by_domain: Mapping[str, Sequence[int]]) -> dict[str, float]:
    """The mean rating of each domain, keyed as given."""
    _score_review_iv(ratings_by_domain)
    return {code: sum(ratings) / len(ratings) for code, ratings in ratings_by_domain.items()}


def score_review(
    ratings_by_domain: Mapping[str, Sequence[int]],
    *,
    high_fidelity_threshold: float | None = None,
    threshold_domain_count: int | None = None,
) -> ReviewScoresResult:
    """Domain means, total = sum of domain means, its possible range, and high/low fidelity.

    ``ratings_by_domain`` holds the consensus ratings of the rated domains only (domains left
    out of the review are absent). The total ranges from ``n_domains * 1`` to ``n_domains * 5``.
    """
    means = domain_means(ratings_by_domain)
    if threshold_domain_count is not None and threshold_domain_count < 1:
        raise ValueError("threshold_domain_count: must be at least 1")
    n_domains = len(means)
    # Round away float noise (e.g. 3.6666…+2.3333… = 5.999…9) that would flip a cut-off.
    total = round(sum(means.values()), 10)
    is_high: bool | None = None
    if high_fidelity_threshold is not None and threshold_domain_count in (None, n_domains):
        is_high = total >= high_fidelity_threshold
    return ReviewScoresResult(
        domains=means,
        total=total,
        range_low=float(n_domains * RATING_MIN),
        range_high=float(n_domains * RATING_MAX),
        is_high=is_high,
        n_domains=n_domains,
    )


def _agreement_iv(first: Sequence[int], second: Sequence[int]) -> None:
    if len(first) != len(second):
        raise ValueError(
            f"first, second: both assessors must rate the same items ({len(first)} != "
            f"{len(second)})"
        )
    for rating in first:
        _check_rating("first", rating)
    for rating in second:
        _check_rating("second", rating)


def quadratic_weighted_kappa(first: Sequence[int], second: Sequence[int]) -> float | None:
    """Cohen's kappa with quadratic disagreement weights over the ratings 1-5.

    kappa = 1 - sum(w * observed) / sum(w * expected), with w_ij = (i - j)^2 / (k - 1)^2, the
    observed proportions from the two assessors' cross-table and the expected ones from the
    product of its margins. None when there are no items or the expected term is zero.
    """
    _agreement_iv(first, second)
    n = len(first)
    if n == 0:
        return None
    k = len(CATEGORIES)
    index = {category: i for i, category in enumerate(CATEGORIES)}
    observed = [[0.0] * k for _ in range(k)]
    for a, b in zip(first, second, strict=True):
        observed[index[a]][index[b]] += 1 / n
    rows = [sum(row) for row in observed]
    columns = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    weighted_observed = 0.0
    weighted_expected = 0.0
    for i in range(k):
        for j in range(k):
            weight = (i - j) ** 2 / (k - 1) ** 2
            weighted_observed += weight * observed[i][j]
            weighted_expected += weight * rows[i] * columns[j]
    if weighted_expected == 0:
        return None
    return 1 - weighted_observed / weighted_expected


def agreement(first: Sequence[int], second: Sequence[int]) -> AgreementResult:
    """Exact agreement, agreement within one point, mean absolute difference and weighted kappa.

    ``first[i]`` and ``second[i]`` are the two assessors' ratings of the same item.
    """
    _agreement_iv(first, second)
    n = len(first)
    if n == 0:
        return AgreementResult(0, None, None, None, None)
    differences = [abs(a - b) for a, b in zip(first, second, strict=True)]
    return AgreementResult(
        n_items=n,
        exact=sum(d == 0 for d in differences) / n,
        within_one=sum(d <= 1 for d in differences) / n,
        mean_abs_difference=sum(differences) / n,
        weighted_kappa=quadratic_weighted_kappa(first, second),
    )
