"""Reviews through the services: two independent assessors, reconciliation, finalised scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from statsmodels.stats.inter_rater import cohens_kappa

from tandem.accounts.models import User
from tandem.audit.models import AuditEvent
from tandem.fidelity import services
from tandem.fidelity.models import (
    AssessorRating,
    ConsensusRating,
    FidelityDomain,
    FidelityItem,
    FidelityReview,
    FidelityScale,
    ReviewStatus,
)
from tandem.fidelity.selectors import reconciliation_rows
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory
from tests.fidelity.factories import assessor_in, items_of, make_scale, panel_users

# Consensus by hand, per SMCM domain (integration left out): the domain means are
# 5, 4.5, 4, 4, 4, 3.6, 13/3, 4 and their sum is 33.4333..., high fidelity (>= 32 of 8-40).
CONSENSUS = {
    "caseload_size": [5],
    "community_contact": [4, 5],
    "individual_supervision": [4, 4, 4, 4],
    "group_supervision": [3, 4, 4, 5],
    "strengths_assessment": [4, 4, 4, 4, 4],
    "recovery_plan": [3, 3, 4, 4, 4],
    "community_resources": [4, 4, 5],
    "hope": [4, 4, 4, 4],
}
HAND_MEANS = {
    "caseload_size": 5.0,
    "community_contact": 4.5,
    "individual_supervision": 4.0,
    "group_supervision": 4.0,
    "strengths_assessment": 4.0,
    "recovery_plan": 3.6,
    "community_resources": 13 / 3,
    "hope": 4.0,
}


def smcm_scale(world: World) -> FidelityScale:
    scale = services.install_builtin_scale(actor=world.agency_admin, agency=world.agency)
    return services.activate_scale(actor=world.agency_admin, scale=scale)


def new_review(
    world: World, scale: FidelityScale | None = None, excluded: Sequence[FidelityDomain] = ()
) -> FidelityReview:
    scale = scale or make_scale(world.agency, items_per_domain=(2, 3))
    return services.create_review(
        actor=world.programme_manager,
        team=world.team,
        scale=scale,
        review_date=date(2026, 3, 1),
        assessors=[world.assessor, assessor_in(world.agency)],
        excluded_domains=excluded,
    )


def rate(review: FidelityReview, assessor: User, ratings: list[int], submit: bool = True) -> None:
    items = [item for item in items_of(review.scale) if item.domain_id not in excluded(review)]
    services.save_ratings(
        actor=assessor,
        review=review,
        ratings={item.pk: (r, "") for item, r in zip(items, ratings, strict=True)},
        submit=submit,
    )


def excluded(review: FidelityReview) -> set[int]:
    return set(review.excluded_domains.values_list("pk", flat=True))


# ---- creating a review ------------------------------------------------------------------------
def test_programme_manager_creates_a_review_with_two_assessors(world: World) -> None:
    review = new_review(world)
    assert review.status == ReviewStatus.RATING
    assert len(panel_users(review)) == 2
    assert AuditEvent.objects.filter(
        object_type="fidelity.fidelityreview", action="create"
    ).exists()


def test_a_review_needs_two_different_assessors(world: World) -> None:
    scale = make_scale(world.agency)
    with pytest.raises(ValidationError) as error:
        services.create_review(
            actor=world.programme_manager,
            team=world.team,
            scale=scale,
            review_date=date(2026, 3, 1),
            assessors=[world.assessor, world.assessor],
        )
    assert "assessors" in error.value.message_dict


def test_assessors_must_hold_the_assessor_role_in_the_agency(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_review(
            actor=world.programme_manager,
            team=world.team,
            scale=make_scale(world.agency),
            review_date=date(2026, 3, 1),
            assessors=[world.assessor, assessor_in(world.other_agency)],
        )
    assert "assessors" in error.value.message_dict


def test_only_an_active_scale_of_the_agency_can_be_used(world: World) -> None:
    for scale in (make_scale(world.agency, status="draft"), make_scale(world.other_agency)):
        with pytest.raises(ValidationError) as error:
            new_review(world, scale=scale)
        assert "scale" in error.value.message_dict


def test_a_scale_of_another_programme_cannot_be_used(world: World) -> None:
    scale = make_scale(world.agency, programme=world.other_programme_team.programme)
    with pytest.raises(ValidationError):
        new_review(world, scale=scale)


def test_a_supervisor_cannot_create_a_review(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.create_review(
            actor=world.supervisor,
            team=world.team,
            scale=make_scale(world.agency),
            review_date=date(2026, 3, 1),
            assessors=[world.assessor, assessor_in(world.agency)],
        )


def test_every_domain_cannot_be_left_out(world: World) -> None:
    scale = make_scale(world.agency, items_per_domain=(1,))
    with pytest.raises(ValidationError) as error:
        new_review(world, scale=scale, excluded=list(scale.domains.all()))
    assert "excluded_domains" in error.value.message_dict


# ---- rating independently ---------------------------------------------------------------------
def test_an_assessor_saves_part_of_the_ratings_and_comes_back(world: World) -> None:
    review = new_review(world)
    items = items_of(review.scale)
    services.save_ratings(actor=world.assessor, review=review, ratings={items[0].pk: (3, "seen")})
    services.save_ratings(actor=world.assessor, review=review, ratings={items[1].pk: (4, "")})
    stored = AssessorRating.objects.filter(review=review, assessor=world.assessor)
    assert sorted(stored.values_list("rating", flat=True)) == [3, 4]


def test_submitting_with_an_item_unrated_is_refused(world: World) -> None:
    review = new_review(world)
    items = items_of(review.scale)
    ratings = {item.pk: (3, "") for item in items[:-1]}
    with pytest.raises(ValidationError):
        services.save_ratings(actor=world.assessor, review=review, ratings=ratings, submit=True)
    assert review.panel.filter(submitted_at__isnull=False).count() == 0


def test_someone_not_on_the_panel_cannot_rate(world: World) -> None:
    review = new_review(world)
    outsider = assessor_in(world.agency)
    with pytest.raises(PermissionDenied):
        rate(review, outsider, [3, 3, 3, 3, 3], submit=False)


def test_the_review_is_reconciling_once_both_have_submitted(world: World) -> None:
    review = new_review(world)
    first, second = panel_users(review)
    rate(review, first, [3, 3, 3, 3, 3])
    review.refresh_from_db()
    assert review.status == ReviewStatus.RATING
    rate(review, second, [3, 4, 3, 3, 3])
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECONCILING


def test_a_submitted_assessor_cannot_change_their_ratings(world: World) -> None:
    review = new_review(world)
    rate(review, world.assessor, [3, 3, 3, 3, 3])
    with pytest.raises(ValidationError):
        rate(review, world.assessor, [5, 5, 5, 5, 5], submit=False)


def test_left_out_domains_are_not_rated(world: World) -> None:
    scale = make_scale(world.agency, items_per_domain=(2, 3))
    left_out = scale.domains.get(code="d1")
    review = new_review(world, scale=scale, excluded=[left_out])
    first, second = panel_users(review)
    rate(review, first, [3, 3, 3])
    rate(review, second, [3, 3, 3])
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECONCILING
    assert {row.domain.code for row in reconciliation_rows(review)} == {"d2"}


# ---- reconciling ------------------------------------------------------------------------------
def reconciling(world: World) -> FidelityReview:
    review = new_review(world)
    first, second = panel_users(review)
    rate(review, first, [3, 3, 4, 4, 5])
    rate(review, second, [3, 2, 4, 5, 5])
    review.refresh_from_db()
    return review


def test_reconciliation_marks_the_items_the_assessors_rated_differently(world: World) -> None:
    rows = reconciliation_rows(reconciling(world))
    assert [row.differs for row in rows] == [False, True, False, True, False]
    assert [row.suggested for row in rows] == [3, None, 4, None, 5]


def test_consensus_is_recorded_with_a_note(world: World) -> None:
    review = reconciling(world)
    item = items_of(review.scale)[1]
    services.record_consensus(
        actor=world.programme_manager,
        review=review,
        expected_version=review.version,
        decisions={item.pk: (3, "Agreed after reading the plans again.")},
    )
    row = ConsensusRating.objects.get(review=review, item=item)
    assert (row.rating, row.decided_by) == (3, world.programme_manager)


def test_a_stale_version_is_refused_as_changed_by_someone_else(world: World) -> None:
    review = reconciling(world)
    item = items_of(review.scale)[1]
    stale = review.version
    services.record_consensus(
        actor=world.assessor, review=review, expected_version=stale, decisions={item.pk: (3, "")}
    )
    with pytest.raises(services.ReviewChangedError):
        services.record_consensus(
            actor=world.programme_manager,
            review=review,
            expected_version=stale,
            decisions={item.pk: (2, "")},
        )
    assert ConsensusRating.objects.get(review=review, item=item).rating == 3


def test_a_supervisor_cannot_record_consensus(world: World) -> None:
    review = reconciling(world)
    with pytest.raises(PermissionDenied):
        services.record_consensus(
            actor=world.supervisor, review=review, expected_version=review.version, decisions={}
        )


def test_finalising_is_refused_until_every_item_is_agreed(world: World) -> None:
    review = reconciling(world)
    items = items_of(review.scale)
    services.record_consensus(
        actor=world.assessor,
        review=review,
        expected_version=review.version,
        # Item 2, rated 3 and 2, is left open; items rated alike need no decision.
        decisions={item.pk: (3, "") for item in items if item != items[1]},
    )
    with pytest.raises(ValidationError):
        services.finalise_review(
            actor=world.programme_manager, review=review, expected_version=review.version
        )
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECONCILING


def test_a_final_review_cannot_be_changed(world: World) -> None:
    review = reconciling(world)
    items = items_of(review.scale)
    services.record_consensus(
        actor=world.assessor,
        review=review,
        expected_version=review.version,
        decisions={item.pk: (4, "") for item in items},
    )
    services.finalise_review(actor=world.assessor, review=review, expected_version=review.version)
    with pytest.raises(ValidationError):
        services.record_consensus(
            actor=world.assessor,
            review=review,
            expected_version=review.version,
            decisions={items[0].pk: (1, "")},
        )


# ---- the whole review, against a hand calculation ---------------------------------------------
def test_a_review_by_two_assessors_gives_the_scores_of_a_hand_calculation(world: World) -> None:
    scale = smcm_scale(world)
    integration = scale.domains.get(code="integration")
    review = new_review(world, scale=scale, excluded=[integration])
    first, second = panel_users(review)
    items = [i for i in items_of(scale) if i.domain_id != integration.pk]
    codes = [i.domain.code for i in items]
    agreed = [r for code in CONSENSUS for r in CONSENSUS[code]]
    assert codes == [code for code in CONSENSUS for _r in CONSENSUS[code]]
    # The second assessor differs on four of the 28 items: by 1, 1, 1 and 2 points.
    theirs = list(agreed)
    for index, delta in ((1, -1), (5, 1), (10, -1), (20, -2)):
        theirs[index] += delta
    rate(review, first, agreed)
    rate(review, second, theirs)
    review.refresh_from_db()
    services.record_consensus(
        actor=first,
        review=review,
        expected_version=review.version,
        decisions={item.pk: (r, "") for item, r in zip(items, agreed, strict=True)},
    )
    services.finalise_review(
        actor=world.programme_manager, review=review, expected_version=review.version
    )

    review.refresh_from_db()
    scores = review.scores
    assert review.status == ReviewStatus.FINAL
    assert scores["scale_version"] == scale.version == "1"
    assert scores["domains"] == pytest.approx(HAND_MEANS)
    assert review.total == pytest.approx(33.4333333333)
    assert (scores["range_low"], scores["range_high"]) == (8.0, 40.0)
    assert review.is_high_fidelity is True
    table = np.zeros((5, 5))
    for a, b in zip(agreed, theirs, strict=True):
        table[a - 1, b - 1] += 1
    assert scores["agreement"] == pytest.approx(
        {
            "n_items": 28,
            "exact": 24 / 28,
            "within_one": 27 / 28,
            "mean_abs_difference": 5 / 28,
            "weighted_kappa": cohens_kappa(table, wt="quadratic", return_results=False),
        }
    )
    assert review.finalised_by == world.programme_manager


def test_the_smcm_scale_with_all_nine_domains_is_not_classed(world: World) -> None:
    scale = smcm_scale(world)
    review = new_review(world, scale=scale)
    ratings = [5] * FidelityItem.objects.filter(domain__scale=scale).count()
    first, second = panel_users(review)
    rate(review, first, ratings)
    rate(review, second, ratings)
    review.refresh_from_db()
    services.record_consensus(
        actor=first,
        review=review,
        expected_version=review.version,
        decisions={item.pk: (5, "") for item in items_of(scale)},
    )
    services.finalise_review(actor=first, review=review, expected_version=review.version)
    review.refresh_from_db()
    assert review.total == 45.0
    assert review.is_high_fidelity is None
    assert review.scores["agreement"]["weighted_kappa"] is None


def test_every_write_of_a_review_is_audited(world: World) -> None:
    before = AuditEvent.objects.filter(object_type="fidelity.fidelityreview").count()
    review = new_review(world)
    rate(review, world.assessor, [3, 3, 3, 3, 3], submit=False)
    after = AuditEvent.objects.filter(
        object_type="fidelity.fidelityreview", object_id=str(review.pk)
    )
    assert after.count() == before + 2


def test_a_user_without_the_assessor_role_is_not_offered(world: World) -> None:
    colleague = UserFactory.create(agency=world.agency)
    MembershipFactory.create(user=colleague, role="researcher", agency=world.agency)
    with pytest.raises(ValidationError):
        services.create_review(
            actor=world.programme_manager,
            team=world.team,
            scale=make_scale(world.agency),
            review_date=date(2026, 3, 1),
            assessors=[world.assessor, colleague],
        )


def test_items_both_assessors_rated_alike_count_as_agreed(world: World) -> None:
    review = reconciling(world)  # [3, 3, 4, 4, 5] and [3, 2, 4, 5, 5]
    items = items_of(review.scale)
    services.record_consensus(
        actor=world.assessor,
        review=review,
        expected_version=review.version,
        decisions={items[1].pk: (3, "talked it through"), items[3].pk: (4, "")},
    )
    review.refresh_from_db()
    services.finalise_review(actor=world.assessor, review=review, expected_version=review.version)
    review.refresh_from_db()
    assert review.status == ReviewStatus.FINAL
    agreed = dict(ConsensusRating.objects.filter(review=review).values_list("item_id", "rating"))
    assert agreed == {item.pk: rating for item, rating in zip(items, [3, 3, 4, 4, 5], strict=True)}
    assert review.total == pytest.approx(3 + 13 / 3)
