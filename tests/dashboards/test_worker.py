"""The case manager's dashboard: my clients' alerts, my measures due, my indicators, my contacts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import User
from tandem.alerts.models import Alert, AlertRule, AlertStatus
from tandem.clients.models import Episode
from tandem.core.display import SUPPRESSED
from tandem.dashboards.worker import WorkerDashboard, worker_dashboard
from tandem.fidelity.models import IndicatorValue
from tandem.measures.models import AdministrationStatus
from tandem.orgs.models import Team
from tandem.practice.models import Contact, ContactMode
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory
from tests.measures.factories import AdministrationFactory


def _alert(episode: Episode, rule: str = AlertRule.NO_RECENT_CONTACT, **fields: Any) -> Alert:
    return Alert.objects.create(
        rule=rule,
        team=episode.team,
        episode=episode,
        client=episode.client,
        worker=episode.primary_case_manager,
        subject_key=f"episode:{episode.pk}:{rule}:{fields.get('status', 'open')}",
        reason={"last_contact": None, "days_in_episode": 30, "no_contact_days": 21},
        opened_on=timezone.localdate(),
        **fields,
    )


def _own_episode(world: World) -> Episode:
    return world.own_client.episodes.get()


def _dashboard(world: World) -> WorkerDashboard:
    return worker_dashboard(world.case_manager)


def test_my_open_episodes_carry_their_unresolved_alerts_with_a_reason(world: World) -> None:
    episode = _own_episode(world)
    _alert(episode)
    _alert(episode, AlertRule.MEASURE_OVERDUE, status=AlertStatus.RESOLVED)
    rows = _dashboard(world).episodes
    assert [row.episode.pk for row in rows] == [episode.pk]
    (alert,) = rows[0].alerts
    assert alert.rule == AlertRule.NO_RECENT_CONTACT
    assert "30" in alert.reason


def test_alerts_on_a_teammates_client_are_not_mine(world: World) -> None:
    _alert(world.team_client.episodes.get())
    dashboard = _dashboard(world)
    assert dashboard.open_alert_count == 0


def test_alerts_about_my_work_are_listed_apart(world: World) -> None:
    Alert.objects.create(
        rule=AlertRule.CASELOAD_ABOVE_TARGET,
        team=world.team,
        worker=world.case_manager,
        subject_key=f"worker:{world.case_manager.pk}",
        reason={"open_episodes": 25, "target": 20},
        opened_on=timezone.localdate(),
    )
    dashboard = _dashboard(world)
    assert [a.rule for a in dashboard.worker_alerts] == [AlertRule.CASELOAD_ABOVE_TARGET]
    assert dashboard.open_alert_count == 1


def test_my_overdue_measures_come_before_due_ones(world: World) -> None:
    episode = _own_episode(world)
    today = timezone.localdate()
    overdue = AdministrationFactory.create(
        episode=episode, status=AdministrationStatus.OVERDUE, due_date=today - timedelta(days=3)
    )
    due = AdministrationFactory.create(episode=episode, status=AdministrationStatus.DUE, wave="w2")
    AdministrationFactory.create(episode=episode, status=AdministrationStatus.COMPLETED, wave="w3")
    AdministrationFactory.create(
        episode=world.team_client.episodes.get(), status=AdministrationStatus.OVERDUE
    )
    assert [a.pk for a in _dashboard(world).measures.current] == [overdue.pk, due.pk]


def _indicator(
    team: Team, code: str, value: float, days_ago: int, worker: User | None = None
) -> None:
    IndicatorValue.objects.create(
        team=team,
        worker=worker,
        day=timezone.localdate() - timedelta(days=days_ago),
        code=code,
        value=value,
    )


def test_indicators_show_my_rows_and_my_teams_on_the_latest_day(world: World) -> None:
    _indicator(world.team, "caseload_per_worker", 12.0, 0, worker=world.case_manager)
    _indicator(world.team, "caseload_per_worker", 9.0, 0, worker=world.teammate)
    _indicator(world.team, "caseload_per_worker", 10.5, 0)
    _indicator(world.team, "caseload_per_worker", 99.0, 1)
    _indicator(world.other_team, "caseload_per_worker", 7.0, 0)
    lines = _dashboard(world).indicators
    # Shown as the team indicators page shows them: whole numbers without decimals.
    assert sorted((line.is_mine, line.value) for line in lines) == [(False, "10.5"), (True, "12")]


def test_team_indicator_resting_on_fewer_than_five_clients_is_suppressed(world: World) -> None:
    _indicator(world.team, "community_contact_share", 0.5, 0)
    _indicator(world.team, "community_contact_share", 0.75, 0, worker=world.case_manager)
    lines = {line.is_mine: line.value for line in _dashboard(world).indicators}
    assert lines == {False: SUPPRESSED, True: "75 %"}
    for _ in range(3):
        EpisodeFactory.create(team=world.team, primary_case_manager=world.teammate)
    lines = {line.is_mine: line.value for line in _dashboard(world).indicators}
    assert lines == {False: "50 %", True: "75 %"}


def test_indicators_empty_state_shows_until_the_first_nightly_run(
    world: World, login_as: LoginAs
) -> None:
    http: HttpClient = login_as(world.case_manager)
    response = http.get(reverse("dashboards:my_dashboard"))
    assert response.status_code == 200
    assert response.context["dashboard"].indicators == []
    page = response.content.decode()
    assert "No indicators have been computed for you or your team yet." in page
    assert "data-indicator=" not in page


def _contact(world: World, days_ago: int, mode: str) -> None:
    Contact.objects.create(
        client=world.own_client,
        episode=_own_episode(world),
        worker=world.case_manager,
        occurred_on=timezone.localdate() - timedelta(days=days_ago),
        minutes=30,
        mode=mode,
    )


def test_my_contacts_are_counted_per_week(world: World) -> None:
    _contact(world, 0, ContactMode.COMMUNITY)
    _contact(world, 0, ContactMode.OFFICE)
    _contact(world, 200, ContactMode.OFFICE)  # outside the twelve weeks
    (panel,) = _dashboard(world).panels
    assert len(panel.rows) == 12
    assert panel.rows[-1][-1] == 2
    assert sum(row[-1] for row in panel.rows) == 2  # type: ignore[misc]  # ints here


def test_supervisor_is_refused_the_case_manager_dashboard(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.supervisor)
    assert http.get(reverse("dashboards:my_dashboard")).status_code == 403


def test_navigation_links_the_dashboards_by_role(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.case_manager)
    content = http.get(reverse("practice:caseload")).content
    assert reverse("dashboards:my_dashboard").encode() in content
    http = login_as(world.programme_manager)
    content = http.get(reverse("clients:team_list")).content
    url = reverse("dashboards:programme_dashboard", args=[world.programme.pk])
    assert url.encode() in content


def _grow(world: World, extra: int) -> None:
    for i in range(extra):
        episode = EpisodeFactory.create(team=world.team, primary_case_manager=world.case_manager)
        _alert(episode)
        AdministrationFactory.create(episode=episode, status=AdministrationStatus.OVERDUE)
        Contact.objects.create(
            client=episode.client,
            episode=episode,
            worker=world.case_manager,
            occurred_on=timezone.localdate() - timedelta(days=i),
            minutes=30,
            mode=ContactMode.PHONE,
        )
    _indicator(world.team, "caseload_per_worker", 12.0, 0, worker=world.case_manager)
    _indicator(world.team, "community_contact_share", 0.4, 0)


@pytest.mark.parametrize("extra", [2, 25])
def test_worker_dashboard_queries_do_not_grow_with_the_caseload(
    world: World, login_as: LoginAs, django_assert_max_num_queries: Any, extra: int
) -> None:
    _grow(world, extra)
    http: HttpClient = login_as(world.case_manager)
    with django_assert_max_num_queries(20):
        response = http.get(reverse("dashboards:my_dashboard"))
    assert response.status_code == 200
    assert len(response.context["dashboard"].episodes) == extra + 1


def test_each_alert_leads_to_what_it_is_about_and_to_itself(
    world: World, login_as: LoginAs
) -> None:
    alert = _alert(_own_episode(world))
    content = login_as(world.case_manager).get(reverse("dashboards:my_dashboard")).content.decode()
    client = reverse("clients:client_detail", args=[world.own_client.pk])
    assert f'<a href="{client}">{alert.get_rule_display()}</a>' in content
    assert f'<a href="{reverse("alerts:alert_detail", args=[alert.pk])}">' in content
