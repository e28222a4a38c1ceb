"""The score rules: each triggers on its condition, with exact reasons, and stays quiet without."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from tandem.alerts.models import AlertRule
from tandem.alerts.rules import Condition, conditions_holding, context_for
from tests.alerts.factories import AlertPolicyFactory, Crew, crew, days_before, scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def team(today: date) -> Crew:
    return crew(since=days_before(today, 200))


def holding(team: Crew, today: date, rule: AlertRule) -> list[Condition]:
    return conditions_holding(context_for(today=today, team_ids=[team.team.pk]), rules=[rule])


def outcome_norm(team: Crew) -> None:
    """The programme's SD and reliability for the default outcome, the MCAS (no reference ones)."""
    AlertPolicyFactory.create(programme=team.programme, outcome_sd=6.0, outcome_reliability=0.9)


# ---- alliance drop -----------------------------------------------------------------------------
def test_alliance_drop_beyond_the_reliable_change_amount_triggers(team: Crew, today: date) -> None:
    AlertPolicyFactory.create(programme=team.programme, alliance_sd=6.0, alliance_reliability=0.9)
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "rprs", days_before(today, 60), total=50)
    scored(episode, "rprs", days_before(today, 30), total=51)
    latest = scored(episode, "rprs", days_before(today, 1), total=43)

    [found] = holding(team, today, AlertRule.ALLIANCE_DROP)

    assert found.subject_key == f"episode:{episode.pk}"
    assert (found.episode_id, found.client_id, found.worker_id) == (
        episode.pk,
        episode.client_id,
        team.case_manager.pk,
    )
    assert found.reason == {
        "instrument": "rprs",
        "score": "total",
        "change": -8.0,
        "threshold": 5.26,
        "rci": -2.98,
        "previous": 51.0,
        "latest": 43.0,
        "response": latest.pk,
    }


def test_alliance_drop_smaller_than_the_reliable_change_amount_does_not(
    team: Crew, today: date
) -> None:
    AlertPolicyFactory.create(programme=team.programme, alliance_sd=6.0, alliance_reliability=0.9)
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "rprs", days_before(today, 30), total=50)
    # 5 points: beyond the RPRS reference amount (4.49) but within the policy's (5.26).
    scored(episode, "rprs", days_before(today, 1), total=45)

    assert holding(team, today, AlertRule.ALLIANCE_DROP) == []


def test_alliance_rule_does_not_apply_to_an_instrument_without_reference_values(
    team: Crew, today: date
) -> None:
    AlertPolicyFactory.create(programme=team.programme, alliance_instrument="wai_sr")
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "wai_sr", days_before(today, 30), total=60)
    scored(episode, "wai_sr", days_before(today, 1), total=12)

    assert holding(team, today, AlertRule.ALLIANCE_DROP) == []


def test_alliance_drop_uses_reference_values_when_the_policy_leaves_them_empty(
    team: Crew, today: date
) -> None:
    AlertPolicyFactory.create(programme=team.programme)
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "rprs", days_before(today, 30), total=80)
    scored(episode, "rprs", days_before(today, 1), total=74)

    [found] = holding(team, today, AlertRule.ALLIANCE_DROP)

    assert (found.reason["instrument"], found.reason["threshold"]) == ("rprs", 4.49)


def test_without_a_policy_the_rprs_is_the_alliance_with_its_reference_values(
    team: Crew, today: date
) -> None:
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "rprs", days_before(today, 30), total=80)
    scored(episode, "rprs", days_before(today, 1), total=74)

    [found] = holding(team, today, AlertRule.ALLIANCE_DROP)

    assert (found.reason["instrument"], found.reason["threshold"]) == ("rprs", 4.49)


def test_a_falling_rprs_is_not_judged_as_the_outcome(team: Crew, today: date) -> None:
    outcome_norm(team)
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "rprs", days_before(today, 90), total=90)
    scored(episode, "rprs", days_before(today, 1), total=40)

    assert holding(team, today, AlertRule.OUTCOME_DETERIORATED) == []


