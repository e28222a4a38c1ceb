"""Reads of fidelity scales and reviews, narrowed to what the user may see.

Who sees a review: a programme manager every review of their programmes' teams; a supervisor
the final reviews of their teams (read-only); an assessor the reviews they are on. Scales: the
agency administrator every scale of the agency, a programme manager the agency-wide scales and
those of their programmes. Hidden rows answer 404 through ``deny_read``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from tandem.accounts.access import agency_ids_administered_by, scope_for
from tandem.accounts.models import Membership, Role, User
from tandem.core.access import deny_read
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
from tandem.orgs.models import Programme, Team
from tandem.orgs.selectors import programmes_managed_by

REVIEW_TYPE = "fidelity.fidelityreview"
SCALE_TYPE = "fidelity.fidelityscale"


# ---- who manages what ---------------------------------------------------------------------------
def managed_team_ids(user: User | AnonymousUser) -> frozenset[int]:
    """Teams of the programmes the user manages."""
    return scope_for(user).team_ids(Role.PROGRAMME_MANAGER)


def can_manage_review(user: User, review: FidelityReview) -> bool:
    """Programme managers of the review's team create, reconcile and finalise it."""
    return review.team_id in managed_team_ids(user)


# ---- reviews ------------------------------------------------------------------------------------
def reviews_visible_to(user: User | AnonymousUser) -> QuerySet[FidelityReview]:
    """Reviews the user may open: managed teams', supervised teams' final ones, their panels'."""
    scope = scope_for(user)
    condition = Q(pk__in=[])
    managed = scope.team_ids(Role.PROGRAMME_MANAGER)
    if managed:
        condition |= Q(team_id__in=managed)
    supervised = scope.team_ids(Role.SUPERVISOR)
    if supervised:
        condition |= Q(team_id__in=supervised, status=ReviewStatus.FINAL)
    assessed = scope.team_ids(Role.ASSESSOR)
    if assessed:
        on_panel = ReviewAssessor.objects.filter(assessor_id=user.pk).values("review_id")
        condition |= Q(team_id__in=assessed, pk__in=on_panel)
    return FidelityReview.objects.filter(condition)


def review_list_for(user: User) -> list[FidelityReview]:
    """The review list page: each review with its team, scale and panel, in three queries."""
    return list(
        reviews_visible_to(user)
        .select_related("team", "team__programme", "scale")
        .prefetch_related(
            Prefetch("panel", queryset=ReviewAssessor.objects.select_related("assessor"))
        )
    )


