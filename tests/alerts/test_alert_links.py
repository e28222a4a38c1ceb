"""Alerts lead to what they are about: the measure wave, the client, the caseload, supervision."""

from __future__ import annotations

from django.urls import reverse

from tandem.alerts.links import alert_about_url
from tandem.alerts.models import Alert, AlertRule
from tests.alerts.factories import AlertFactory
from tests.conftest import LoginAs, World


def _episode_alert(world: World, **fields: object) -> Alert:
    episode = world.own_client.episodes.get()
    alert: Alert = AlertFactory.create(episode=episode, **fields)
    return alert


def _worker_alert(world: World, rule: str, key: str) -> Alert:
    alert: Alert = AlertFactory.create(
        episode=None,
        client=None,
        team=world.team,
        worker=world.case_manager,
        rule=rule,
        subject_key=key,
        reason={"open_episodes": 3, "target": 2, "over_by": 1},
    )
    return alert


def test_a_late_measure_leads_to_its_wave(world: World) -> None:
    alert = _episode_alert(world)
    administration = alert.reason["administration"]
    expected = reverse("measures:administration", args=[administration])
    assert alert_about_url(alert, world.case_manager) == expected


def test_another_client_alert_leads_to_the_client(world: World) -> None:
    alert = _episode_alert(world, rule=AlertRule.NO_RECENT_CONTACT, reason={"days": 30})
    expected = reverse("clients:client_detail", args=[world.own_client.pk])
    assert alert_about_url(alert, world.supervisor) == expected


def test_a_caseload_alert_leads_the_supervisor_to_the_team_and_the_worker_to_theirs(
    world: World,
) -> None:
    alert = _worker_alert(world, AlertRule.CASELOAD_ABOVE_TARGET, "worker:x")
    team = reverse("clients:team_detail", args=[world.team.pk])
    assert alert_about_url(alert, world.supervisor) == team
    assert alert_about_url(alert, world.case_manager) == reverse("practice:caseload")


def test_supervision_not_held_leads_only_those_who_run_supervision(world: World) -> None:
    alert = _worker_alert(world, AlertRule.SUPERVISION_NOT_HELD, "worker:x:individual")
    assert alert_about_url(alert, world.supervisor) == reverse("practice:supervision")
    assert alert_about_url(alert, world.case_manager) == ""


def test_the_alert_list_links_each_alert_to_what_it_is_about(
    world: World, login_as: LoginAs
) -> None:
    alert = _episode_alert(world, rule=AlertRule.NO_RECENT_CONTACT, reason={"days": 30})
    content = login_as(world.supervisor).get(reverse("alerts:alert_list")).content.decode()
    client = reverse("clients:client_detail", args=[world.own_client.pk])
    assert f'<a href="{client}">{alert.client.display_name}</a>' in content  # type: ignore[union-attr]  # the factory sets the client


def test_the_alert_page_opens_the_late_measure(world: World, login_as: LoginAs) -> None:
    alert = _episode_alert(world)
    page = login_as(world.case_manager).get(reverse("alerts:alert_detail", args=[alert.pk]))
    measure = reverse("measures:administration", args=[alert.reason["administration"]])
    assert f'<a href="{measure}" data-about>' in page.content.decode()
