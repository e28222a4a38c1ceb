"""Time-limited episodes: weeks used and left, the warning, transition plan and discharge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.clients import services as client_services
from tandem.clients.models import Episode, EpisodeStatus
from tandem.measures import receivers as measures_receivers
from tandem.orgs.models import ProgrammeModel
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory


def short_term(world: World, days_ago: int) -> Episode:
    world.programme.time_limit_days = 84
    world.programme.save()
    return EpisodeFactory.create(
        team=world.team,
        primary_case_manager=world.case_manager,
        start_date=timezone.localdate() - timedelta(days=days_ago),
    )


def test_time_limited_episode_counts_weeks_used_and_left(world: World) -> None:
    episode = short_term(world, 30)
    assert episode.weeks_used() == 4
    assert episode.weeks_remaining() == 7
    assert not episode.is_near_end()


def test_warning_starts_two_weeks_before_the_end(world: World, login_as: LoginAs) -> None:
    episode = short_term(world, 71)
    assert episode.is_near_end()
    response = login_as(world.case_manager).get("/caseload/")
    assert response.context["discharge_warnings"] == 1
    page = login_as(world.case_manager).get(f"/episodes/{episode.pk}/")
    assert page.context["near_end"] is True


def test_ongoing_episode_has_no_weeks_left(world: World) -> None:
    episode = EpisodeFactory.create(team=world.team, primary_case_manager=world.case_manager)
    assert episode.weeks_remaining() is None
    assert not episode.is_near_end()


def test_discharge_records_reason_and_destination(world: World, login_as: LoginAs) -> None:
    episode = short_term(world, 80)
    http = login_as(world.case_manager)
    http.post(
        f"/episodes/{episode.pk}/",
        {"action": "transition", "transition_plan": "Weekly peer group; family doctor follows."},
    )
    response = http.post(
        f"/episodes/{episode.pk}/",
        {
            "action": "discharge",
            "end_date": timezone.localdate().isoformat(),
            "reason": "time_limit",
            "destination": "Family doctor and peer support group",
        },
    )
    episode.refresh_from_db()
    assert response.status_code == 302
    assert episode.status == EpisodeStatus.CLOSED
    assert episode.discharge_destination == "Family doctor and peer support group"
    assert episode.transition_plan.startswith("Weekly peer group")


def test_discharge_without_destination_names_the_field(world: World, login_as: LoginAs) -> None:
    episode = short_term(world, 80)
    response = login_as(world.case_manager).post(
        f"/episodes/{episode.pk}/",
        {"action": "discharge", "end_date": timezone.localdate().isoformat(), "reason": "other"},
    )
    assert "destination" in response.context["discharge_form"].errors
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.OPEN


def test_teammate_cannot_open_another_workers_episode(world: World, login_as: LoginAs) -> None:
    episode = short_term(world, 10)
    assert login_as(world.teammate).get(f"/episodes/{episode.pk}/").status_code == 404


def test_discharge_hands_the_episode_to_the_discharge_measures(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    monkeypatch.setattr(
        measures_receivers, "on_episode_closed", lambda **kwargs: calls.append(kwargs["episode"].pk)
    )
    episode = short_term(world, 80)
    client_services.close_episode(
        actor=world.case_manager,
        episode=episode,
        end_date=timezone.localdate(),
        reason="time_limit",
        destination="Family doctor",
    )
    assert calls == [episode.pk]


def test_short_term_programme_without_its_own_limit_uses_twelve_weeks(world: World) -> None:
    world.programme.model = ProgrammeModel.STCM
    world.programme.time_limit_days = None
    world.programme.save()
    episode = EpisodeFactory.create(
        team=world.team,
        primary_case_manager=world.case_manager,
        start_date=timezone.localdate() - timedelta(days=14),
    )
    assert episode.time_limit_days == 84
    assert episode.weeks_remaining() == 10
