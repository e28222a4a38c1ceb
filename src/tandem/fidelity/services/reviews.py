"""Writes of fidelity reviews: create, rate independently, reconcile, finalise.

A review moves rating -> reconciling -> final. While rating, each of the two assessors saves
their own ratings (partially, then submits); neither sees the other's. Once both have
submitted, the assessors or the programme manager record a consensus rating per item; the
review's ``version`` makes a concurrent reconciliation edit fail instead of overwriting.
Finalising computes and stores the scores (pure ``tandem.fidelity.scoring``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.fidelity import scoring
from tandem.fidelity.models import (
    AssessorRating,
    ConsensusRating,
    FidelityDomain,
    FidelityReview,
    FidelityScale,
    ReviewAssessor,
    ReviewStatus,
)
from tandem.fidelity.selectors import (
    assessors_of,
    can_manage_review,
    included_domains,
    included_items,
    panel_of,
    reconciliation_rows,
    scale_usable_for,
)
from tandem.orgs.models import Team

# item id -> (rating or None, note)
RatingInput = Mapping[int, tuple[int | None, str]]


class ReviewChangedError(Exception):
    """The review was changed by someone else since the form was opened."""


def _agency_of(review: FidelityReview) -> int:
    return review.team.programme.agency_id


def _check_ratings(ratings: RatingInput, item_ids: Iterable[int]) -> None:
    """Every rated item is part of the review, and every rating lies in 1-5 (blank allowed)."""
    if set(ratings) - set(item_ids):
        raise ValidationError(_("Some items are not part of this review."))
    for rating, _note in ratings.values():
        if rating is not None and not scoring.RATING_MIN <= rating <= scoring.RATING_MAX:
            raise ValidationError(_("Ratings go from 1 to 5."))


def create_review(
    *,
    actor: User,
    team: Team,
    scale: FidelityScale,
    review_date: date,
    assessors: Sequence[User],
    excluded_domains: Iterable[FidelityDomain] = (),
) -> FidelityReview:
    """Open a review of ``team`` rated by exactly two distinct assessors of the agency."""
    review = FidelityReview(
        team=team,
        scale=scale,
        review_date=review_date,
        created_by=actor,
        status=ReviewStatus.RATING,
    )
    if not can_manage_review(actor, review):
        raise PermissionDenied
    agency_id = team.programme.agency_id
    if not scale_usable_for(scale, team):
        raise ValidationError({"scale": _("This scale is not in use for this team's programme.")})
    assessor_ids = [user.pk for user in assessors]
    if len(assessor_ids) != 2 or len(set(assessor_ids)) != 2:
        raise ValidationError({"assessors": _("Choose exactly two different assessors.")})
    eligible = set(
        assessors_of([agency_id]).filter(pk__in=assessor_ids).values_list("pk", flat=True)
    )
    if eligible != set(assessor_ids):
        raise ValidationError(
            {"assessors": _("Both assessors must hold the assessor role in this agency.")}
        )
    left_out = list(excluded_domains)
    scale_domains = set(scale.domains.values_list("pk", flat=True))
    if any(domain.pk not in scale_domains for domain in left_out):
        raise ValidationError({"excluded_domains": _("Leave out only domains of this scale.")})
    if len({d.pk for d in left_out}) >= len(scale_domains):
        raise ValidationError({"excluded_domains": _("At least one domain must be rated.")})
    review.full_clean()
    with transaction.atomic():
        review.save()
        review.excluded_domains.set(left_out)
        for user in assessors:
            ReviewAssessor.objects.create(review=review, assessor=user)
        record_event(actor=actor, action=Action.CREATE, obj=review, agency_id=agency_id)
    return review


def _panel_member(actor: User, review: FidelityReview) -> ReviewAssessor:
    member = (
        ReviewAssessor.objects.select_for_update().filter(review=review, assessor=actor).first()
    )
    if member is None:
        raise PermissionDenied
    return member


def save_ratings(
    *, actor: User, review: FidelityReview, ratings: RatingInput, submit: bool = False
) -> int:
    """Save the actor's own ratings (blank ones are skipped); ``submit`` hands them in.

    Submitting needs every included item rated. When the second assessor submits, the review
    moves to reconciling. Returns the number of items the actor has rated.
    """
    items = {item.pk: item for item in included_items(review)}
    _check_ratings(ratings, items)
    agency_id = _agency_of(review)
    with transaction.atomic():
        # Lock the review row: the two assessors' submissions must not both miss each other.
        locked = FidelityReview.objects.select_for_update().get(pk=review.pk)
        member = _panel_member(actor, locked)
        if locked.status != ReviewStatus.RATING or member.submitted_at is not None:
            raise ValidationError(_("Your ratings of this review are already submitted."))
        existing = {
            r.item_id: r for r in AssessorRating.objects.filter(review=locked, assessor=actor)
        }
        for item_id, (rating, note) in ratings.items():
            row = existing.get(item_id)
            if rating is None:
                continue
            if row is None:
                row = AssessorRating(review=locked, assessor=actor, item_id=item_id)
                existing[item_id] = row
            elif row.rating == rating and row.note == note:
                continue
            row.rating, row.note = rating, note
            row.full_clean(exclude=["review", "assessor", "item"])
            row.save()
        if submit:
            missing = [items[pk].label for pk in items if pk not in existing]
            if missing:
                raise ValidationError(
                    _("Rate every item before submitting; not yet rated: %(items)s")
                    % {"items": ", ".join(missing)}
                )
            member.submitted_at = timezone.now()
            member.save(update_fields=["submitted_at"])
            if not locked.panel.filter(submitted_at__isnull=True).exists():
                locked.status = ReviewStatus.RECONCILING
                locked.version = F("version") + 1
                locked.save(update_fields=["status", "version"])
        record_event(actor=actor, action=Action.UPDATE, obj=locked, agency_id=agency_id)
    return len(existing)


def _may_reconcile(actor: User, review: FidelityReview) -> bool:
    if can_manage_review(actor, review):
        return True
    return any(member.assessor_id == actor.pk for member in panel_of(review))


def _claim(review: FidelityReview, expected_version: int, status: str) -> None:
    """Bump the version if it is still ``expected_version``; else someone else changed it."""
    claimed = FidelityReview.objects.filter(
        pk=review.pk, version=expected_version, status=status
    ).update(version=F("version") + 1)
    if claimed == 0:
        raise ReviewChangedError
    review.version = expected_version + 1


def record_consensus(
    *,
    actor: User,
    review: FidelityReview,
    expected_version: int,
    decisions: RatingInput,
) -> int:
    """Record the agreed rating and note of the given items (blank ratings are skipped).

    Returns the number of rows written. Raises ``ReviewChangedError`` when the review changed
    since ``expected_version`` was read.
    """
    if review.status != ReviewStatus.RECONCILING:
        raise ValidationError(_("This review is not being reconciled."))
    if not _may_reconcile(actor, review):
        raise PermissionDenied
    _check_ratings(decisions, (item.pk for item in included_items(review)))
    written = 0
    with transaction.atomic():
        _claim(review, expected_version, ReviewStatus.RECONCILING)
        existing = {c.item_id: c for c in ConsensusRating.objects.filter(review=review)}
        for item_id, (rating, note) in decisions.items():
            if rating is None:
                continue
            row = existing.get(item_id)
            if row is None:
                row = ConsensusRating(review=review, item_id=item_id)
            elif row.rating == rating and row.note == note:
                continue
            row.rating, row.note, row.decided_by = rating, note, actor
            row.full_clean(exclude=["review", "item", "decided_by"])
            row.save()
            written += 1
        record_event(actor=actor, action=Action.UPDATE, obj=review, agency_id=_agency_of(review))
    return written


def compute_scores(review: FidelityReview) -> dict[str, object]:
    """The scores a finalised review stores, from the consensus and the assessors' ratings."""
    rows = reconciliation_rows(review)
    missing = [row.item.label for row in rows if not row.is_agreed]
    if missing:
        raise ValidationError(
            _("Agree a rating for every item before finalising; still open: %(items)s")
            % {"items": ", ".join(missing)}
        )
    by_domain: dict[str, list[int]] = {d.code: [] for d in included_domains(review)}
    for row in rows:
        if row.agreed_rating is not None:
            by_domain[row.domain.code].append(row.agreed_rating)
    scale = review.scale
    threshold = (
        None if scale.high_fidelity_threshold is None else float(scale.high_fidelity_threshold)
    )
    result = scoring.score_review(
        {code: ratings for code, ratings in by_domain.items() if ratings},
        high_fidelity_threshold=threshold,
        threshold_domain_count=scale.high_fidelity_domain_count,
    )
    paired = [(row.first.rating, row.second.rating) for row in rows if row.first and row.second]
    agreement = scoring.agreement([a for a, _b in paired], [b for _a, b in paired])
    return {
        "scale_code": scale.code,
        "scale_version": scale.version,
        "high_fidelity_threshold": threshold,
        **result.to_dict(),
        "agreement": agreement.to_dict(),
    }


