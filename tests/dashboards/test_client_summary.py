"""The summary at the top of the client page: what to do now first, then the plan in short."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.alerts.models import Alert, AlertRule
from tandem.clients.models import Episode
from tandem.dashboards.summary import client_summary
from tandem.measures.models import AdministrationStatus
from tandem.practice.models import (
    Contact,
    ContactMode,
    DomainEntry,
    GoalStatus,
    LifeDomain,
    StepStatus,
    StrengthsAssessment,
)
from tests.conftest import LoginAs, World
from tests.dashboards.factories import completed_response
from tests.measures.factories import AdministrationFactory
from tests.practice.factories import GoalFactory, RecoveryPlanFactory, StepFactory


def _episode(world: World) -> Episode:
    episode: Episode = world.own_client.episodes.get()
    return episode


def _plan_with_steps(episode: Episode, dues: list[int]) -> None:
    plan = RecoveryPlanFactory.create(episode=episode, vision="A home of my own")
    goal = GoalFactory.create(plan=plan)
    today = timezone.localdate()
    for days in dues:
        StepFactory.create(goal=goal, action=f"Step in {days} days", due_on=today + timedelta(days))
    StepFactory.create(goal=goal, action="Done already", status=StepStatus.DONE)
    GoalFactory.create(plan=plan, own_words="An old goal", status=GoalStatus.ACHIEVED)


def _page(world: World, login_as: LoginAs) -> str:
    url = reverse("clients:client_detail", args=[world.own_client.pk])
    response = login_as(world.case_manager).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_next_three_planned_steps_come_soonest_first(world: World) -> None:
    _plan_with_steps(_episode(world), [9, -2, 4, 30])
    summary = client_summary(world.case_manager, world.own_client)
    assert [s.action for s in summary.next_steps] == [
        "Step in -2 days",
        "Step in 4 days",
        "Step in 9 days",
    ]
    assert summary.steps_planned == 4
    assert [g.own_words for g in summary.goals] == ["I want to work with animals again."]


def test_overdue_measures_come_before_due_and_missed_ones(world: World) -> None:
    episode = _episode(world)
    today = timezone.localdate()
    missed = AdministrationFactory.create(
        episode=episode, status=AdministrationStatus.MISSED, due_date=today - timedelta(60)
    )
    # Missed long ago: folded on the measures section, not among what to act on today.
    AdministrationFactory.create(
        episode=episode,
        wave="month 18",
        status=AdministrationStatus.MISSED,
        due_date=today - timedelta(400),
    )
    due = AdministrationFactory.create(episode=episode, wave="month 4.5", due_date=today)
    overdue = AdministrationFactory.create(
        episode=episode,
        wave="month 9",
        status=AdministrationStatus.OVERDUE,
        due_date=today - timedelta(20),
    )
    AdministrationFactory.create(
        episode=episode, wave="month 13.5", status=AdministrationStatus.COMPLETED
    )
    summary = client_summary(world.case_manager, world.own_client)
    assert [a.pk for a in summary.measures] == [overdue.pk, due.pk, missed.pk]
    assert summary.measures_waiting == 3


def test_open_alerts_lead_to_what_they_are_about(world: World, login_as: LoginAs) -> None:
    episode = _episode(world)
    measure = AdministrationFactory.create(episode=episode, status=AdministrationStatus.OVERDUE)
    Alert.objects.create(
        rule=AlertRule.MEASURE_OVERDUE,
        team=episode.team,
        episode=episode,
        client=episode.client,
        worker=episode.primary_case_manager,
        subject_key=f"episode:{episode.pk}:administration:{measure.pk}",
        reason={"administration": measure.pk, "instrument": "rprs", "days_overdue": 3},
        opened_on=timezone.localdate(),
    )
    content = _page(world, login_as)
    link = reverse("measures:administration", args=[measure.pk])
    assert f'<a href="{link}">{AlertRule.MEASURE_OVERDUE.label}</a>' in content


def test_what_needs_doing_comes_before_the_demographics(world: World, login_as: LoginAs) -> None:
    _plan_with_steps(_episode(world), [3])
    content = _page(world, login_as)
    steps = content.index('data-summary="steps"')
    assert steps < content.index('data-summary="measures"') < content.index('data-summary="alerts"')
    assert content.index('data-summary="alerts"') < content.index('id="demographics-heading"')
    step_link = reverse("practice:plan", args=[world.own_client.pk])
    assert f'href="{step_link}#step-status-' in content


def test_strengths_contacts_and_scores_are_summarised(world: World, login_as: LoginAs) -> None:
    episode = _episode(world)
    assessment = StrengthsAssessment.objects.create(
        client=episode.client,
        episode=episode,
        assessed_on=date(2026, 1, 10),
        author=world.case_manager,
    )
    DomainEntry.objects.create(
        assessment=assessment, domain=LifeDomain.VOCATIONAL, wants="To train as a baker"
    )
    DomainEntry.objects.create(assessment=assessment, domain=LifeDomain.HEALTH)
    Contact.objects.create(
        client=episode.client,
        episode=episode,
        worker=world.case_manager,
        occurred_on=timezone.localdate(),
        minutes=45,
        mode=ContactMode.COMMUNITY,
        with_whom="client",
    )
    completed_response(episode, "rprs", date(2026, 1, 5), 80.0)
    completed_response(episode, "rprs", date(2026, 4, 5), 95.0)
    summary = client_summary(world.case_manager, world.own_client)
    assert [e.wants for e in summary.strengths] == ["To train as a baker"]
    assert [c.minutes for c in summary.contacts] == [45]
    (alliance,) = summary.scores
    assert (alliance.role, alliance.latest, alliance.change_category) == (
        "alliance",
        95.0,
        "improved",
    )
    content = _page(world, login_as)
    assert "To train as a baker" in content
    assert 'data-summary="alliance"' in content
    assert "Reliably improved since the first score." in content


def test_an_empty_record_says_what_to_do(world: World, login_as: LoginAs) -> None:
    content = _page(world, login_as)
    assert "Plan the next step with the client" in content
    assert "No measure is due." in content
    assert "No open alert." in content
    assert "No Strengths Assessment yet." in content
    assert "No alliance or outcome score yet" in content


def test_the_supervisor_sees_the_summary_of_a_team_client(world: World, login_as: LoginAs) -> None:
    url = reverse("clients:client_detail", args=[world.team_client.pk])
    content = login_as(world.supervisor).get(url).content.decode()
    assert 'data-summary="steps"' in content


def _queries_for_page(world: World, login_as: LoginAs) -> int:
    http = login_as(world.case_manager)
    url = reverse("clients:client_detail", args=[world.own_client.pk])
    http.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_client_page_costs_the_same_queries_however_full_the_record(
    world: World, login_as: LoginAs
) -> None:
    episode = _episode(world)
    _plan_with_steps(episode, [1])
    AdministrationFactory.create(episode=episode)
    completed_response(episode, "rprs", date(2026, 1, 1), 80.0)
    small = _queries_for_page(world, login_as)
    goal = episode.recovery_plan.goals.first()
    for k in range(1, 6):
        StepFactory.create(goal=goal, action=f"Step {k}")
        AdministrationFactory.create(episode=episode, wave=f"month {k}")
        completed_response(episode, "rprs", date(2026, 1, 1) + timedelta(days=30 * k), 80.0 + k)
    # Five more steps, measures and scores: not one query more.
    assert _queries_for_page(world, login_as) == small
    # Most are the audit trail: each read of the record appends one chained event (summary,
    # measures, supervision advice, each audited on its own) and the research consent panel.
    assert small <= 84
