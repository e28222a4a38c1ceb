"""People move alerts forward with who and when; stale pages are refused; only forward moves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tandem.accounts.models import User
from tandem.alerts.models import Alert, AlertRule, AlertStatus
from tandem.alerts.services import (
    AlertChangedError,
    agree_action,
    mark_discussed,
    resolve_alert,
)
from tandem.audit.models import AuditEvent
from tandem.clients.models import Client
from tests.alerts.factories import AlertFactory
from tests.conftest import LoginAs, World


def alert_on(client: Client) -> Alert:
    episode = client.episodes.get()
    alert: Alert = AlertFactory.create(episode=episode)
    return alert


def test_case_manager_marks_discussed_then_agrees_then_resolves_with_who_and_when(
    world: World,
) -> None:
    alert = alert_on(world.own_client)
    cm = world.case_manager

    alert = mark_discussed(actor=cm, alert=alert, expected_version=1)
    alert = agree_action(actor=cm, alert=alert, expected_version=2, note="Weekly visits")
    alert = resolve_alert(actor=world.supervisor, alert=alert, expected_version=3, note="Better")

    assert alert.status == AlertStatus.RESOLVED
    assert alert.resolved_at is not None
    steps = list(alert.steps.values_list("status", "actor_id", "note"))
    assert steps == [
        (AlertStatus.OPEN, None, ""),
        (AlertStatus.DISCUSSED, cm.pk, ""),
        (AlertStatus.ACTION_AGREED, cm.pk, "Weekly visits"),
        (AlertStatus.RESOLVED, world.supervisor.pk, "Better"),
    ]
    assert all(step.at is not None for step in alert.steps.all())
    assert (
        AuditEvent.objects.filter(
            object_type="alerts.alert", object_id=str(alert.pk), actor_id=cm.pk
        ).count()
        == 2
    )


def test_agreeing_an_action_needs_what_was_agreed(world: World) -> None:
    alert = alert_on(world.own_client)

    with pytest.raises(ValidationError) as caught:
        agree_action(actor=world.case_manager, alert=alert, expected_version=1, note="  ")

    assert "note" in caught.value.message_dict


def test_an_alert_never_moves_backwards(world: World) -> None:
    alert = alert_on(world.own_client)
    alert = agree_action(actor=world.case_manager, alert=alert, expected_version=1, note="Plan")

    with pytest.raises(ValidationError) as caught:
        mark_discussed(actor=world.case_manager, alert=alert, expected_version=2)

    assert caught.value.error_dict["status"][0].code == "backward"


def test_resolving_is_allowed_straight_from_open(world: World) -> None:
    alert = alert_on(world.own_client)

    alert = resolve_alert(actor=world.programme_manager, alert=alert, expected_version=1)

    assert alert.status == AlertStatus.RESOLVED


def test_a_stale_version_is_refused(world: World) -> None:
    alert = alert_on(world.own_client)
    mark_discussed(actor=world.supervisor, alert=Alert.objects.get(pk=alert.pk), expected_version=1)

    with pytest.raises(AlertChangedError):
        resolve_alert(actor=world.case_manager, alert=alert, expected_version=1)


@pytest.mark.parametrize("who", ["teammate", "other_team_case_manager", "researcher"])
def test_people_without_a_say_on_the_alert_may_not_move_it(world: World, who: str) -> None:
    alert = alert_on(world.own_client)
    person: User = getattr(world, who)

    with pytest.raises(PermissionDenied):
        mark_discussed(actor=person, alert=alert, expected_version=1)


def test_the_worker_an_alert_is_about_may_act_on_it_but_the_programme_manager_may_not(
    world: World,
) -> None:
    alert: Alert = AlertFactory.create(
        episode=None,
        client=None,
        team=world.team,
        worker=world.case_manager,
        rule=AlertRule.CASELOAD_ABOVE_TARGET,
        subject_key=f"worker:{world.case_manager.pk}",
        reason={"open_episodes": 3, "target": 2, "over_by": 1},
    )

    with pytest.raises(PermissionDenied):
        mark_discussed(actor=world.programme_manager, alert=alert, expected_version=1)
    alert = mark_discussed(actor=world.case_manager, alert=alert, expected_version=1)

    assert alert.status == AlertStatus.DISCUSSED


# ---- through the page --------------------------------------------------------------------------
def test_the_page_records_a_step(world: World, login_as: LoginAs) -> None:
    alert = alert_on(world.own_client)
    http = login_as(world.case_manager)

    response = http.post(
        reverse("alerts:alert_detail", args=[alert.pk]),
        {"form": "step", "step": "agreed", "note": "Call on Monday", "version": 1},
    )

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTION_AGREED


def test_the_page_answers_409_when_someone_else_moved_the_alert_first(
    world: World, login_as: LoginAs
) -> None:
    alert = alert_on(world.own_client)
    mark_discussed(actor=world.supervisor, alert=alert, expected_version=1)
    http = login_as(world.case_manager)

    response = http.post(
        reverse("alerts:alert_detail", args=[alert.pk]),
        {"form": "step", "step": "resolved", "note": "Done", "version": 1},
    )

    assert response.status_code == 409
    assert "Done" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISCUSSED


def test_the_page_refuses_an_agreed_action_without_a_note(world: World, login_as: LoginAs) -> None:
    alert = alert_on(world.own_client)
    http = login_as(world.case_manager)

    response = http.post(
        reverse("alerts:alert_detail", args=[alert.pk]),
        {"form": "step", "step": "agreed", "note": "", "version": 1},
    )

    assert response.status_code == 400
    assert "note" in response.context["step_form"].errors


def test_the_detail_page_shows_the_history(world: World, login_as: LoginAs) -> None:
    alert = alert_on(world.own_client)
    mark_discussed(actor=world.case_manager, alert=alert, expected_version=1, note="Talked")
    http = login_as(world.supervisor)

    response = http.get(reverse("alerts:alert_detail", args=[alert.pk]))

    assert response.status_code == 200
    assert [s.status for s in response.context["steps"]] == [
        AlertStatus.OPEN,
        AlertStatus.DISCUSSED,
    ]
    assert AuditEvent.objects.filter(
        object_type="alerts.alert", object_id=str(alert.pk), actor_id=world.supervisor.pk
    ).exists()
