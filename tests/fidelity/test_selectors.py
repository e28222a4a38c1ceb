"""The review selectors other apps call: final reviews per team, reviews a user may see."""

from __future__ import annotations

from datetime import date

from pytest_django import DjangoAssertNumQueries

from tandem.fidelity.selectors import final_reviews_for_teams, reviews_visible_to
from tests.conftest import World
from tests.fidelity.factories import final_review, make_review


def test_final_reviews_come_per_team_oldest_first(world: World) -> None:
    later = final_review(world.team, review_date=date(2026, 5, 1))
    earlier = final_review(world.team, review_date=date(2025, 11, 1))
    other = final_review(world.other_team, review_date=date(2026, 1, 1))
    make_review(world.team)  # still being rated: not returned
    found = final_reviews_for_teams(
        [world.team.pk, world.other_team.pk, world.other_agency_team.pk]
    )
    assert found == {world.team.pk: [earlier, later], world.other_team.pk: [other]}


def test_final_reviews_are_read_in_one_query(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for team in (world.team, world.other_team, world.other_programme_team):
        final_review(team)
    with django_assert_num_queries(1):
        found = final_reviews_for_teams([world.team.pk, world.other_team.pk])
        _ = [review.scale.version for reviews in found.values() for review in reviews]


def test_reviews_visible_to_each_role(world: World) -> None:
    rating = make_review(world.team, assessors=[world.assessor, world.teammate])
    final = final_review(world.team)
    elsewhere = make_review(world.other_agency_team)
    assert set(reviews_visible_to(world.programme_manager)) == {rating, final}
    assert set(reviews_visible_to(world.supervisor)) == {final}
    assert set(reviews_visible_to(world.assessor)) == {rating}
    assert set(reviews_visible_to(world.case_manager)) == set()
    assert elsewhere not in set(reviews_visible_to(world.programme_manager))
