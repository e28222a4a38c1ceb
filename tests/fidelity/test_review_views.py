"""Review pages: who reaches them, independence of the ratings, reconciliation, finalising."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tandem.accounts.models import Role, User
from tandem.audit.models import AuditEvent
from tandem.fidelity.models import ConsensusRating, FidelityReview, ReviewStatus
from tests.conftest import LoginAs, World
from tests.factories import MembershipFactory, UserFactory
from tests.fidelity.factories import (
    agree_all,
    assessor_in,
    final_review,
    items_of,
    make_review,
    make_scale,
    rate_all,
)


def panel_review(world: World, status: str = ReviewStatus.RATING) -> FidelityReview:
    scale = make_scale(world.agency, items_per_domain=(2, 3))
    return make_review(
        world.team,
        scale=scale,
        assessors=[world.assessor, assessor_in(world.agency)],
        status=status,
    )


def second_assessor(review: FidelityReview, world: World) -> User:
    return review.panel.exclude(assessor=world.assessor).get().assessor


def reconciling(world: World) -> FidelityReview:
    review = panel_review(world, ReviewStatus.RECONCILING)
    rate_all(review, world.assessor, [3, 3, 4, 4, 5])
    rate_all(review, second_assessor(review, world), [3, 2, 4, 5, 5])
    return review


def manager_elsewhere(world: World) -> User:
    user = UserFactory.create(agency=world.other_agency)
    MembershipFactory.create(
        user=user, role=Role.PROGRAMME_MANAGER, programme=world.other_agency_team.programme
    )
    return user


# ---- access -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["review_detail", "review_reconcile"])
def test_a_programme_manager_of_another_agency_gets_404(
    world: World, login_as: LoginAs, name: str
) -> None:
    review = reconciling(world)
    response = login_as(manager_elsewhere(world)).get(reverse(f"fidelity:{name}", args=[review.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["case_manager", "researcher", "trainer"])
@pytest.mark.parametrize(
    "name", ["review_list", "review_new", "review_detail", "review_rate", "review_reconcile"]
)
def test_other_roles_get_403(world: World, login_as: LoginAs, role: str, name: str) -> None:
    review = reconciling(world)
    args = [] if name in {"review_list", "review_new"} else [review.pk]
    response = login_as(world.user(role)).get(reverse(f"fidelity:{name}", args=args))
    assert response.status_code == 403


def test_an_assessor_not_on_the_panel_gets_404_on_the_rating_form(
    world: World, login_as: LoginAs
) -> None:
    review = make_review(world.team)
    response = login_as(world.assessor).get(reverse("fidelity:review_rate", args=[review.pk]))
    assert response.status_code == 404


def test_a_programme_manager_cannot_open_the_rating_form(world: World, login_as: LoginAs) -> None:
    review = panel_review(world)
    response = login_as(world.programme_manager).get(
        reverse("fidelity:review_rate", args=[review.pk])
    )
    assert response.status_code == 403


def test_a_supervisor_sees_only_final_reviews_of_their_team(
    world: World, login_as: LoginAs
) -> None:
    open_review = panel_review(world)
    final = final_review(world.team)
    other_team = final_review(world.other_team)
    http = login_as(world.supervisor)
    listed = http.get(reverse("fidelity:review_list")).context["reviews"]
    assert [r.pk for r in listed] == [final.pk]
    assert http.get(reverse("fidelity:review_detail", args=[final.pk])).status_code == 200
    assert http.get(reverse("fidelity:review_detail", args=[open_review.pk])).status_code == 404
    assert http.get(reverse("fidelity:review_detail", args=[other_team.pk])).status_code == 404


def test_an_assessor_lists_only_the_reviews_they_are_on(world: World, login_as: LoginAs) -> None:
    mine = panel_review(world)
    make_review(world.team)
    listed = login_as(world.assessor).get(reverse("fidelity:review_list")).context["reviews"]
    assert [r.pk for r in listed] == [mine.pk]


def test_opening_a_review_is_audited_as_a_read(world: World, login_as: LoginAs) -> None:
    review = panel_review(world)
    login_as(world.programme_manager).get(reverse("fidelity:review_detail", args=[review.pk]))
    assert AuditEvent.objects.filter(
        action="view", object_type="fidelity.fidelityreview", object_id=str(review.pk)
    ).exists()


def test_the_review_list_reads_a_fixed_number_of_queries(
    world: World, login_as: LoginAs, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    http = login_as(world.programme_manager)
    for _ in range(2):
        make_review(world.team)
    with CaptureQueriesContext(connection) as few:
        http.get(reverse("fidelity:review_list"))
    for _ in range(6):
        make_review(world.other_team)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(reverse("fidelity:review_list"))
    assert len(response.context["reviews"]) == 8


# ---- creating a review through the page -------------------------------------------------------
def test_a_programme_manager_creates_a_review_from_the_form(
    world: World, login_as: LoginAs
) -> None:
    scale = make_scale(world.agency)
    other = assessor_in(world.agency)
    response = login_as(world.programme_manager).post(
        reverse("fidelity:review_new"),
        {
            "team": world.team.pk,
            "review_date": "2026-04-01",
            "scale": scale.pk,
            "assessors": [world.assessor.pk, other.pk],
            "excluded_domains": [scale.domains.get(code="d1").pk],
        },
    )
    review = FidelityReview.objects.get(team=world.team)
    assert response.status_code == 302
    assert list(review.excluded_domains.values_list("code", flat=True)) == ["d1"]


def test_one_assessor_only_is_refused_and_the_form_kept(world: World, login_as: LoginAs) -> None:
    scale = make_scale(world.agency)
    response = login_as(world.programme_manager).post(
        reverse("fidelity:review_new"),
        {
            "team": world.team.pk,
            "review_date": "2026-04-01",
            "scale": scale.pk,
            "assessors": [world.assessor.pk],
        },
    )
    assert response.status_code == 200
    assert "assessors" in response.context["form"].errors
    assert not FidelityReview.objects.exists()


# ---- rating independently ---------------------------------------------------------------------
def test_an_assessor_saves_and_submits_on_the_rating_form(world: World, login_as: LoginAs) -> None:
    review = panel_review(world)
    items = items_of(review.scale)
    http = login_as(world.assessor)
    url = reverse("fidelity:review_rate", args=[review.pk])
    partial = {f"rating_{items[0].pk}": "4", f"note_{items[0].pk}": "Seen", "action": "save"}
    assert http.post(url, partial).status_code == 302
    full = {f"rating_{item.pk}": "4" for item in items} | {"action": "submit"}
    assert http.post(url, full).status_code == 302
    assert review.panel.get(assessor=world.assessor).submitted_at is not None


def test_until_both_submit_neither_sees_the_others_ratings(world: World, login_as: LoginAs) -> None:
    review = panel_review(world)
    other = second_assessor(review, world)
    items = items_of(review.scale)
    http = login_as(world.assessor)
    http.post(
        reverse("fidelity:review_rate", args=[review.pk]),
        {f"rating_{item.pk}": "2" for item in items}
        | {f"note_{items[0].pk}": "evidence-only-the-first-assessor-wrote", "action": "submit"},
    )
    theirs = login_as(other)
    rate_page = theirs.get(reverse("fidelity:review_rate", args=[review.pk]))
    reconcile_page = theirs.get(reverse("fidelity:review_reconcile", args=[review.pk]))
    detail_page = theirs.get(reverse("fidelity:review_detail", args=[review.pk]))
    for page in (rate_page, reconcile_page, detail_page):
        assert page.status_code == 200
        assert b"evidence-only-the-first-assessor-wrote" not in page.content
    assert all(row.context is None for row in rate_page.context["rows"])
    assert "rows" not in reconcile_page.context


# ---- reconciling ------------------------------------------------------------------------------
def test_the_reconciliation_page_can_show_only_differences(world: World, login_as: LoginAs) -> None:
    review = reconciling(world)
    url = reverse("fidelity:review_reconcile", args=[review.pk])
    http = login_as(world.programme_manager)
    every_row = http.get(url).context["rows"]
    differing = http.get(url, {"differences": "1"}).context["rows"]
    assert len(every_row) == 5
    assert [row.item.label for row in differing] == ["Item 1.2", "Item 2.2"]
    assert all(row.context.differs for row in differing)


def test_agreed_items_are_prefilled(world: World, login_as: LoginAs) -> None:
    review = reconciling(world)
    form = (
        login_as(world.assessor)
        .get(reverse("fidelity:review_reconcile", args=[review.pk]))
        .context["form"]
    )
    first, second = items_of(review.scale)[:2]
    assert form.initial[f"rating_{first.pk}"] == "3"
    assert f"rating_{second.pk}" not in form.initial


def test_a_concurrent_consensus_edit_answers_409_and_keeps_the_input(
    world: World, login_as: LoginAs
) -> None:
    review = reconciling(world)
    item = items_of(review.scale)[1]
    url = reverse("fidelity:review_reconcile", args=[review.pk])
    stale = {
        "action": "consensus",
        "version": str(review.version),
        f"rating_{item.pk}": "2",
        f"note_{item.pk}": "typed-by-the-manager",
    }
    login_as(world.assessor).post(
        url, {"action": "consensus", "version": str(review.version), f"rating_{item.pk}": "3"}
    )
    response = login_as(world.programme_manager).post(url, stale)
    assert response.status_code == 409
    assert response.context["form"].data[f"note_{item.pk}"] == "typed-by-the-manager"
    assert ConsensusRating.objects.get(review=review, item=item).rating == 3


def test_finalising_is_refused_while_an_item_has_no_agreed_rating(
    world: World, login_as: LoginAs
) -> None:
    review = reconciling(world)
    response = login_as(world.programme_manager).post(
        reverse("fidelity:review_reconcile", args=[review.pk]),
        {"action": "finalise", "version": str(review.version)},
    )
    review.refresh_from_db()
    assert response.status_code == 200
    assert response.context["finalise"].errors
    assert review.status == ReviewStatus.RECONCILING


def test_finalising_stores_the_scores_and_shows_them(world: World, login_as: LoginAs) -> None:
    review = reconciling(world)
    agree_all(review, [3, 3, 4, 4, 5], by=world.assessor)
    http = login_as(world.assessor)
    response = http.post(
        reverse("fidelity:review_reconcile", args=[review.pk]),
        {"action": "finalise", "version": str(review.version)},
    )
    review.refresh_from_db()
    assert response.status_code == 302
    assert review.status == ReviewStatus.FINAL
    # Domain 1: (3 + 3) / 2 = 3; domain 2: (4 + 4 + 5) / 3 = 13/3; total 22/3.
    assert review.total == pytest.approx(22 / 3)
    detail = http.get(reverse("fidelity:review_detail", args=[review.pk]))
    assert {d.code: m for d, m in detail.context["domain_scores"]} == pytest.approx(
        {"d1": 3.0, "d2": 13 / 3}
    )


def test_a_final_review_refuses_new_ratings(world: World, login_as: LoginAs) -> None:
    review = reconciling(world)
    review.status = ReviewStatus.FINAL
    review.save()
    item = items_of(review.scale)[0]
    response = login_as(world.assessor).post(
        reverse("fidelity:review_rate", args=[review.pk]),
        {f"rating_{item.pk}": "1", "action": "save"},
    )
    assert response.status_code == 200
    assert not response.context["is_open"]
    assert review.ratings.get(assessor=world.assessor, item=item).rating == 3


def test_items_rated_alike_count_as_agreed_and_open_items_are_linked_at_the_top(
    world: World, login_as: LoginAs
) -> None:
    review = reconciling(world)  # items 2 and 4 differ
    response = login_as(world.assessor).get(reverse("fidelity:review_reconcile", args=[review.pk]))
    assert response.context["n_agreed"] == 3
    content = response.content.decode()
    second, fourth = items_of(review.scale)[1], items_of(review.scale)[3]
    top = content.index('data-open-items="2"')
    assert top < content.index("<table")
    assert content.index(f'href="#item-{second.pk}"') < content.index("<table")
    assert f'href="#item-{fourth.pk}"' in content
    assert f'id="item-{second.pk}"' in content


def test_a_refused_finalisation_says_why_at_the_top(world: World, login_as: LoginAs) -> None:
    review = reconciling(world)
    response = login_as(world.programme_manager).post(
        reverse("fidelity:review_reconcile", args=[review.pk]),
        {"action": "finalise", "version": str(review.version)},
    )
    content = response.content.decode()
    assert content.index('id="problems"') < content.index("<table")
    assert "still open" in content[content.index('id="problems"') : content.index("<table")]


def test_a_review_with_only_like_ratings_left_can_be_finalised_from_the_page(
    world: World, login_as: LoginAs
) -> None:
    review = reconciling(world)
    items = items_of(review.scale)
    http = login_as(world.assessor)
    url = reverse("fidelity:review_reconcile", args=[review.pk])
    http.post(
        url,
        {
            "action": "consensus",
            "version": str(review.version),
            f"rating_{items[1].pk}": "3",
            f"rating_{items[3].pk}": "4",
        },
    )
    review.refresh_from_db()
    page = http.get(url).content.decode()
    assert 'data-open-items="0"' in page
    response = http.post(url, {"action": "finalise", "version": str(review.version)})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.FINAL
