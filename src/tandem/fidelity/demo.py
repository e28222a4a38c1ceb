"""Fidelity for the demo agency: reviews every six months, indicators for a year, a drafted scale.

The strengths-model teams start below high fidelity and climb towards it, as the teams of the
mediation study did; the assessors disagree on a few items, which the reconciliation shows.
Reviews are opened and finalised, and scales built, through the services a person would use;
the ratings and the agreed ratings of a review, forty items each, are written in one batch per
step with the audit events the rating and reconciling services record.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.fidelity.indicators.compute import backfill_indicators
from tandem.fidelity.models import (
    AssessorRating,
    ConsensusRating,
    FidelityItem,
    FidelityReview,
    FidelityScale,
    ReviewAssessor,
    ReviewStatus,
)
from tandem.fidelity.selectors import included_items
from tandem.fidelity.services import reviews, scales
from tandem.orgs.models import Agency, Programme, ProgrammeModel, Team

REVIEW_MONTHS_AGO = (24, 18, 12, 6)
INDICATOR_WEEKS = 52


def _members(agency: Agency, role: Role) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(agency=agency, role=role)
        .select_related("user")
        .order_by("user__email")
    ]


def _rate(rng: random.Random, level: float) -> int:
    return max(1, min(5, round(level + rng.gauss(0, 0.6))))


def _run_review(
    rng: random.Random,
    *,
    manager: User,
    assessors: list[User],
    team: Team,
    scale: FidelityScale,
    on: date,
    level: float,
    finalise: bool = True,
) -> FidelityReview:
    """Create a review, let both assessors rate and submit, then reconcile (and finalise)."""
    integration = scale.domains.filter(code="integration")
    review = reviews.create_review(
        actor=manager,
        team=team,
        scale=scale,
        review_date=on,
        assessors=assessors,
        excluded_domains=list(integration),
    )
    items = list(included_items(review))
    first = {item.pk: _rate(rng, level) for item in items}
    second = {
        pk: rating if rng.random() < 0.75 else max(1, min(5, rating + rng.choice((-1, 1))))
        for pk, rating in first.items()
    }
    agency_id = team.programme.agency_id
    with transaction.atomic():
        # As reviews.save_ratings: each assessor rates every item and submits, then the review
        # moves to reconciling.
        AssessorRating.objects.bulk_create(
            AssessorRating(review=review, assessor=assessor, item_id=pk, rating=rating)
            for assessor, ratings in zip(assessors, (first, second), strict=True)
            for pk, rating in ratings.items()
        )
        ReviewAssessor.objects.filter(review=review).update(submitted_at=timezone.now())
        for assessor in assessors:
            record_event(actor=assessor, action=Action.UPDATE, obj=review, agency_id=agency_id)
        # As reviews.record_consensus, by the first assessor.
        ConsensusRating.objects.bulk_create(
            ConsensusRating(
                review=review,
                item=item,
                decided_by=assessors[0],
                **_agreed(first[item.pk], second[item.pk]),
            )
            for item in items
        )
        FidelityReview.objects.filter(pk=review.pk).update(
            status=ReviewStatus.RECONCILING, version=F("version") + 2
        )
        record_event(actor=assessors[0], action=Action.UPDATE, obj=review, agency_id=agency_id)
    review.refresh_from_db()
    if finalise:
        reviews.finalise_review(actor=manager, review=review, expected_version=review.version)
    return review


def _agreed(a: int, b: int) -> dict[str, int | str]:
    """The consensus of two ratings: the shared one, or the higher after reviewing records."""
    if a == b:
        return {"rating": a, "note": ""}
    return {"rating": max(a, b), "note": "Agreed after reviewing records."}


def _stcm_draft(manager: User, agency: Agency, programme: Programme) -> None:
    """A short-term programme drafting its own criteria: in use, and a next version in draft."""
    scale = scales.create_scale(
        actor=manager,
        agency=agency,
        programme=programme,
        name="Short-term case management criteria (draft)",
        description="Criteria the short-term teams are trying out.",
    )
    for name, labels in (
        ("Time-limited goal plan", ("Goal plan agreed in the first two weeks", "Plan reviewed")),
        ("Weekly contact", ("Contact every week",)),
        ("System navigation", ("Linked to a longer-term service at discharge",)),
        ("Feedback at discharge", ("Outcomes shared with the client",)),
    ):
        domain = scales.add_domain(actor=manager, scale=scale, name=name)
        for label in labels:
            scales.add_item(actor=manager, domain=domain, label=label)
    scales.activate_scale(actor=manager, scale=scale)
    scales.new_scale_version(actor=manager, scale=scale)


def load_fidelity_demo(*, agency: Agency, today: date, seed: int = 7) -> None:
    """Install the scale, run the reviews, draft the short-term criteria, compute indicators."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    admin = _members(agency, Role.AGENCY_ADMIN)[0]
    assessors = _members(agency, Role.ASSESSOR)[:2]
    managers = {
        m.programme_id: m.user
        for m in Membership.objects.filter(agency=agency, role=Role.PROGRAMME_MANAGER)
        .select_related("user")
        .order_by("pk")
    }
    scale = scales.install_builtin_scale(actor=admin, agency=agency)
    for n, item in enumerate(FidelityItem.objects.filter(domain__scale=scale), start=1):
        scales.update_item(
            actor=admin,
            item=item,
            label=item.label,
            anchors={str(r): f"Agency anchor {r} for item {n}" for r in range(1, 6)},
        )
    scales.activate_scale(actor=admin, scale=scale)

    smcm_teams = Team.objects.filter(programme__agency=agency, programme__model=ProgrammeModel.SMCM)
    for t, team in enumerate(smcm_teams.order_by("pk")):
        manager = managers[team.programme_id]
        start_level = 2.7 + 0.3 * t
        for n, months_ago in enumerate(REVIEW_MONTHS_AGO):
            _run_review(
                rng,
                manager=manager,
                assessors=assessors,
                team=team,
                scale=scale,
                on=today - timedelta(days=round(months_ago * 30.44)),
                level=start_level + 0.45 * n,
            )
        if t == 0:
            # The next review is under way: the assessors still reconcile it.
            _run_review(
                rng,
                manager=manager,
                assessors=assessors,
                team=team,
                scale=scale,
                on=today - timedelta(days=7),
                level=start_level + 1.5,
                finalise=False,
            )
    stcm = Programme.objects.filter(agency=agency, model=ProgrammeModel.STCM).first()
    if stcm is not None:
        _stcm_draft(managers[stcm.pk], agency, stcm)

    team_ids = list(Team.objects.filter(programme__agency=agency).values_list("pk", flat=True))
    backfill_indicators(
        start=today - timedelta(weeks=INDICATOR_WEEKS), end=today, team_ids=team_ids
    )
