"""The team dashboard: who may see it, what its four panels show, and what it costs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tandem.audit.models import Action, AuditEvent
from tandem.core.display import SUPPRESSED
from tandem.dashboards.periods import default_period, months_before
from tandem.dashboards.team import team_dashboard
from tandem.dashboards.team_indicators import (
    IndicatorMove,
    has_drifted,
    indicator_rows,
    indicator_targets,
    normalised,
)
from tandem.fidelity.indicators import definitions as d
from tandem.orgs.models import Team
from tests.conftest import LoginAs, World
from tests.dashboards.factories import (
    caseload,
    completed_response,
    indicator,
    scale_with_domains,
    uniform_review,
)
from tests.factories import EpisodeFactory

START = date(2025, 1, 1)
END = date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _no_chart_drawn_yet() -> None:
    # Charts are cached by what they draw: a test starts with none, whatever ran before it.
    cache.clear()


def url(team: Team) -> str:
    return reverse("dashboards:team_dashboard", args=[team.pk])


def clients_with_scores(team: Team, world: World, scores: list[float], on: date) -> None:
    """One client each with an RPRS total (the alliance, the first outcomes panel) of ``score``."""
    for score in scores:
        episode = EpisodeFactory.create(team=team, primary_case_manager=world.case_manager)
        completed_response(episode, "rprs", on, score)


# ---- access -----------------------------------------------------------------------------------
def test_supervisor_sees_the_team_dashboard(world: World, login_as: LoginAs) -> None:
    response = login_as(world.supervisor).get(url(world.team))
    assert response.status_code == 200
    assert response.context["dashboard"].team == world.team


def test_programme_manager_sees_the_dashboard_of_a_team_of_their_programme(
    world: World, login_as: LoginAs
) -> None:
    assert login_as(world.programme_manager).get(url(world.other_team)).status_code == 200


def test_case_manager_is_refused_the_team_dashboard(world: World, login_as: LoginAs) -> None:
    assert login_as(world.case_manager).get(url(world.team)).status_code == 403


def test_supervisor_gets_404_for_another_teams_dashboard(world: World, login_as: LoginAs) -> None:
    http = login_as(world.supervisor)
    assert http.get(url(world.other_team)).status_code == 404
    assert http.get(url(world.other_agency_team)).status_code == 404


def test_viewing_the_dashboard_is_audited(world: World, login_as: LoginAs) -> None:
    login_as(world.supervisor).get(url(world.team))
    assert AuditEvent.objects.filter(
        actor_id=world.supervisor.pk,
        action=Action.VIEW,
        object_type="orgs.team",
        object_id=str(world.team.pk),
    ).exists()


def test_team_page_links_to_the_dashboard(world: World, login_as: LoginAs) -> None:
    page = login_as(world.supervisor).get(reverse("clients:team_detail", args=[world.team.pk]))
    assert url(world.team) in page.content.decode()


# ---- period -------------------------------------------------------------------------------------
def test_the_default_period_is_the_last_24_months() -> None:
    assert default_period(date(2026, 11, 23)) == (date(2024, 11, 24), date(2026, 11, 23))
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)


def test_a_chosen_period_is_used(world: World, login_as: LoginAs) -> None:
    response = login_as(world.supervisor).get(
        url(world.team), {"start": "2025-01-01", "end": "2025-12-31"}
    )
    assert response.status_code == 200
    assert (response.context["dashboard"].start, response.context["dashboard"].end) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-01-01", "end": "2025-01-01"}, "end"),
        ({"start": "2001-01-01", "end": "2025-01-01"}, "start"),
        ({"start": "not a date", "end": "2025-01-01"}, "start"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(
    world: World, login_as: LoginAs, query: dict[str, str], field: str
) -> None:
    response = login_as(world.supervisor).get(url(world.team), query)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["form"].data["start"] == query["start"]


# ---- (a) fidelity total and (b) domains --------------------------------------------------------
def test_final_reviews_in_the_period_are_listed_with_total_and_high_or_low(world: World) -> None:
    scale = scale_with_domains(world.team)
    uniform_review(world.team, scale, date(2024, 6, 1), 3.0)  # before the period
    uniform_review(world.team, scale, date(2025, 3, 1), 3.5)  # 28: below 32
    uniform_review(world.team, scale, date(2026, 3, 1), 4.25)  # 34: high
    dashboard = team_dashboard(world.supervisor, world.team, start=START, end=END)
    rows = dashboard.fidelity.rows
    assert [(row[1], row[2]) for row in rows] == [("28.00", "Below"), ("34.00", "High")]
    assert "<svg" in dashboard.fidelity.svg


def test_the_interpolated_line_runs_through_each_review(world: World) -> None:
    from tandem.dashboards.team import _line
    from tandem.fidelity.series import team_fidelity_series

    scale = scale_with_domains(world.team)
    uniform_review(world.team, scale, date(2025, 3, 1), 3.0)  # 24
    uniform_review(world.team, scale, date(2025, 9, 1), 4.0)  # 32
    line = dict(_line(team_fidelity_series(world.team.pk, start=START, end=END)))
    assert len(line) == 4
    assert line[START] == pytest.approx(24.0)  # held before the first review
    assert line[date(2025, 3, 1)] == pytest.approx(24.0)
    assert line[date(2025, 9, 1)] == pytest.approx(32.0)
    assert line[END] == pytest.approx(32.0)


def test_reviews_not_final_are_left_out(world: World) -> None:
    scale = scale_with_domains(world.team)
    review = uniform_review(world.team, scale, date(2025, 3, 1), 3.0)
    review.status = "reconciling"
    review.save()
    dashboard = team_dashboard(world.supervisor, world.team, start=START, end=END)
    assert dashboard.fidelity.rows == []
    assert dashboard.fidelity.svg == ""


def test_domain_means_are_tabled_one_row_per_domain_and_column_per_review(world: World) -> None:
    scale = scale_with_domains(world.team, ("caseload_size", "hope"))
    from tests.dashboards.factories import final_review

    final_review(world.team, scale, date(2025, 3, 1), {"caseload_size": 4.5, "hope": 2.0})
    final_review(world.team, scale, date(2025, 9, 1), {"caseload_size": 5.0})
    panel = team_dashboard(world.supervisor, world.team, start=START, end=END).domains
    assert len(panel.columns) == 3
    assert panel.rows == [("Domain 1", "4.50", "5.00"), ("Domain 2", "2.00", None)]
    assert "<svg" in panel.svg


# ---- (c) indicators against target, and what moved -----------------------------------------------
def _indicator_weeks(team: Team, code: str, latest: date, earlier: float, now: float) -> None:
    indicator(team, latest - timedelta(weeks=12), code, earlier, domain_code="recovery_plan")
    indicator(team, latest, code, now, domain_code="recovery_plan")
    caseload(team, latest - timedelta(weeks=12), clients=20)
    caseload(team, latest, clients=20)


def test_an_indicator_worse_than_12_weeks_earlier_is_flagged_as_drift(world: World) -> None:
    _indicator_weeks(world.team, d.RECOVERY_PLAN_CURRENT, date(2026, 6, 1), 0.9, 0.6)
    dashboard = team_dashboard(world.supervisor, world.team, start=START, end=END)
    assert dashboard.drifting == (d.RECOVERY_PLAN_CURRENT,)
    row = next(
        r
        for r in dashboard.indicators.rows
        if r[1] == str(d.get_indicator(d.RECOVERY_PLAN_CURRENT).label)
    )
    assert row[2:6] == ("60 %", None, "90 %", "Worse")


def test_an_indicator_that_improved_is_not_flagged(world: World) -> None:
    _indicator_weeks(world.team, d.RECOVERY_PLAN_CURRENT, date(2026, 6, 1), 0.6, 0.9)
    assert team_dashboard(world.supervisor, world.team, start=START, end=END).drifting == ()


def test_a_caseload_rising_above_target_is_drift() -> None:
    definition = d.get_indicator(d.CASELOAD_PER_WORKER)
    assert has_drifted(definition, now=24.0, before=18.0, target=20.0)
    assert not has_drifted(definition, now=18.0, before=24.0, target=20.0)
    assert normalised(definition, 25.0, 20.0) == pytest.approx(0.8)
    assert normalised(definition, 15.0, 20.0) == 1.0


def test_rates_without_a_target_are_not_drawn_as_a_share_of_one() -> None:
    definition = d.get_indicator(d.CONTACTS_PER_CLIENT_WEEK)
    assert normalised(definition, 1.4, None) is None


def test_indicators_resting_on_fewer_than_5_clients_are_suppressed(world: World) -> None:
    latest = date(2026, 6, 1)
    indicator(world.team, latest, d.RECOVERY_PLAN_CURRENT, 0.5, domain_code="recovery_plan")
    caseload(world.team, latest, clients=4)
    dashboard = team_dashboard(world.supervisor, world.team, start=START, end=END)
    row = next(
        r
        for r in dashboard.indicators.rows
        if r[1] == str(d.get_indicator(d.RECOVERY_PLAN_CURRENT).label)
    )
    assert row[2] == SUPPRESSED
    moved = {r[0]: r for r in dashboard.movement.rows}
    label = str(d.get_indicator(d.RECOVERY_PLAN_CURRENT).label)
    assert moved[label][1] == SUPPRESSED
    assert moved[label][3] == SUPPRESSED


def _moved(team: Team, code: str, before: float, now: float) -> None:
    latest = date(2026, 6, 1)
    indicator(team, latest - timedelta(weeks=4), code, before)
    indicator(team, latest, code, now)


def _twenty_clients(team: Team) -> None:
    latest = date(2026, 6, 1)
    caseload(team, latest - timedelta(weeks=4), clients=20)
    caseload(team, latest, clients=20)


def test_what_moved_lists_an_indicator_that_got_worse_first_with_its_change(
    world: World,
) -> None:
    _twenty_clients(world.team)
    _moved(world.team, d.STRENGTHS_ASSESSMENT_CURRENT, before=0.6, now=0.7)
    _moved(world.team, d.RECOVERY_PLAN_CURRENT, before=0.9, now=0.6)
    panel = team_dashboard(world.supervisor, world.team, start=START, end=END).movement
    plan = str(d.get_indicator(d.RECOVERY_PLAN_CURRENT).label)
    strengths = str(d.get_indicator(d.STRENGTHS_ASSESSMENT_CURRENT).label)
    assert [row[0] for row in panel.rows][:1] == [plan]
    by_label = {row[0]: row for row in panel.rows}
    assert by_label[plan][1:4] == ("60 %", "90 %", "-30 points")
    assert by_label[plan][5] == "Worse than 4 weeks earlier: ask what changed"
    assert by_label[strengths][3] == "+10 points"
    assert by_label[strengths][5] == "Better than 4 weeks earlier"


def test_a_caseload_above_its_target_reads_as_off_target(world: World) -> None:
    # 30 open clients for 2 case managers: 15 each, against the programme's target of 10.
    world.team.programme.caseload_target = 10
    world.team.programme.save()
    latest = date(2026, 6, 1)
    caseload(world.team, latest - timedelta(weeks=4), clients=30)
    caseload(world.team, latest, clients=30)
    panel = team_dashboard(world.supervisor, world.team, start=START, end=END).movement
    row = panel.rows[0]
    assert row[0] == str(d.get_indicator(d.CASELOAD_PER_WORKER).label)
    assert row[5] == "Off target"


def test_targets_are_read_through_one_function(world: World) -> None:
    world.team.programme.caseload_target = 12
    world.team.programme.save()
    rows = indicator_rows(world.team, start=START, end=END)
    targets = indicator_targets(world.team, rows)
    assert targets[d.CASELOAD_PER_WORKER] == 12.0
    assert targets[d.RECOVERY_PLAN_CURRENT] is None


def test_a_small_change_is_steady() -> None:
    move = IndicatorMove(
        definition=d.get_indicator(d.RECOVERY_PLAN_CURRENT),
        now=0.62,
        before=0.6,
        target=None,
        is_hidden=False,
    )
    assert not move.has_moved
    assert move.priority == 4


def test_each_moved_indicator_links_to_the_teams_indicators(
    world: World, login_as: LoginAs
) -> None:
    _twenty_clients(world.team)
    _moved(world.team, d.RECOVERY_PLAN_CURRENT, before=0.9, now=0.6)
    response = login_as(world.supervisor).get(
        url(world.team), {"start": START.isoformat(), "end": END.isoformat()}
    )
    link = reverse("fidelity:team_indicators", args=[world.team.pk])
    assert f'<a href="{link}">' in response.content.decode()


def test_without_indicators_the_movement_panel_says_how_they_come(world: World) -> None:
    panel = team_dashboard(world.supervisor, world.team, start=START, end=END).movement
    assert panel.rows == []
    assert "computed every night" in panel.caption


# ---- (d) alliance and outcomes by quarter -----------------------------------------------------
def test_a_quarter_of_fewer_than_5_clients_is_suppressed(world: World) -> None:
    clients_with_scores(world.team, world, [75.0, 76.0, 77.0, 74.0], date(2025, 5, 10))
    panel = team_dashboard(world.supervisor, world.team, start=START, end=END).outcomes[0]
    q2 = next(row for row in panel.rows if row[0] == "2025 Q2")
    assert q2[1:] == (SUPPRESSED, SUPPRESSED)


def test_a_quarter_of_5_clients_shows_their_count_and_mean(world: World) -> None:
    clients_with_scores(world.team, world, [75.0, 76.0, 77.0, 74.0, 73.0], date(2025, 5, 10))
    panel = team_dashboard(world.supervisor, world.team, start=START, end=END).outcomes[0]
    q2 = next(row for row in panel.rows if row[0] == "2025 Q2")
    assert q2[1:] == (5, "75.00")
    assert "<svg" in panel.svg


def test_each_client_counts_once_per_quarter_with_their_latest_score(world: World) -> None:
    clients_with_scores(world.team, world, [75.0, 75.0, 75.0, 75.0], date(2025, 5, 10))
    episode = EpisodeFactory.create(team=world.team, primary_case_manager=world.case_manager)
    completed_response(episode, "rprs", date(2025, 4, 2), 60.0)
    completed_response(episode, "rprs", date(2025, 6, 20), 80.0)
    panel = team_dashboard(world.supervisor, world.team, start=START, end=END).outcomes[0]
    q2 = next(row for row in panel.rows if row[0] == "2025 Q2")
    assert q2[1:] == (5, "76.00")


def test_other_teams_clients_are_not_counted(world: World) -> None:
    clients_with_scores(world.other_team, world, [75.0] * 6, date(2025, 5, 10))
    panel = team_dashboard(world.supervisor, world.team, start=START, end=END).outcomes[0]
    q2 = next(row for row in panel.rows if row[0] == "2025 Q2")
    assert q2[1:] == (0, None)


def test_without_a_policy_the_panels_are_the_rprs_alliance_and_the_mcas_outcome(
    world: World,
) -> None:
    panels = team_dashboard(world.supervisor, world.team, start=START, end=END).outcomes
    assert len(panels) == 2
    assert "RPRS" in panels[0].title
    assert "MCAS" in panels[1].title


def test_the_alliance_and_outcome_panels_follow_the_programme_policy(world: World) -> None:
    from tandem.alerts.models import AlertPolicy

    AlertPolicy.objects.create(
        programme=world.programme, alliance_instrument="srs", outcome_instrument="ors"
    )
    panels = team_dashboard(world.supervisor, world.team, start=START, end=END).outcomes
    assert len(panels) == 2
    assert "SRS" in panels[0].title
    assert "ORS" in panels[1].title


# ---- cost ---------------------------------------------------------------------------------------
def _fill(world: World, size: int) -> None:
    scale = scale_with_domains(world.team)
    for k in range(size):
        uniform_review(world.team, scale, START + timedelta(days=60 * k), 3.0 + k / 10)
        day = END - timedelta(weeks=k)
        caseload(world.team, day, clients=10)
        indicator(world.team, day, d.RECOVERY_PLAN_CURRENT, 0.5 + k / 100)
    clients_with_scores(world.team, world, [60.0 + k for k in range(size * 2)], date(2025, 5, 1))


@pytest.mark.parametrize("size", [2, 8])
def test_the_dashboard_costs_the_same_queries_however_much_data(
    world: World, size: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    _fill(world, size)
    http = HttpClient()
    http.force_login(world.supervisor)
    with django_assert_max_num_queries(22):
        response = http.get(url(world.team), {"start": START.isoformat(), "end": END.isoformat()})
    assert response.status_code == 200
    content = response.content.decode()
    # Fidelity, domains, indicators (outcomes may be <5): drawn, or fetched by the page.
    assert content.count("<svg") + content.count('class="chart chart-pending"') >= 3
    assert content.count('<table class="data cards">') == len(response.context["dashboard"].panels)


# ---- charts drawn on their own request ----------------------------------------------------------
def _reviewed(world: World) -> None:
    scale = scale_with_domains(world.team)
    uniform_review(world.team, scale, date(2025, 3, 1), 3.0)
    uniform_review(world.team, scale, date(2025, 9, 1), 4.0)


PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def test_a_chart_not_drawn_yet_is_fetched_by_the_page_with_a_working_sign(
    world: World, login_as: LoginAs
) -> None:
    cache.clear()
    _reviewed(world)
    content = login_as(world.supervisor).get(url(world.team), PERIOD).content.decode()
    chart = reverse("dashboards:team_dashboard_chart", args=[world.team.pk])
    query = f"panel=0&amp;start={START.isoformat()}&amp;end={END.isoformat()}"
    assert f'hx-get="{chart}?{query}"' in content
    assert 'hx-indicator="this"' in content
    assert "<svg" not in content


def test_the_chart_request_draws_the_chart(world: World, login_as: LoginAs) -> None:
    cache.clear()
    _reviewed(world)
    http = login_as(world.supervisor)
    chart = reverse("dashboards:team_dashboard_chart", args=[world.team.pk])
    response = http.get(chart, {"panel": "0", **PERIOD})
    assert response.status_code == 200
    assert response.content.decode().count("<svg") == 1
    # Drawn once, the chart is in the page itself from then on.
    assert "<svg" in http.get(url(world.team), PERIOD).content.decode()


def test_a_chart_with_nothing_to_draw_answers_with_its_sentence(
    world: World, login_as: LoginAs
) -> None:
    chart = reverse("dashboards:team_dashboard_chart", args=[world.team.pk])
    response = login_as(world.supervisor).get(chart, {"panel": "0", **PERIOD})
    content = response.content.decode()
    assert "<svg" not in content
    assert "no final fidelity review yet" in content


def test_a_chart_past_the_last_panel_is_not_found(world: World, login_as: LoginAs) -> None:
    chart = reverse("dashboards:team_dashboard_chart", args=[world.team.pk])
    assert login_as(world.supervisor).get(chart, {"panel": "99", **PERIOD}).status_code == 404


def test_the_period_form_says_it_is_working(world: World, login_as: LoginAs) -> None:
    content = login_as(world.supervisor).get(url(world.team)).content.decode()
    assert 'data-working="Working…"' in content


@pytest.mark.parametrize("size", [2, 8])
def test_a_chart_request_costs_the_same_queries_however_much_data(
    world: World, size: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    _fill(world, size)
    http = HttpClient()
    http.force_login(world.supervisor)
    chart = reverse("dashboards:team_dashboard_chart", args=[world.team.pk])
    with django_assert_max_num_queries(22):
        response = http.get(chart, {"panel": "0", **PERIOD})
    assert response.status_code == 200


def test_a_chart_request_without_a_panel_number_is_refused(world: World, login_as: LoginAs) -> None:
    chart = reverse("dashboards:team_dashboard_chart", args=[world.team.pk])
    assert login_as(world.supervisor).get(chart, {"panel": "x", **PERIOD}).status_code == 400