def get_review_for(user: User, pk: int) -> FidelityReview:
    """A review the user may open; an audited 404 for any other, whether or not it exists."""
    review = (
        reviews_visible_to(user)
        .select_related("team", "team__programme", "scale", "finalised_by")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        deny_read(user, REVIEW_TYPE, pk)
    return review


def final_reviews_for_teams(team_ids: Iterable[int]) -> dict[int, list[FidelityReview]]:
    """Final reviews of each team, oldest first, in one query (for dashboards and exposure).

    Not narrowed to a user: callers pass team ids they have already checked. Teams without a
    final review are absent from the result.
    """
    by_team: dict[int, list[FidelityReview]] = defaultdict(list)
    reviews = (
        FidelityReview.objects.filter(team_id__in=list(team_ids), status=ReviewStatus.FINAL)
        .select_related("scale")
        .order_by("team_id", "review_date", "pk")
    )
    for review in reviews:
        by_team[review.team_id].append(review)
    return dict(by_team)


def panel_of(review: FidelityReview) -> list[ReviewAssessor]:
    """The two assessors of a review, in the order they were chosen."""
    return list(review.panel.select_related("assessor").order_by("pk"))


def included_domains(review: FidelityReview) -> list[FidelityDomain]:
    """The domains of the review's scale that are rated, each with its items prefetched."""
    excluded = set(review.excluded_domains.values_list("pk", flat=True))
    domains = review.scale.domains.prefetch_related("items").order_by("position", "pk")
    return [domain for domain in domains if domain.pk not in excluded]


def included_items(review: FidelityReview) -> list[FidelityItem]:
    return [item for domain in included_domains(review) for item in domain.items.all()]


def own_ratings(user: User, review: FidelityReview) -> dict[int, AssessorRating]:
    """The user's own ratings of the review, by item id (never another assessor's)."""
    return {r.item_id: r for r in AssessorRating.objects.filter(review=review, assessor=user)}


@dataclass(frozen=True, slots=True)
class ReconciliationRow:
    domain: FidelityDomain
    item: FidelityItem
    first: AssessorRating | None
    second: AssessorRating | None
    consensus: ConsensusRating | None

    @property
    def differs(self) -> bool:
        if self.first is None or self.second is None:
            return True
        return self.first.rating != self.second.rating

    @property
    def difference(self) -> int | None:
        if self.first is None or self.second is None:
            return None
        return abs(self.first.rating - self.second.rating)

    @property
    def suggested(self) -> int | None:
        """The agreed rating if recorded, else the assessors' common rating when they agree."""
        if self.consensus is not None:
            return self.consensus.rating
        if self.first is not None and not self.differs:
            return self.first.rating
        return None

    @property
    def agreed_rating(self) -> int | None:
        """The rating the item is scored with: the recorded consensus, or else the rating both
        assessors gave (two equal ratings need no meeting to agree them); None while open."""
        return self.suggested

    @property
    def is_agreed(self) -> bool:
        return self.agreed_rating is not None


def reconciliation_rows(review: FidelityReview) -> list[ReconciliationRow]:
    """Every included item with both assessors' ratings and the consensus so far.

    Only call once both assessors have submitted: before that, ratings are independent.
    """
    panel = [member.assessor_id for member in panel_of(review)]
    ratings: dict[tuple[int, int], AssessorRating] = {
        (r.assessor_id, r.item_id): r for r in AssessorRating.objects.filter(review=review)
    }
    consensus = {c.item_id: c for c in ConsensusRating.objects.filter(review=review)}
    first, second = [*panel, 0, 0][:2]
    return [
        ReconciliationRow(
            domain=domain,
            item=item,
            first=ratings.get((first, item.pk)),
            second=ratings.get((second, item.pk)),
            consensus=consensus.get(item.pk),
        )
        for domain in included_domains(review)
        for item in domain.items.all()
    ]


def consensus_rows(
    review: FidelityReview,
) -> list[tuple[FidelityDomain, FidelityItem, ConsensusRating | None]]:
    """Each included item with its agreed rating and note (for the detail page)."""
    consensus = {c.item_id: c for c in ConsensusRating.objects.filter(review=review)}
    return [
        (domain, item, consensus.get(item.pk))
        for domain in included_domains(review)
        for item in domain.items.all()
    ]


# ---- choices for a new review -------------------------------------------------------------------
def teams_for_new_review(user: User) -> QuerySet[Team]:
    """Teams whose reviews the user may create: those of the programmes they manage."""
    return Team.objects.filter(pk__in=managed_team_ids(user)).select_related("programme")


def scales_usable_for_teams(teams: QuerySet[Team]) -> QuerySet[FidelityScale]:
    """Active scales of the teams' agencies, agency-wide or drafted for one of their programmes."""
    programme_ids = set(teams.values_list("programme_id", flat=True))
    agency_ids = set(teams.values_list("programme__agency_id", flat=True))
    return FidelityScale.objects.filter(
        Q(programme__isnull=True) | Q(programme_id__in=programme_ids),
        agency_id__in=agency_ids,
        status=ScaleStatus.ACTIVE,
    )


def scale_usable_for(scale: FidelityScale, team: Team) -> bool:
    return (
        scale.status == ScaleStatus.ACTIVE
        and scale.agency_id == team.programme.agency_id
        and scale.programme_id in (None, team.programme_id)
    )


def assessors_of(agency_ids: Iterable[int]) -> QuerySet[User]:
    """Active users holding the assessor role in one of these agencies."""
    holders = Membership.objects.filter(role=Role.ASSESSOR, agency_id__in=list(agency_ids)).values(
        "user_id"
    )
    return User.objects.filter(pk__in=holders, is_active=True).order_by("full_name", "pk")


# ---- scales -------------------------------------------------------------------------------------
def scales_visible_to(user: User | AnonymousUser) -> QuerySet[FidelityScale]:
    """Scales the user may read in the editor: administered agencies', managed programmes'."""
    condition = Q(pk__in=[])
    administered = agency_ids_administered_by(user)
    if administered:
        condition |= Q(agency_id__in=administered)
    managed = list(programmes_managed_by(user).values_list("pk", "agency_id"))
    if managed:
        condition |= Q(programme_id__in={pk for pk, _agency in managed}) | Q(
            programme__isnull=True, agency_id__in={agency for _pk, agency in managed}
        )
    return FidelityScale.objects.filter(condition)


def get_scale_for(user: User, pk: int) -> FidelityScale:
    scale = scales_visible_to(user).select_related("agency", "programme").filter(pk=pk).first()
    if scale is None:
        deny_read(user, SCALE_TYPE, pk)
    return scale


def get_item_for(user: User, pk: int) -> FidelityItem:
    scales = scales_visible_to(user).values("pk")
    item = (
        FidelityItem.objects.filter(pk=pk, domain__scale_id__in=scales)
        .select_related("domain", "domain__scale")
        .first()
    )
    if item is None:
        deny_read(user, "fidelity.fidelityitem", pk)
    return item


def can_edit_scale(user: User, scale: FidelityScale) -> bool:
    """Drafts only: by the agency administrator, or the manager of the scale's programme."""
    if scale.status != ScaleStatus.DRAFT:
        return False
    return can_draft_for(user, scale.agency_id, scale.programme_id)


def can_draft_for(user: User, agency_id: int, programme_id: int | None) -> bool:
    """Agency administrators draft any scale of their agency; managers, their programmes'."""
    if agency_id in agency_ids_administered_by(user):
        return True
    return programme_id is not None and programmes_managed_by(user).filter(pk=programme_id).exists()


def programmes_for_drafting(user: User) -> QuerySet[Programme]:
    """Programmes the user may draft a scale for."""
    condition = Q(pk__in=programmes_managed_by(user).values("pk")) | Q(
        agency_id__in=agency_ids_administered_by(user)
    )
    return Programme.objects.filter(condition).select_related("agency").order_by("name")


def scale_structure(scale: FidelityScale) -> list[FidelityDomain]:
    """The scale's domains in order, each with its items prefetched (two queries)."""
    return list(scale.domains.prefetch_related("items").order_by("position", "pk"))
