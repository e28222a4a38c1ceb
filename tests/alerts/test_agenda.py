"""The supervision agenda: put an alert on it, read it beside the plan, record a decision."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tandem.alerts.models import AgendaItem, Alert, AlertStatus
from tandem.alerts.services import mark_discussed, put_on_agenda, record_agenda_decision
from tandem.audit.models import AuditEvent
from tandem.practice.models import GoalStatus, SupervisionKind
from tests.alerts.factories import AlertFactory
from tests.conftest import LoginAs, World
from tests.practice.factories import GoalFactory, RecoveryPlanFactory, StepFactory, session_in


def own_alert(world: World) -> Alert:
    alert: Alert = AlertFactory.create(episode=world.own_client.episodes.get())
    return alert


def test_case_manager_puts_an_alert_on_the_group_agenda(world: World) -> None:
    alert = own_alert(world)

    item = put_on_agenda(actor=world.case_manager, alert=alert, kind=SupervisionKind.GROUP)

    assert (item.team_id, item.kind, item.added_by_id) == (
        world.team.pk,
        SupervisionKind.GROUP,
        world.case_manager.pk,
    )
    assert AuditEvent.objects.filter(
        object_type="alerts.agendaitem", object_id=str(item.pk)
    ).exists()


def test_the_same_alert_is_pending_once_per_kind_of_supervision(world: World) -> None:
    alert = own_alert(world)
    put_on_agenda(actor=world.case_manager, alert=alert, kind=SupervisionKind.GROUP)

    with pytest.raises(ValidationError) as caught:
        put_on_agenda(actor=world.supervisor, alert=alert, kind=SupervisionKind.GROUP)
    put_on_agenda(actor=world.supervisor, alert=alert, kind=SupervisionKind.INDIVIDUAL)

    assert caught.value.error_dict["kind"][0].code == "duplicate"
    assert AgendaItem.objects.count() == 2


def test_a_teammate_may_not_put_someone_elses_client_on_the_agenda(world: World) -> None:
    with pytest.raises(PermissionDenied):
        put_on_agenda(actor=world.teammate, alert=own_alert(world), kind=SupervisionKind.GROUP)


def test_the_agenda_shows_the_item_beside_the_recovery_plan(
    world: World, login_as: LoginAs
) -> None:
    alert = own_alert(world)
    plan = RecoveryPlanFactory.create(episode=alert.episode, vision="A home of my own")
    goal = GoalFactory.create(plan=plan, own_words="Find a flat")
    GoalFactory.create(plan=plan, own_words="Old goal", status=GoalStatus.SET_ASIDE)
    StepFactory.create(goal=goal, action="Visit the housing office")
    put_on_agenda(actor=world.case_manager, alert=alert, kind=SupervisionKind.GROUP)

    response = login_as(world.supervisor).get(reverse("alerts:agenda", args=[world.team.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("A home of my own", "Find a flat", "Visit the housing office"):
        assert shown in page
    assert "Old goal" not in page
    assert AuditEvent.objects.filter(
        object_type="practice.recoveryplan", object_id=str(plan.pk), actor_id=world.supervisor.pk
    ).exists()


def test_recording_a_decision_links_the_session_and_moves_the_alert(
    world: World, login_as: LoginAs
) -> None:
    alert = own_alert(world)
    item = put_on_agenda(actor=world.case_manager, alert=alert, kind=SupervisionKind.GROUP)
    held = session_in(world.team)

    response = login_as(world.supervisor).post(
        reverse("alerts:agenda", args=[world.team.pk]),
        {
            "item": item.pk,
            "version": alert.version,
            "decision": "Two community visits a week",
            "outcome": AlertStatus.ACTION_AGREED,
            "session": held.pk,
        },
    )

    assert response.status_code == 302
    item.refresh_from_db()
    alert.refresh_from_db()
    assert (item.decision, item.session_id, item.decided_by_id) == (
        "Two community visits a week",
        held.pk,
        world.supervisor.pk,
    )
    assert item.decided_at is not None
    assert alert.status == AlertStatus.ACTION_AGREED
    step = alert.steps.last()
    assert step is not None
    assert (step.actor_id, step.note) == (world.supervisor.pk, "Two community visits a week")


def test_a_decision_cannot_point_at_another_teams_session(world: World) -> None:
    alert = own_alert(world)
    item = put_on_agenda(actor=world.case_manager, alert=alert, kind=SupervisionKind.GROUP)

    with pytest.raises(ValidationError) as caught:
        record_agenda_decision(
            actor=world.supervisor,
            item=item,
            decision="Talk again",
            outcome=AlertStatus.DISCUSSED,
            session=session_in(world.other_team),
            expected_version=alert.version,
        )

    assert "session" in caught.value.message_dict


def test_a_decision_on_an_alert_already_further_along_keeps_its_status(world: World) -> None:
    alert = own_alert(world)
    item = put_on_agenda(actor=world.case_manager, alert=alert, kind=SupervisionKind.GROUP)
    alert.status = AlertStatus.ACTION_AGREED
    alert.save()

    record_agenda_decision(
        actor=world.supervisor,
        item=item,
        decision="Keep going",
        outcome=AlertStatus.DISCUSSED,
        expected_version=alert.version,
    )

    alert.refresh_from_db()
    item.refresh_from_db()
    assert alert.status == AlertStatus.ACTION_AGREED
    assert item.decision == "Keep going"


def test_a_decision_form_left_empty_names_the_field(world: World, login_as: LoginAs) -> None:
    alert = own_alert(world)
    item = put_on_agenda(actor=world.case_manager, alert=alert, kind=SupervisionKind.GROUP)

    response = login_as(world.supervisor).post(
        reverse("alerts:agenda", args=[world.team.pk]),
        {"item": item.pk, "version": alert.version, "decision": "", "outcome": "discussed"},
    )

    assert response.status_code == 400
    item.refresh_from_db()
    assert item.decided_at is None


def test_the_session_page_links_to_the_agenda(world: World, login_as: LoginAs) -> None:
    held = session_in(world.team)

    response = login_as(world.supervisor).get(reverse("practice:session_detail", args=[held.pk]))

    assert reverse("alerts:agenda", args=[world.team.pk]) in response.content.decode()


def test_a_decision_on_an_alert_moved_meanwhile_answers_409(
    world: World, login_as: LoginAs
) -> None:
    alert = own_alert(world)
    item = put_on_agenda(actor=world.case_manager, alert=alert, kind=SupervisionKind.GROUP)
    mark_discussed(actor=world.case_manager, alert=alert, expected_version=1)

    response = login_as(world.supervisor).post(
        reverse("alerts:agenda", args=[world.team.pk]),
        {"item": item.pk, "version": 1, "decision": "Call weekly", "outcome": "action_agreed"},
    )

    assert response.status_code == 409
    assert "Call weekly" in response.content.decode()
    item.refresh_from_db()
    assert item.decided_at is None
