"""The alert list, the thresholds page and who may reach them."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tandem.alerts.models import Alert, AlertPolicy, AlertRule
from tandem.alerts.selectors import alerts_visible_to, open_alerts_by_episode
from tandem.clients.models import Episode
from tests.alerts.factories import AlertFactory
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory


def alert_on(episode: Episode, **fields: object) -> Alert:
    alert: Alert = AlertFactory.create(episode=episode, **fields)
    return alert


def episode_of(world: World, name: str) -> Episode:
    episode: Episode = getattr(world, name).episodes.get()
    return episode


def worker_alert(world: World) -> Alert:
    alert: Alert = AlertFactory.create(
        episode=None,
        client=None,
        team=world.team,
        worker=world.case_manager,
        rule=AlertRule.CASELOAD_ABOVE_TARGET,
        subject_key=f"worker:{world.case_manager.pk}",
        reason={"open_episodes": 3, "target": 2, "over_by": 1},
    )
    return alert


def test_case_manager_sees_alerts_on_own_clients_and_about_themselves(world: World) -> None:
    mine = alert_on(episode_of(world, "own_client"))
    about_me = worker_alert(world)
    alert_on(episode_of(world, "team_client"))
    alert_on(episode_of(world, "other_agency_client"))

    visible = set(alerts_visible_to(world.case_manager))

    assert visible == {mine, about_me}


def test_supervisor_sees_the_team_and_programme_manager_the_programme(world: World) -> None:
    own = alert_on(episode_of(world, "own_client"))
    team = alert_on(episode_of(world, "team_client"))
    other_team = alert_on(episode_of(world, "other_team_client"))
    alert_on(episode_of(world, "other_agency_client"))

    assert set(alerts_visible_to(world.supervisor)) == {own, team}
    assert set(alerts_visible_to(world.programme_manager)) == {own, team, other_team}
    assert set(alerts_visible_to(world.researcher)) == set()


def test_the_list_reads_a_constant_number_of_queries(
    world: World, login_as: LoginAs, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _n in range(12):
        alert_on(EpisodeFactory.create(team=world.team, primary_case_manager=world.teammate))
    http = login_as(world.supervisor)

    # 15 whatever the number of alerts: one of them is the menu asking whether the supervisor
    # belongs to a qualitative project.
    with django_assert_max_num_queries(15):
        response = http.get(reverse("alerts:alert_list"))

    assert response.status_code == 200
    assert len(response.context["rows"]) == 12


def test_the_escalated_filter_shows_only_alerts_sent_to_the_supervisor(
    world: World, login_as: LoginAs
) -> None:
    sent = alert_on(episode_of(world, "own_client"), escalated_at=timezone.now())
    alert_on(episode_of(world, "team_client"))

    response = login_as(world.supervisor).get(reverse("alerts:alert_list") + "?escalated=1")

    assert [alert for alert, _reason, _about in response.context["rows"]] == [sent]


def test_resolved_alerts_are_left_out_unless_asked_for(world: World, login_as: LoginAs) -> None:
    alert_on(episode_of(world, "own_client"), status="resolved", resolved_at=timezone.now())
    http = login_as(world.case_manager)

    assert http.get(reverse("alerts:alert_list")).context["rows"] == []
    assert len(http.get(reverse("alerts:alert_list") + "?status=all").context["rows"]) == 1


def test_an_outsider_gets_404_for_an_alert(world: World, login_as: LoginAs) -> None:
    alert = alert_on(episode_of(world, "team_client"))

    response = login_as(world.case_manager).get(reverse("alerts:alert_detail", args=[alert.pk]))

    assert response.status_code == 404


def test_a_role_without_client_records_gets_403_for_alerts(world: World, login_as: LoginAs) -> None:
    alert = alert_on(episode_of(world, "own_client"))
    http = login_as(world.researcher)

    assert http.get(reverse("alerts:alert_list")).status_code == 403
    assert http.get(reverse("alerts:alert_detail", args=[alert.pk])).status_code == 403


def test_the_agenda_is_for_supervisors_of_the_team(world: World, login_as: LoginAs) -> None:
    url = reverse("alerts:agenda", args=[world.other_team.pk])

    assert login_as(world.case_manager).get(url).status_code == 403
    assert login_as(world.supervisor).get(url).status_code == 404


def test_open_alerts_by_episode_reads_one_query(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    own, team = episode_of(world, "own_client"), episode_of(world, "team_client")
    first = alert_on(own)
    alert_on(own, status="resolved", resolved_at=timezone.now())
    second = alert_on(team)

    with django_assert_num_queries(1):
        found = open_alerts_by_episode([own.pk, team.pk])

    assert found == {own.pk: [first], team.pk: [second]}


# ---- thresholds ---------------------------------------------------------------------------------
def thresholds_url(world: World) -> str:
    return reverse("alerts:thresholds", args=[world.programme.pk])


def valid_thresholds(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "alliance_instrument": "rprs",
        "alliance_sd": "6.0",
        "alliance_reliability": "0.9",
        "outcome_instrument": "mcas",
        "outcome_sd": "",
        "outcome_reliability": "",
        "time_limit_warning_days": "21",
        "no_contact_days": "14",
        "supervision_gap_days": "14",
        "escalate_after_days": "10",
    }
    values.update(changes)
    return values


def test_programme_manager_saves_the_thresholds(world: World, login_as: LoginAs) -> None:
    response = login_as(world.programme_manager).post(thresholds_url(world), valid_thresholds())

    assert response.status_code == 302
    policy = AlertPolicy.objects.get(programme=world.programme)
    assert (policy.alliance_sd, policy.no_contact_days, policy.escalate_after_days) == (6.0, 14, 10)


def test_new_thresholds_offer_the_rprs_as_alliance_and_the_mcas_as_outcome(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.programme_manager).get(thresholds_url(world))

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["alliance_instrument"].value(), form["outcome_instrument"].value()) == (
        "rprs",
        "mcas",
    )


def test_an_sd_without_its_reliability_is_refused_naming_the_field(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.programme_manager).post(
        thresholds_url(world), valid_thresholds(alliance_reliability="", no_contact_days="0")
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"alliance_reliability", "no_contact_days"} <= set(errors)
    assert response.context["form"]["alliance_sd"].value() == "6.0"
    assert not AlertPolicy.objects.exists()


def test_an_unknown_instrument_is_refused(world: World, login_as: LoginAs) -> None:
    response = login_as(world.programme_manager).post(
        thresholds_url(world), valid_thresholds(outcome_instrument="nope")
    )

    assert response.status_code == 400
    assert "outcome_instrument" in response.context["form"].errors


def test_the_thresholds_page_is_for_the_programme_manager(world: World, login_as: LoginAs) -> None:
    assert login_as(world.supervisor).get(thresholds_url(world)).status_code == 403
    other = reverse("alerts:thresholds", args=[world.other_agency_team.programme_id])
    assert login_as(world.programme_manager).get(other).status_code == 404
