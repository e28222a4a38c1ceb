"""evaluate_alerts: opens, keeps, auto-resolves and escalates alerts; idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from tandem.accounts.models import Role
from tandem.alerts.models import Alert, AlertRule, AlertStatus
from tandem.alerts.services import evaluate_alerts, mark_discussed
from tandem.alerts.tasks import nightly_alerts
from tandem.audit.models import AuditEvent
from tandem.measures.importing import ImportResult, import_responses
from tandem.measures.models import AdministrationStatus
from tandem.measures.registry import get_instrument
from tandem.measures.services import submit_response
from tests.alerts.factories import AlertPolicyFactory, Crew, contact, crew, days_before, scored
from tests.factories import MembershipFactory
from tests.measures.factories import AdministrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def team(today: date) -> Crew:
    # Members since today: no supervision alert yet, so only the condition under test fires.
    return crew(since=today)


def overdue_measure(team: Crew, today: date) -> Alert | None:
    episode = team.episode(start_date=days_before(today, 10))
    AdministrationFactory.create(
        episode=episode, due_date=days_before(today, 2), status=AdministrationStatus.OVERDUE
    )
    evaluate_alerts(today=today, team_ids=[team.team.pk])
    return Alert.objects.filter(rule=AlertRule.MEASURE_OVERDUE).first()


def test_a_new_condition_opens_an_alert_with_an_open_step_by_tandem(
    team: Crew, today: date
) -> None:
    alert = overdue_measure(team, today)

    assert alert is not None
    assert (alert.status, alert.opened_on, alert.team_id) == (AlertStatus.OPEN, today, team.team.pk)
    [step] = alert.steps.all()
    assert (step.status, step.actor) == (AlertStatus.OPEN, None)
    assert AuditEvent.objects.filter(object_type="alerts.alert", object_id=str(alert.pk)).exists()


def test_running_twice_opens_nothing_new(team: Crew, today: date) -> None:
    overdue_measure(team, today)

    counts = evaluate_alerts(today=today, team_ids=[team.team.pk])

    assert counts["opened"] == 0
    assert Alert.objects.count() == 1


def test_an_open_alert_whose_condition_cleared_is_resolved_by_tandem(
    team: Crew, today: date
) -> None:
    alert = overdue_measure(team, today)
    assert alert is not None
    alert.episode.administrations.update(status=AdministrationStatus.COMPLETED)  # type: ignore[union-attr]  # an overdue-measure alert is on an episode

    counts = evaluate_alerts(today=today, team_ids=[team.team.pk])

    alert.refresh_from_db()
    assert counts["resolved"] == 1
    assert alert.status == AlertStatus.RESOLVED
    assert alert.resolved_at is not None
    last = alert.steps.last()
    assert last is not None
    assert (last.status, last.actor, bool(last.note)) == (AlertStatus.RESOLVED, None, True)


def test_a_discussed_alert_is_left_to_people_when_its_condition_clears(
    team: Crew, today: date
) -> None:
    alert = overdue_measure(team, today)
    assert alert is not None
    mark_discussed(actor=team.case_manager, alert=alert, expected_version=alert.version)
    alert.episode.administrations.update(status=AdministrationStatus.COMPLETED)  # type: ignore[union-attr]  # an overdue-measure alert is on an episode

    evaluate_alerts(today=today, team_ids=[team.team.pk])

    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISCUSSED


def test_a_condition_that_returns_after_resolution_opens_a_new_alert(
    team: Crew, today: date
) -> None:
    episode = team.episode(start_date=days_before(today, 30))
    evaluate_alerts(today=today, team_ids=[team.team.pk])
    contact(episode, today)
    evaluate_alerts(today=today, team_ids=[team.team.pk])

    evaluate_alerts(today=today + timedelta(days=21), team_ids=[team.team.pk])

    statuses = list(
        Alert.objects.filter(rule=AlertRule.NO_RECENT_CONTACT)
        .order_by("pk")
        .values_list("status", flat=True)
    )
    assert statuses == [AlertStatus.RESOLVED, AlertStatus.OPEN]


def test_evaluation_for_one_team_leaves_other_teams_alone(team: Crew, today: date) -> None:
    other = crew(since=today)
    other.episode(start_date=days_before(today, 30))

    evaluate_alerts(today=today, team_ids=[team.team.pk])

    assert not Alert.objects.filter(team=other.team).exists()


# ---- escalation --------------------------------------------------------------------------------
def test_an_alert_left_unresolved_is_not_escalated_on_its_last_allowed_day(
    team: Crew, today: date
) -> None:
    AlertPolicyFactory.create(programme=team.programme, escalate_after_days=7)
    overdue_measure(team, today)

    counts = evaluate_alerts(today=today + timedelta(days=7), team_ids=[team.team.pk])

    assert counts["escalated"] == 0
    assert Alert.objects.get().escalated_at is None
    assert mail.outbox == []


def test_an_alert_left_unresolved_past_the_days_goes_to_the_supervisors(
    team: Crew, today: date, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    AlertPolicyFactory.create(programme=team.programme, escalate_after_days=7)
    alert = overdue_measure(team, today)
    assert alert is not None

    with django_capture_on_commit_callbacks(execute=True):
        counts = evaluate_alerts(today=today + timedelta(days=8), team_ids=[team.team.pk])

    alert.refresh_from_db()
    assert counts["escalated"] == 1
    assert alert.escalated_at is not None
    assert alert.steps.count() == 2
    [message] = mail.outbox
    assert message.to == [team.supervisor.email]
    assert f"/alerts/{alert.pk}/" in message.body
    client = alert.client
    assert client is not None
    for personal in (client.given_name, client.family_name, team.case_manager.full_name):
        assert personal not in message.body
        assert personal not in message.subject


def test_an_escalated_alert_is_not_escalated_again(team: Crew, today: date) -> None:
    AlertPolicyFactory.create(programme=team.programme, escalate_after_days=7)
    overdue_measure(team, today)
    evaluate_alerts(today=today + timedelta(days=8), team_ids=[team.team.pk])

    counts = evaluate_alerts(today=today + timedelta(days=9), team_ids=[team.team.pk])

    assert counts["escalated"] == 0


# ---- entry points ------------------------------------------------------------------------------
def test_a_scored_response_re_evaluates_the_score_alerts_of_its_team(
    team: Crew, today: date, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # The MCAS, the default outcome, has no reference values: the programme gives its own.
    AlertPolicyFactory.create(programme=team.programme, outcome_sd=6.0, outcome_reliability=0.9)
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "mcas", days_before(today, 90), total=60)
    answers = {f"q{i}": 3 for i in range(1, 18)}  # total 51: reliably below 60

    with django_capture_on_commit_callbacks(execute=True):
        submit_response(
            actor=team.case_manager, episode=episode, instrument_code="mcas", answers=answers
        )

    alert = Alert.objects.get()
    assert alert.rule == AlertRule.OUTCOME_DETERIORATED
    assert alert.reason["latest"] == 51.0


def _import_one_mcas(team: Crew, today: date, completed_on: str) -> ImportResult:
    """An MCAS of 60 three months ago; then one imported row of 51 (all items 3)."""
    AlertPolicyFactory.create(programme=team.programme, outcome_sd=6.0, outcome_reliability=0.9)
    episode = team.episode(start_date=days_before(today, 100))
    scored(episode, "mcas", days_before(today, 90), total=60)
    manager = MembershipFactory.create(role=Role.PROGRAMME_MANAGER, team=team.team).user
    header = ["episode_id", "completed_on", *[f"q{i}" for i in range(1, 18)]]
    return import_responses(
        actor=manager,
        programme=team.programme,
        instrument=get_instrument("mcas"),
        header=header,
        rows=[[str(episode.pk), completed_on, *["3"] * 17]],
    )


def test_an_import_re_evaluates_the_score_alerts_of_its_teams_once_it_is_stored(
    team: Crew, today: date, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = _import_one_mcas(team, today, days_before(today, 1).isoformat())

    assert result.is_ok
    alert = Alert.objects.get()
    assert alert.rule == AlertRule.OUTCOME_DETERIORATED
    assert alert.reason["latest"] == 51.0


def test_a_refused_import_re_evaluates_nothing(
    team: Crew, today: date, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = _import_one_mcas(team, today, "yesterday")

    assert not result.is_ok
    assert callbacks == []
    assert not Alert.objects.exists()


def test_the_nightly_task_evaluates_every_team(team: Crew, today: date) -> None:
    team.episode(start_date=days_before(today, 30))

    result = nightly_alerts.enqueue()

    assert result.return_value["opened"] >= 1  # type: ignore[index]  # the task ran inline and returned its counts
    assert Alert.objects.filter(rule=AlertRule.NO_RECENT_CONTACT, team=team.team).exists()


def test_the_command_runs_the_evaluation_now(
    team: Crew, today: date, capsys: pytest.CaptureFixture[str]
) -> None:
    team.episode(start_date=days_before(today, 30))

    call_command("alerts", "evaluate")

    assert "opened=" in capsys.readouterr().out
    assert Alert.objects.filter(rule=AlertRule.NO_RECENT_CONTACT).exists()


def test_the_command_can_hand_the_run_to_the_worker(
    team: Crew, today: date, capsys: pytest.CaptureFixture[str]
) -> None:
    team.episode(start_date=days_before(today, 30))

    call_command("alerts", "evaluate", "--enqueue")

    assert "enqueued nightly alerts run" in capsys.readouterr().out
