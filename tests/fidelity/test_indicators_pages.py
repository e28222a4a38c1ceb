"""The team indicators page and its on-demand refresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tandem.audit.models import AuditEvent
from tandem.fidelity.indicators import INDICATORS, compute_indicators
from tandem.fidelity.models import IndicatorValue
from tandem.practice.models import StrengthsAssessment
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory, UserFactory

TODAY = timezone.localdate()


def page(world: World, team_pk: int | None = None) -> str:
    return reverse("fidelity:team_indicators", args=[team_pk or world.team.pk])


def refresh(world: World, team_pk: int | None = None) -> str:
    return reverse("fidelity:indicators_refresh", args=[team_pk or world.team.pk])


def test_supervisor_sees_the_latest_value_of_every_indicator(
    world: World, login_as: LoginAs
) -> None:
    compute_indicators(day=TODAY)
    response = login_as(world.supervisor).get(page(world))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.day == TODAY
    assert [row.definition.code for row in result.indicators] == [i.code for i in INDICATORS]
    caseload = result.indicators[0]
    assert caseload.latest.value == 1.0  # two clients, two case managers
    assert caseload.target == world.programme.caseload_target
    assert len(caseload.points) == 12
    assert {w.worker.pk for w in result.workers} == {world.case_manager.pk, world.teammate.pk}


def test_the_page_answers_before_anything_was_computed(world: World, login_as: LoginAs) -> None:
    response = login_as(world.programme_manager).get(page(world, world.other_team.pk))
    assert response.status_code == 200
    assert response.context["result"].day is None


def test_shares_of_a_team_under_five_clients_are_suppressed(
    world: World, login_as: LoginAs
) -> None:
    compute_indicators(day=TODAY)
    result = login_as(world.supervisor).get(page(world)).context["result"]
    by_code = {row.definition.code: row for row in result.indicators}
    assert by_code["strengths_assessment_current"].latest.value == "<5"
    assert by_code["group_supervision_weekly"].latest.value == 0


def test_shares_of_a_team_of_five_clients_are_shown(world: World, login_as: LoginAs) -> None:
    for _ in range(3):
        EpisodeFactory.create(team=world.team, primary_case_manager=world.case_manager)
    episode = world.own_client.episodes.get()
    StrengthsAssessment.objects.create(
        client=world.own_client, episode=episode, assessed_on=TODAY, author=world.case_manager
    )
    compute_indicators(day=TODAY)
    result = login_as(world.supervisor).get(page(world)).context["result"]
    by_code = {row.definition.code: row for row in result.indicators}
    assert by_code["strengths_assessment_current"].latest.value == pytest.approx(0.2)


def test_the_history_holds_the_weekly_values_before_the_latest(
    world: World, login_as: LoginAs
) -> None:
    compute_indicators(day=TODAY - timedelta(weeks=2))
    compute_indicators(day=TODAY)
    result = login_as(world.supervisor).get(page(world)).context["result"]
    caseload = result.indicators[0]
    assert caseload.points[-2].day == TODAY - timedelta(weeks=2)
    assert caseload.points[-2].value == 1.0
    assert caseload.points[-1].value is None


def test_the_page_reads_a_fixed_number_of_queries(
    world: World,
    login_as: LoginAs,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    http = login_as(world.supervisor)
    for _ in range(8):
        EpisodeFactory.create(team=world.team, primary_case_manager=UserFactory.create())
    for weeks in range(13):
        compute_indicators(day=TODAY - timedelta(weeks=weeks))
    with django_assert_max_num_queries(12):
        assert http.get(page(world)).status_code == 200


def test_a_case_manager_may_not_see_the_page(world: World, login_as: LoginAs) -> None:
    assert login_as(world.case_manager).get(page(world)).status_code == 403


def test_a_supervisor_of_another_team_gets_404(world: World, login_as: LoginAs) -> None:
    assert login_as(world.supervisor).get(page(world, world.other_team.pk)).status_code == 404


def test_refresh_recomputes_the_team_for_today_and_returns_to_the_team(
    world: World,
    login_as: LoginAs,
) -> None:
    response = login_as(world.supervisor).post(refresh(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:team_detail", args=[world.team.pk])
    assert set(IndicatorValue.objects.values_list("team_id", "day").distinct()) == {
        (world.team.pk, TODAY)
    }


def test_refresh_is_audited_with_the_person_who_asked(world: World, login_as: LoginAs) -> None:
    login_as(world.programme_manager).post(refresh(world))
    event = AuditEvent.objects.filter(object_type="fidelity.indicatorvalue").get()
    assert event.actor_id == world.programme_manager.pk
    assert event.agency_id == world.agency.pk
    assert event.action == "update"


def test_refresh_returns_to_a_local_next_url(world: World, login_as: LoginAs) -> None:
    back = page(world)
    response = login_as(world.supervisor).post(refresh(world), {"next": back})
    assert response["Location"] == back


def test_refresh_ignores_a_next_url_elsewhere(world: World, login_as: LoginAs) -> None:
    response = login_as(world.supervisor).post(
        refresh(world), {"next": "https://evil.example/steal"}
    )
    assert response["Location"] == reverse("clients:team_detail", args=[world.team.pk])


def test_refresh_by_a_case_manager_is_refused(world: World, login_as: LoginAs) -> None:
    assert login_as(world.case_manager).post(refresh(world)).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_refresh_of_another_team_gets_404(world: World, login_as: LoginAs) -> None:
    http = login_as(world.supervisor)
    assert http.post(refresh(world, world.other_team.pk)).status_code == 404
    assert not IndicatorValue.objects.exists()


def test_refresh_answers_405_to_a_get(world: World, login_as: LoginAs) -> None:
    assert login_as(world.supervisor).get(refresh(world)).status_code == 405
