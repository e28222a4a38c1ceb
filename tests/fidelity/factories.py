"""Scales, reviews and assessors for the fidelity tests and the access matrix."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.fidelity.models import (
    AssessorRating,
    ConsensusRating,
    FidelityDomain,
    FidelityItem,
    FidelityReview,
    FidelityScale,
    ReviewAssessor,
    ReviewStatus,
    ScaleStatus,
)
from tandem.orgs.models import Agency, Programme, Team
from tests.factories import MembershipFactory, UserFactory

_counter = iter(range(1, 1_000_000))


def assessor_in(agency: Agency) -> User:
    """A new user holding the assessor role at agency level."""
    user = UserFactory.create(agency=agency)
    MembershipFactory.create(user=user, role=Role.ASSESSOR, agency=agency)
    return user


def make_scale(
    agency: Agency,
    *,
    programme: Programme | None = None,
    items_per_domain: Sequence[int] = (2, 3),
    status: str = ScaleStatus.ACTIVE,
    threshold: float | None = None,
    threshold_domain_count: int | None = None,
    code: str | None = None,
) -> FidelityScale:
    """A scale with domains d1, d2, ... holding the given numbers of items."""
    n = next(_counter)
    scale = FidelityScale.objects.create(
        agency=agency,
        programme=programme,
        code=code or f"scale_{n}",
        name=f"Scale {n}",
        status=status,
        high_fidelity_threshold=None if threshold is None else Decimal(str(threshold)),
        high_fidelity_domain_count=threshold_domain_count,
        created_by=UserFactory.create(agency=agency),
    )
    for d, count in enumerate(items_per_domain, 1):
        domain = FidelityDomain.objects.create(
            scale=scale, code=f"d{d}", name=f"Domain {d}", position=d
        )
        for i in range(1, count + 1):
            FidelityItem.objects.create(
                domain=domain, code=f"item_{d}_{i}", label=f"Item {d}.{i}", position=i
            )
    return scale


def items_of(scale: FidelityScale) -> list[FidelityItem]:
    return list(
        FidelityItem.objects.filter(domain__scale=scale).order_by("domain__position", "position")
    )


def make_review(
    team: Team,
    *,
    scale: FidelityScale | None = None,
    assessors: Sequence[User] = (),
    status: str = ReviewStatus.RATING,
    review_date: date | None = None,
) -> FidelityReview:
    """A review written straight to the database (the services are tested on their own)."""
    agency = team.programme.agency
    scale = scale or make_scale(agency)
    panel = list(assessors) or [assessor_in(agency), assessor_in(agency)]
    review = FidelityReview.objects.create(
        team=team,
        scale=scale,
        review_date=review_date or date(2026, 1, next(_counter) % 28 + 1),
        status=status,
        created_by=panel[0],
    )
    submitted = None if status == ReviewStatus.RATING else timezone.now()
    for user in panel:
        ReviewAssessor.objects.create(review=review, assessor=user, submitted_at=submitted)
    return review


def rate_all(review: FidelityReview, assessor: User, ratings: Sequence[int]) -> None:
    for item, rating in zip(items_of(review.scale), ratings, strict=True):
        AssessorRating.objects.create(review=review, assessor=assessor, item=item, rating=rating)


def agree_all(review: FidelityReview, ratings: Sequence[int], by: User) -> None:
    for item, rating in zip(items_of(review.scale), ratings, strict=True):
        ConsensusRating.objects.create(review=review, item=item, rating=rating, decided_by=by)


def panel_users(review: FidelityReview) -> list[User]:
    return [member.assessor for member in review.panel.select_related("assessor").order_by("pk")]


def final_review(team: Team, **kwargs: Any) -> FidelityReview:
    review = make_review(team, status=ReviewStatus.FINAL, **kwargs)
    review.scores = {"total": 3.0, "domains": {"d1": 1.0, "d2": 2.0}}
    review.total = 3.0
    review.save()
    return review
