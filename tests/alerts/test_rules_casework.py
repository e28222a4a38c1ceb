"""The casework rules: each triggers on its condition, with exact reasons, or stays quiet."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tandem.alerts.models import AlertRule
from tandem.alerts.rules import Condition, conditions_holding, context_for
from tandem.measures.models import AdministrationStatus
from tests.alerts.factories import (
    AlertPolicyFactory,
    Crew,
    SupervisionKind,
    contact,
    crew,
    days_before,
    session,
)
from tests.factories import EpisodeFactory, MembershipFactory, UserFactory
from tests.measures.factories import AdministrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def team(today: date) -> Crew:
    return crew(since=days_before(today, 200))


def holding(team: Crew, today: date, rule: AlertRule) -> list[Condition]:
    return conditions_holding(context_for(today=today, team_ids=[team.team.pk]), rules=[rule])


# ---- measure overdue ---------------------------------------------------------------------------
def test_overdue_administration_triggers_one_alert_per_administration(
    team: Crew, today: date
) -> None:
    episode = team.episode()
    overdue = AdministrationFactory.create(
        episode=episode, due_date=days_before(today, 3), status=AdministrationStatus.OVERDUE
    )

    [found] = holding(team, today, AlertRule.MEASURE_OVERDUE)

    assert found.subject_key == f"episode:{episode.pk}:administration:{overdue.pk}"
    assert found.reason == {
        "administration": overdue.pk,
        "instrument": "rprs",
        "due_date": days_before(today, 3).isoformat(),
        "days_overdue": 3,
    }


def test_due_or_completed_administrations_do_not_trigger(team: Crew, today: date) -> None:
    episode = team.episode()
    AdministrationFactory.create(episode=episode, status=AdministrationStatus.DUE)
    AdministrationFactory.create(
        episode=episode, due_date=days_before(today, 3), status=AdministrationStatus.COMPLETED
    )

    assert holding(team, today, AlertRule.MEASURE_OVERDUE) == []


# ---- time limit near ---------------------------------------------------------------------------
def test_time_limit_within_the_warning_days_triggers(today: date) -> None:
    short = crew(since=days_before(today, 200), time_limit_days=84)
    episode = short.episode(start_date=days_before(today, 70))

    [found] = holding(short, today, AlertRule.TIME_LIMIT_NEAR)

    assert found.subject_key == f"episode:{episode.pk}"
    assert found.reason == {
        "planned_end": (today + timedelta(days=14)).isoformat(),
        "days_left": 14,
        "time_limit_days": 84,
        "warning_days": 14,
    }


def test_time_limit_further_than_the_warning_days_does_not_trigger(today: date) -> None:
    short = crew(since=days_before(today, 200), time_limit_days=84)
    short.episode(start_date=days_before(today, 69))

    assert holding(short, today, AlertRule.TIME_LIMIT_NEAR) == []


def test_time_limit_warning_follows_the_programme_threshold(today: date) -> None:
    short = crew(since=days_before(today, 200), time_limit_days=84)
    AlertPolicyFactory.create(programme=short.programme, time_limit_warning_days=30)
    short.episode(start_date=days_before(today, 60))

    [found] = holding(short, today, AlertRule.TIME_LIMIT_NEAR)

    assert (found.reason["days_left"], found.reason["warning_days"]) == (24, 30)


# ---- no recent contact -------------------------------------------------------------------------
def test_no_contact_in_21_days_triggers(team: Crew, today: date) -> None:
    episode = team.episode(start_date=days_before(today, 60))
    contact(episode, days_before(today, 40))
    contact(episode, days_before(today, 21))

    [found] = holding(team, today, AlertRule.NO_RECENT_CONTACT)

    assert found.reason == {
        "last_contact": days_before(today, 21).isoformat(),
        "days_since_contact": 21,
        "days_in_episode": 60,
        "no_contact_days": 21,
    }


def test_episode_without_any_contact_triggers_once_open_long_enough(
    team: Crew, today: date
) -> None:
    team.episode(start_date=days_before(today, 25))

    [found] = holding(team, today, AlertRule.NO_RECENT_CONTACT)

    assert (found.reason["last_contact"], found.reason["days_since_contact"]) == (None, None)


def test_recent_contact_or_a_new_episode_does_not_trigger(team: Crew, today: date) -> None:
    seen = team.episode(start_date=days_before(today, 60))
    contact(seen, days_before(today, 20))
    team.episode(start_date=days_before(today, 20))

    assert holding(team, today, AlertRule.NO_RECENT_CONTACT) == []


# ---- caseload above target ---------------------------------------------------------------------
def test_caseload_above_the_programme_target_triggers_for_the_worker(today: date) -> None:
    small = crew(since=days_before(today, 200), caseload_target=2)
    for _n in range(3):
        small.episode()

    [found] = holding(small, today, AlertRule.CASELOAD_ABOVE_TARGET)

    assert (found.subject_key, found.worker_id, found.episode_id) == (
        f"worker:{small.case_manager.pk}",
        small.case_manager.pk,
        None,
    )
    assert found.reason == {"open_episodes": 3, "target": 2, "over_by": 1}


def test_caseload_at_the_target_does_not_trigger(today: date) -> None:
    small = crew(since=days_before(today, 200), caseload_target=2)
    small.episode()
    small.episode()
    EpisodeFactory.create(
        team=small.team,
        primary_case_manager=small.case_manager,
        status="closed",
        end_date=today,
        discharge_reason="goals_met",
    )

    assert holding(small, today, AlertRule.CASELOAD_ABOVE_TARGET) == []


# ---- supervision not held ----------------------------------------------------------------------
def test_supervision_not_held_triggers_for_the_team_and_each_case_manager(
    team: Crew, today: date
) -> None:
    session(team.team, SupervisionKind.GROUP, days_before(today, 14), [team.case_manager])
    session(team.team, SupervisionKind.INDIVIDUAL, days_before(today, 20), [team.case_manager])

    found = {c.subject_key: c for c in holding(team, today, AlertRule.SUPERVISION_NOT_HELD)}

    assert set(found) == {f"team:{team.team.pk}:group", f"worker:{team.case_manager.pk}:individual"}
    assert found[f"team:{team.team.pk}:group"].reason == {
        "kind": "group",
        "last_held": days_before(today, 14).isoformat(),
        "days_without": 14,
        "gap_days": 14,
    }
    individual = found[f"worker:{team.case_manager.pk}:individual"]
    assert individual.worker_id == team.case_manager.pk
    assert individual.reason["days_without"] == 20


def test_supervision_held_recently_does_not_trigger(team: Crew, today: date) -> None:
    session(team.team, SupervisionKind.GROUP, days_before(today, 13), [team.case_manager])
    session(team.team, SupervisionKind.INDIVIDUAL, days_before(today, 3), [team.case_manager])

    assert holding(team, today, AlertRule.SUPERVISION_NOT_HELD) == []


def test_new_case_manager_is_not_flagged_before_the_gap_has_passed(today: date) -> None:
    team = crew(since=days_before(today, 5))
    newcomer = UserFactory.create()
    MembershipFactory.create(user=newcomer, team=team.team)

    assert holding(team, today, AlertRule.SUPERVISION_NOT_HELD) == []


def test_individual_supervision_of_someone_else_does_not_count(team: Crew, today: date) -> None:
    session(team.team, SupervisionKind.GROUP, days_before(today, 1), [team.case_manager])
    session(team.team, SupervisionKind.INDIVIDUAL, days_before(today, 1), [UserFactory.create()])

    [found] = holding(team, today, AlertRule.SUPERVISION_NOT_HELD)

    assert found.subject_key == f"worker:{team.case_manager.pk}:individual"
