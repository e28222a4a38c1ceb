"""Fidelity reviews and a team's indicators through the API: the pages' reach, their scores."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tandem.accounts.models import User
from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.fidelity.indicators import INDICATORS, compute_indicators
from tandem.fidelity.models import FidelityReview, ReviewStatus
from tests.api.access import bearer_token_for
from tests.api.helpers import api_client, problem, token_text
from tests.conftest import World
from tests.fidelity.factories import assessor_in, final_review, make_review

REVIEWS = "/api/v1/fidelity/reviews"


def _reader(user: User) -> HttpClient:
    return api_client(token_text(user, scopes="read:fidelity"))


def _ids(answer: Any) -> list[int]:
    return [row["id"] for row in answer.json()["items"]]


def test_each_role_lists_the_reviews_its_pages_show(world: World) -> None:
    final = final_review(world.team, review_date=date(2026, 3, 1))
    rating = make_review(world.team, assessors=[world.assessor, assessor_in(world.agency)])
    other_team = make_review(world.other_team, status=ReviewStatus.RECONCILING)
    make_review(world.other_agency_team)
    assert set(_ids(_reader(world.programme_manager).get(REVIEWS))) == {
        final.pk,
        rating.pk,
        other_team.pk,
    }
    assert _ids(_reader(world.supervisor).get(REVIEWS)) == [final.pk]  # final ones only
    assert _ids(_reader(world.assessor).get(REVIEWS)) == [rating.pk]  # the panels they sit on


def test_scores_appear_once_the_review_is_final(world: World) -> None:
    final = final_review(world.team)
    open_review = make_review(world.team, status=ReviewStatus.RECONCILING)
    open_review.scores = {"total": 9.0, "domains": {"d1": 4.5, "d2": 4.5}}
    open_review.save()
    rows = {row["id"]: row for row in _reader(world.programme_manager).get(REVIEWS).json()["items"]}
    assert (rows[final.pk]["total"], rows[final.pk]["domain_means"]) == (
        3.0,
        {"d1": 1.0, "d2": 2.0},
    )
    assert (rows[open_review.pk]["total"], rows[open_review.pk]["domain_means"]) == (None, {})


def test_review_detail_gives_domain_means_and_the_panels_progress(world: World) -> None:
    review = final_review(world.team)
    http = _reader(world.supervisor)
    answer = http.get(f"{REVIEWS}/{review.pk}")
    assert answer.status_code == 200
    found = answer.json()
    assert found["status"] == "final"
    assert [(d["code"], d["mean"]) for d in found["domains"]] == [("d1", 1.0), ("d2", 2.0)]
    assert [member["submitted"] for member in found["panel"]] == [True, True]
    assert "ratings" not in found
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="fidelity.fidelityreview", object_id=str(review.pk)
    ).exists()


def test_filters_narrow_by_team_status_and_date_and_never_widen(world: World) -> None:
    march = final_review(world.team, review_date=date(2026, 3, 1))
    may = final_review(world.team, review_date=date(2026, 5, 1))
    other = make_review(world.other_team)
    foreign = final_review(world.other_agency_team)
    http = _reader(world.programme_manager)
    assert _ids(http.get(f"{REVIEWS}?team={world.team.pk}")) == [may.pk, march.pk]
    assert _ids(http.get(f"{REVIEWS}?status=rating")) == [other.pk]
    window = f"{REVIEWS}?date_from=2026-02-01&date_to=2026-04-30"
    assert _ids(http.get(window)) == [march.pk]
    assert _ids(http.get(f"{REVIEWS}?team={world.team.pk}&ordering=review_date")) == [
        march.pk,
        may.pk,
    ]
    assert _ids(http.get(f"{REVIEWS}?team={foreign.team_id}")) == []
    for query, field in [
        ("status=approved", "status"),
        ("scale=1", "scale"),
        ("ordering=total", "ordering"),
    ]:
        found = problem(http.get(f"{REVIEWS}?{query}"))
        assert (found["status"], found["errors"][0]["field"]) == (400, field)
    found = problem(http.get(f"{REVIEWS}?date_from=March"))
    assert (found["status"], found["errors"][0]["field"]) == (422, "date_from")


def test_reviews_come_a_page_at_a_time(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    made = [final_review(world.team, review_date=date(2026, 1, day)) for day in range(1, 6)]
    http = _reader(world.programme_manager)
    seen: list[int] = []
    with django_assert_max_num_queries(15):  # token, scopes, audit: none per row
        assert len(_ids(http.get(f"{REVIEWS}?limit=5"))) == 5
    first = http.get(f"{REVIEWS}?limit=2").json()
    seen += [row["id"] for row in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = http.get(f"{REVIEWS}?limit=2&cursor={cursor}").json()
        seen += [row["id"] for row in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [review.pk for review in reversed(made)]


@pytest.mark.parametrize(
    ("role", "team"),
    [
        ("programme_manager", "other_agency_team"),
        ("supervisor", "other_team"),
        ("assessor", "team"),  # a review they are not on
    ],
)
def test_reviews_out_of_reach_answer_as_missing_ones(world: World, role: str, team: str) -> None:
    hidden = final_review(getattr(world, team))
    http = _reader(world.user(role))
    answer = http.get(f"{REVIEWS}/{hidden.pk}")
    missing = http.get(f"{REVIEWS}/{FidelityReview.objects.count() + 1000}")
    assert answer.status_code == 404
    assert answer.content == missing.content
    assert AuditEvent.objects.filter(
        object_type="fidelity.fidelityreview",
        object_id=str(hidden.pk),
        outcome=Outcome.DENIED,
    ).exists()


def test_fidelity_needs_its_scope_and_a_role_that_reaches_it(world: World) -> None:
    review = final_review(world.team)
    without = api_client(token_text(world.supervisor, scopes="read:feedback"))
    found = problem(without.get(f"{REVIEWS}/{review.pk}"))
    assert (found["status"], found["type"]) == (403, "urn:tandem:problem:insufficient_scope")
    # A case manager's roles give no fidelity on the pages: a token holding the scope anyway
    # (their roles narrowed since it was made) is refused as well.
    narrowed = api_client(bearer_token_for(world.case_manager))
    assert narrowed.get(REVIEWS).status_code == 403


def test_team_indicators_as_on_the_teams_page(world: World) -> None:
    today = timezone.localdate()
    compute_indicators(day=today)
    http = _reader(world.supervisor)
    answer = http.get(f"/api/v1/teams/{world.team.pk}/fidelity-indicators")
    assert answer.status_code == 200
    found = answer.json()
    assert found["day"] == today.isoformat()
    rows = {row["code"]: row for row in found["indicators"]}
    assert list(rows) == [definition.code for definition in INDICATORS]
    assert rows["caseload_per_worker"]["value"] == 1.0
    assert len(rows["caseload_per_worker"]["history"]) == 12
    # Fewer than five open clients: shares resting on them are left out, as on the page.
    share = rows["strengths_assessment_current"]
    assert (share["value"], share["suppressed"], share["text"]) == (None, True, "<5")
    assert {w["worker_id"] for w in found["workers"]} == {
        world.case_manager.pk,
        world.teammate.pk,
    }


def test_team_indicators_for_supervisors_and_managers_of_the_team_only(world: World) -> None:
    path = f"/api/v1/teams/{world.other_team.pk}/fidelity-indicators"
    assert _reader(world.supervisor).get(path).status_code == 404
    assert _reader(world.programme_manager).get(path).status_code == 200
    found = problem(_reader(world.assessor).get(path))
    assert (found["status"], found["type"]) == (403, "urn:tandem:problem:insufficient_scope")