# ---- outcome deteriorated ----------------------------------------------------------------------
def test_outcome_reliably_worse_than_baseline_triggers(team: Crew, today: date) -> None:
    outcome_norm(team)
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "mcas", days_before(today, 90), total=60)
    scored(episode, "mcas", days_before(today, 40), total=65)
    scored(episode, "mcas", days_before(today, 1), total=52)

    [found] = holding(team, today, AlertRule.OUTCOME_DETERIORATED)

    assert found.subject_key == f"episode:{episode.pk}"
    assert found.reason == {
        "instrument": "mcas",
        "score": "total",
        "change": -8.0,
        "threshold": 5.26,
        "rci": -2.98,
        "baseline": 60.0,
        "latest": 52.0,
        "responses": 3,
    }


def test_the_default_outcome_has_no_reliable_change_amount_without_the_programmes_values(
    team: Crew, today: date
) -> None:
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "mcas", days_before(today, 90), total=80)
    scored(episode, "mcas", days_before(today, 1), total=20)

    assert holding(team, today, AlertRule.OUTCOME_DETERIORATED) == []


def test_outcome_that_rose_does_not_trigger_on_a_higher_is_better_instrument(
    team: Crew, today: date
) -> None:
    outcome_norm(team)
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "mcas", days_before(today, 90), total=50)
    scored(episode, "mcas", days_before(today, 1), total=70)

    assert holding(team, today, AlertRule.OUTCOME_DETERIORATED) == []


def test_outcome_rising_on_a_lower_is_better_instrument_triggers(team: Crew, today: date) -> None:
    AlertPolicyFactory.create(
        programme=team.programme,
        outcome_instrument="cansas",
        outcome_sd=3.0,
        outcome_reliability=0.8,
    )
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "cansas", days_before(today, 90), total=5)
    scored(episode, "cansas", days_before(today, 1), total=10)

    [found] = holding(team, today, AlertRule.OUTCOME_DETERIORATED)

    assert (found.reason["baseline"], found.reason["latest"]) == (5.0, 10.0)


def test_outcome_with_a_single_score_does_not_trigger(team: Crew, today: date) -> None:
    outcome_norm(team)
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "mcas", days_before(today, 1), total=30)

    assert holding(team, today, AlertRule.OUTCOME_DETERIORATED) == []


# ---- not on track ------------------------------------------------------------------------------
@pytest.fixture
def short_term(today: date) -> Crew:
    return crew(since=days_before(today, 200), time_limit_days=84)


def test_time_limited_episode_past_midway_without_reliable_improvement_triggers(
    short_term: Crew, today: date
) -> None:
    outcome_norm(short_term)
    episode = short_term.episode(start_date=days_before(today, 42))
    scored(episode, "mcas", days_before(today, 40), total=70)
    scored(episode, "mcas", days_before(today, 2), total=73)

    [found] = holding(short_term, today, AlertRule.NOT_ON_TRACK)

    assert found.reason == {
        "instrument": "mcas",
        "score": "total",
        "change": 3.0,
        "threshold": 5.26,
        "rci": 1.12,
        "baseline": 70.0,
        "latest": 73.0,
        "responses": 2,
        "days_in_episode": 42,
        "time_limit_days": 84,
    }


def test_time_limited_episode_with_reliable_improvement_is_on_track(
    short_term: Crew, today: date
) -> None:
    outcome_norm(short_term)
    episode = short_term.episode(start_date=days_before(today, 50))
    scored(episode, "mcas", days_before(today, 48), total=70)
    scored(episode, "mcas", days_before(today, 2), total=80)

    assert holding(short_term, today, AlertRule.NOT_ON_TRACK) == []


def test_time_limited_episode_before_midway_is_not_judged(short_term: Crew, today: date) -> None:
    outcome_norm(short_term)
    episode = short_term.episode(start_date=days_before(today, 41))
    scored(episode, "mcas", days_before(today, 40), total=70)

    assert holding(short_term, today, AlertRule.NOT_ON_TRACK) == []


def test_ongoing_episode_is_never_off_track(team: Crew, today: date) -> None:
    outcome_norm(team)
    episode = team.episode(start_date=days_before(today, 400))
    scored(episode, "mcas", days_before(today, 390), total=70)

    assert holding(team, today, AlertRule.NOT_ON_TRACK) == []


def test_baseline_only_at_midway_counts_as_no_improvement(short_term: Crew, today: date) -> None:
    outcome_norm(short_term)
    episode = short_term.episode(start_date=days_before(today, 60))
    scored(episode, "mcas", days_before(today, 59), total=70)

    [found] = holding(short_term, today, AlertRule.NOT_ON_TRACK)

    assert (found.reason["responses"], found.reason["rci"]) == (1, 0.0)