def finalise_review(
    *, actor: User, review: FidelityReview, expected_version: int
) -> FidelityReview:
    """Store the scores and close the review (read-only from now on)."""
    if review.status != ReviewStatus.RECONCILING:
        raise ValidationError(_("Only a review being reconciled can be finalised."))
    if not _may_reconcile(actor, review):
        raise PermissionDenied
    scores = compute_scores(review)
    with transaction.atomic():
        _claim(review, expected_version, ReviewStatus.RECONCILING)
        # Items both assessors rated alike count as agreed: their rating becomes the consensus
        # row, so that the final review lists an agreed rating for every item it scored.
        ConsensusRating.objects.bulk_create(
            ConsensusRating(
                review=review, item=row.item, rating=row.agreed_rating, decided_by=actor
            )
            for row in reconciliation_rows(review)
            if row.consensus is None and row.agreed_rating is not None
        )
        review.scores = scores
        review.total = float(scores["total"])  # type: ignore[arg-type]  # a float from scoring
        review.is_high_fidelity = scores["is_high"]  # type: ignore[assignment]  # bool | None
        review.status = ReviewStatus.FINAL
        review.finalised_by = actor
        review.finalised_at = timezone.now()
        review.save(
            update_fields=[
                "scores",
                "total",
                "is_high_fidelity",
                "status",
                "finalised_by",
                "finalised_at",
            ]
        )
        record_event(actor=actor, action=Action.UPDATE, obj=review, agency_id=_agency_of(review))
    return review


__all__ = [
    "ReviewChangedError",
    "compute_scores",
    "create_review",
    "finalise_review",
    "record_consensus",
    "save_ratings",
]
