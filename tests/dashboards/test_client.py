"""The client dashboard: alliance and outcome trends with reliable change, team fidelity, goals
and contacts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from numpy.testing import assert_allclose

from tandem import stats
from tandem.alerts.models import AlertPolicy
from tandem.audit.models import AuditEvent, Outcome
from tandem.clients.models import Client, Episode, EpisodeStatus
from tandem.core.display import day_text
from tandem.dashboards.charts import Panel
from tandem.dashboards.client import ClientDashboard, client_dashboard
from tandem.dashboards.periods import month_start_before
from tandem.fidelity.models import ReviewStatus
from tandem.measures.models import EnteredVia, Response
from tandem.orgs.models import Team
from tandem.practice.models import Contact, ContactMode, GoalStatus
from tests.conftest import LoginAs, World
from tests.dashboards.factories import DOMAIN_CODES, final_review, scale_with_domains
from tests.factories import EpisodeFactory
from tests.practice.factories import GoalFactory, RecoveryPlanFactory


def _episode(world: World) -> Episode:
    return world.own_client.episodes.get(status=EpisodeStatus.OPEN)


def _score(
    client: Client,
    code: str,
    scores: dict[str, float],
    days_ago: int,
    *,
    episode: Episode | None = None,
) -> None:
    Response.objects.create(
        client=client,
        episode=episode or client.episodes.first(),
        instrument_code=code,
        instrument_version="1",
        scores=scores,
        entered_via=EnteredVia.WORKER,
        completed_at=timezone.make_aware(
            datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(10))
        ),
    )


def _dashboard(world: World) -> ClientDashboard:
    return client_dashboard(world.case_manager, world.own_client)


def _scores(world: World) -> None:
    client = world.own_client
    _score(client, "rprs", {"total": 80.0, "total_0_100": 50.0}, 60)
    _score(client, "rprs", {"total": 91.0, "total_0_100": 60.0}, 5)
    _score(client, "mcas", MCAS_FIRST, 50)
    _score(client, "mcas", MCAS_LATEST, 10)
    _score(client, "ors", {"total": 20.0}, 20)


MCAS_FIRST = {
    "interference": 15.0,
    "adjustment": 9.0,
    "social_competence": 14.0,
    "behavioral_problems": 12.0,
    "total": 50.0,
}
MCAS_LATEST = {
    "interference": 17.0,
    "adjustment": 10.0,
    "social_competence": 16.0,
    "behavioral_problems": 15.0,
    "total": 58.0,
}


def test_alliance_comes_first_then_outcome_then_other_instruments(world: World) -> None:
    _scores(world)
    dashboard = _dashboard(world)
    codes = list(dashboard.changes)
    assert codes == ["rprs", "mcas", "ors"]
    assert (dashboard.alliance_instrument, dashboard.outcome_instrument) == ("rprs", "mcas")


def test_alliance_change_is_classified_with_the_reference_norm(world: World) -> None:
    _scores(world)
    change = _dashboard(world).changes["rprs"]
    assert change is not None
    # 80 -> 91 on RPRS (SD 8.1, alpha .96): RCI = 11 / (sqrt(2) * 8.1 * 0.2) = 4.80.
    assert change.category == "improved"
    assert change.rci == pytest.approx(11 / (2**0.5 * 8.1 * 0.2), rel=1e-6)


def test_instrument_without_a_norm_is_not_classified(world: World) -> None:
    _scores(world)
    assert _dashboard(world).changes["mcas"] is None


def test_programme_policy_norm_classifies_the_alliance_instead_of_the_reference(
    world: World,
) -> None:
    _scores(world)
    AlertPolicy.objects.create(
        programme=world.programme, alliance_sd=50.0, alliance_reliability=0.5
    )
    change = _dashboard(world).changes["rprs"]
    assert change is not None
    # 80 -> 91 with SD 50 and reliability .5: RCI = 11 / (sqrt(2) * 50 * sqrt(.5)) = 0.22.
    assert change.category == "no change"
    assert change.rci == pytest.approx(11 / 50, rel=1e-6)


def test_programme_policy_norm_classifies_the_outcome(world: World) -> None:
    _scores(world)
    AlertPolicy.objects.create(programme=world.programme, outcome_sd=2.0, outcome_reliability=0.5)
    change = _dashboard(world).changes["mcas"]
    assert change is not None
    assert change.category == "improved"


def test_programme_policy_chooses_the_outcome_instrument(world: World) -> None:
    _scores(world)
    AlertPolicy.objects.create(programme=world.programme, outcome_instrument="ors")
    assert list(_dashboard(world).changes) == ["rprs", "ors", "mcas"]


def test_score_table_carries_every_score_by_date(world: World) -> None:
    _scores(world)
    alliance, outcome = _dashboard(world).panels[:2]
    assert len(alliance.rows) == 2
    assert alliance.rows[-1][1:] == (91.0, 60.0)
    assert len(outcome.rows) == 2
    assert outcome.rows[-1][1:] == tuple(MCAS_LATEST.values())
    assert "<svg" in alliance.svg


def test_goals_are_counted_by_status_with_dates_achieved(world: World) -> None:
    plan = RecoveryPlanFactory.create(episode=_episode(world))
    GoalFactory.create(plan=plan, status=GoalStatus.ACHIEVED, achieved_on=date(2025, 3, 2))
    GoalFactory.create(plan=plan, status=GoalStatus.ACHIEVED, achieved_on=date(2025, 1, 9))
    GoalFactory.create(plan=plan)
    goals = next(p for p in _dashboard(world).panels if len(p.columns) == 3)
    by_status = {row[0]: row[1:] for row in goals.rows}
    assert by_status[str(GoalStatus.ACHIEVED.label)] == (
        2,
        f"{day_text(date(2025, 1, 9))}, {day_text(date(2025, 3, 2))}",
    )
    assert by_status[str(GoalStatus.ACTIVE.label)] == (1, "")
    assert by_status[str(GoalStatus.SET_ASIDE.label)] == (0, "")


# ---- team fidelity before each measurement -----------------------------------------------------
WINDOWS_DAYS = (90, 180, 270)


def _days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def _reviews(team: Team, totals_by_days_ago: dict[int, float]) -> None:
    """Final reviews whose totals are the given ones (every domain with the same mean)."""
    scale = scale_with_domains(team)
    for days_ago, total in totals_by_days_ago.items():
        final_review(
            team, scale, _days_ago(days_ago), dict.fromkeys(DOMAIN_CODES, total / len(DOMAIN_CODES))
        )


def _fidelity_panel(dashboard: ClientDashboard) -> Panel:
    # Fixed order at the end of the page: team fidelity, goals, contacts.
    return dashboard.panels[-3]


def _expected(totals_by_days_ago: dict[int, float], days_ago: list[int], window_days: int) -> Any:
    """tandem.stats on the review arrays, from long before any window to today."""
    series = stats.interpolate_daily(
        [_days_ago(d) for d in totals_by_days_ago],
        [round(total, 4) for total in totals_by_days_ago.values()],
        start=_days_ago(2000),
        end=timezone.localdate(),
    )
    return stats.exposure(series, [_days_ago(d) for d in days_ago], window_days=window_days).values


# The first review is later than the start of the longest windows: its total is held before it.
TEAM_REVIEWS = {300: 22.0, 100: 31.05, 8: 28.4}


def test_team_fidelity_before_each_measurement_equals_tandem_stats(world: World) -> None:
    _scores(world)
    _reviews(world.team, TEAM_REVIEWS)
    scale = scale_with_domains(world.team)
    not_final = final_review(world.team, scale, _days_ago(40), dict.fromkeys(DOMAIN_CODES, 0.5))
    not_final.status = ReviewStatus.RECONCILING
    not_final.save()
    exposures = _dashboard(world).exposures
    # Alliance and outcome responses only (not ors), oldest first.
    assert [(row.completed_on, row.instrument_code) for row in exposures] == [
        (_days_ago(60), "rprs"),
        (_days_ago(50), "mcas"),
        (_days_ago(10), "mcas"),
        (_days_ago(5), "rprs"),
    ]
    assert {row.team_id for row in exposures} == {world.team.pk}
    for window_days in WINDOWS_DAYS:
        assert_allclose(
            [row.by_window[window_days] for row in exposures],  # type: ignore[arg-type]  # all set
            _expected(TEAM_REVIEWS, [60, 50, 10, 5], window_days),
            rtol=1e-12,
        )


def test_team_fidelity_table_rounds_each_window_mean(world: World) -> None:
    _scores(world)
    _reviews(world.team, TEAM_REVIEWS)
    dashboard = _dashboard(world)
    panel = _fidelity_panel(dashboard)
    assert len(panel.columns) == 6
    assert panel.rows[0][:3] == (
        day_text(_days_ago(60)),
        dashboard.exposures[0].instrument_title,
        world.team.name,
    )
    expected = [_expected(TEAM_REVIEWS, [60, 50, 10, 5], w) for w in WINDOWS_DAYS]
    for i, row in enumerate(panel.rows):
        assert row[3:] == tuple(round(float(values[i]), 1) for values in expected)
    assert "<svg" in panel.svg


def test_each_measurement_uses_the_team_of_its_own_episode(world: World) -> None:
    earlier = EpisodeFactory.create(
        client=world.own_client,
        team=world.other_team,
        status=EpisodeStatus.CLOSED,
        start_date=_days_ago(700),
        end_date=_days_ago(200),
    )
    _score(world.own_client, "rprs", {"total": 70.0}, 250, episode=earlier)
    _score(world.own_client, "rprs", {"total": 80.0}, 5, episode=_episode(world))
    other_reviews = {600: 18.0, 300: 26.0}
    _reviews(world.other_team, other_reviews)
    _reviews(world.team, TEAM_REVIEWS)
    exposures = _dashboard(world).exposures
    assert [row.team_id for row in exposures] == [world.other_team.pk, world.team.pk]
    for window_days in WINDOWS_DAYS:
        assert_allclose(
            [row.by_window[window_days] for row in exposures],  # type: ignore[arg-type]  # all set
            [
                _expected(other_reviews, [250], window_days)[0],
                _expected(TEAM_REVIEWS, [5], window_days)[0],
            ],
            rtol=1e-12,
        )


def test_team_without_a_final_review_gives_empty_cells(world: World) -> None:
    _scores(world)
    scale = scale_with_domains(world.team)
    draft = final_review(world.team, scale, _days_ago(100), dict.fromkeys(DOMAIN_CODES, 3.0))
    draft.status = ReviewStatus.RATING
    draft.save()
    dashboard = _dashboard(world)
    panel = _fidelity_panel(dashboard)
    assert len(panel.rows) == 4
    assert all(row[2] == world.team.name for row in panel.rows)
    assert all(row[3:] == (None, None, None) for row in panel.rows)
    assert all(set(row.by_window.values()) == {None} for row in dashboard.exposures)
    assert panel.svg == ""


def test_team_without_a_final_review_renders_the_page(world: World, login_as: LoginAs) -> None:
    _scores(world)
    http: HttpClient = login_as(world.case_manager)
    response = http.get(reverse("dashboards:client_dashboard", args=[world.own_client.pk]))
    assert response.status_code == 200
    assert response.content.count(b'<section class="panel"') == 6


def _contact(world: World, on: date, mode: str) -> None:
    episode = _episode(world)
    Contact.objects.create(
        client=world.own_client,
        episode=episode,
        worker=world.case_manager,
        occurred_on=on,
        minutes=45,
        mode=mode,
    )


def test_contacts_are_counted_per_month_and_mode(world: World) -> None:
    today = timezone.localdate()
    this_month = today.replace(day=1)
    _contact(world, this_month, ContactMode.COMMUNITY)
    _contact(world, this_month, ContactMode.COMMUNITY)
    _contact(world, this_month, ContactMode.PHONE)
    _contact(world, month_start_before(today, 13), ContactMode.PHONE)  # before the window
    contacts = _dashboard(world).panels[-1]
    assert len(contacts.rows) == 12
    modes = [str(mode.label) for mode in ContactMode]
    last = dict(zip(contacts.columns[1:], contacts.rows[-1][1:], strict=True))
    assert last[modes[0]] == 2
    assert last[str(ContactMode.PHONE.label)] == 1
    assert contacts.rows[-1][-1] == 3
    assert sum(row[-1] for row in contacts.rows) == 3  # type: ignore[misc]  # ints here


def test_case_manager_opens_their_clients_dashboard(world: World, login_as: LoginAs) -> None:
    _scores(world)
    http: HttpClient = login_as(world.case_manager)
    response = http.get(reverse("dashboards:client_dashboard", args=[world.own_client.pk]))
    assert response.status_code == 200
    assert b"<figure" in response.content
    assert b"<caption>" in response.content


def test_client_page_links_to_the_dashboard(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.case_manager)
    response = http.get(reverse("clients:client_detail", args=[world.own_client.pk]))
    url = reverse("dashboards:client_dashboard", args=[world.own_client.pk])
    assert url.encode() in response.content


def test_teammates_client_dashboard_is_not_found(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.case_manager)
    url = reverse("dashboards:client_dashboard", args=[world.team_client.pk])
    assert http.get(url).status_code == 404
    assert AuditEvent.objects.filter(
        object_type="clients.client",
        object_id=str(world.team_client.pk),
        outcome=Outcome.DENIED,
    ).exists()


def test_researcher_gets_not_found(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.researcher)
    url = reverse("dashboards:client_dashboard", args=[world.own_client.pk])
    assert http.get(url).status_code == 404


def test_supervisor_opens_a_team_clients_dashboard(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.supervisor)
    url = reverse("dashboards:client_dashboard", args=[world.team_client.pk])
    assert http.get(url).status_code == 200


def test_client_dashboard_read_is_audited(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.case_manager)
    http.get(reverse("dashboards:client_dashboard", args=[world.own_client.pk]))
    client = world.own_client
    assert AuditEvent.objects.filter(
        object_type="clients.client", object_id=str(client.pk), outcome=Outcome.OK
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="measures.response", object_id=f"client:{client.pk}"
    ).exists()


def _grow(world: World, extra: int) -> None:
    plan = RecoveryPlanFactory.create(episode=_episode(world))
    earlier = EpisodeFactory.create(
        client=world.own_client,
        team=world.other_team,
        status=EpisodeStatus.CLOSED,
        start_date=_days_ago(900),
        end_date=_days_ago(400),
    )
    _reviews(world.team, {30 * i: 20.0 + i % 7 for i in range(extra)})
    _reviews(world.other_team, {400 + 30 * i: 25.0 - i % 5 for i in range(extra)})
    for i in range(extra):
        _score(world.own_client, "mcas", {"total": 60.0}, 450 + i, episode=earlier)
        _score(world.own_client, "rprs", {"total": 80.0 + i % 5}, 100 - i)
        _score(world.own_client, "mcas", {"total": 55.0}, 100 - i)
        _contact(world, timezone.localdate() - timedelta(days=i * 7), ContactMode.OFFICE)
        GoalFactory.create(plan=plan)


@pytest.mark.parametrize("extra", [2, 25])
def test_client_dashboard_queries_do_not_grow_with_the_record(
    world: World, login_as: LoginAs, django_assert_max_num_queries: Any, extra: int
) -> None:
    _grow(world, extra)
    http: HttpClient = login_as(world.case_manager)
    url = reverse("dashboards:client_dashboard", args=[world.own_client.pk])
    # 25 before the team-fidelity panel, which reads every team's final reviews in one query,
    # and the menu's question whether the person belongs to a qualitative project.
    with django_assert_max_num_queries(27):
        assert http.get(url).status_code == 200
