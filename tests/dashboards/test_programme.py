"""The programme dashboard: figures checked against values worked out by hand, small cells hidden.

The built world (period 2025-01-01 to 2025-06-30, today 2025-07-01), programme P1:

- referrals received: January 7 (5 assigned, 2 declined as not eligible), February 3 (declined,
  needs crisis care), March 9 (5 waitlisted, 4 declined as not eligible), June 1 (urgent,
  waitlisted); one from December 2024 and one to another programme are outside.
- waitlist today: routine since 1, 5, 10, 15, 20 March (122, 118, 113, 108, 103 days) and urgent
  since 21 June (10 days): median 110.5, longest 122.
- team A1: five episodes from January's referrals (accepted 20 January), started 1 February,
  first client contact after 1, 2, 3, 4, 10 days (a collateral contact on day 0 does not count),
  closed after 30, 40, 50, 60, 70 days; CANSAS unmet first/last (6, 2) (5, 3) (4, 4) (8, 3) (7, 2);
  RPRS total (80, 90) (85, 87) (70, 80) (90, 91) (75, 70); three more open since 2024.
- team A2: two episodes started 1 March, first contact after 5 and 7 days; one closed after 20
  days with a single RPRS score (no pair).
- open now: A1 2 (the world's) + 3 = 5, A2 1 (the world's) + 1 = 2, all 7.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tandem.alerts.models import AlertPolicy
from tandem.clients.models import DeclineReason, Episode, ReferralPriority, ReferralStatus
from tandem.core.display import SUPPRESSED, is_small, month_text, shown
from tandem.dashboards.charts import Panel
from tandem.dashboards.periods import default_period
from tandem.dashboards.programme import ProgrammeDashboard, programme_dashboard
from tandem.measures.models import EnteredVia, Response
from tandem.orgs.models import Team
from tandem.practice.models import Contact, ContactMode, ContactWith
from tests.clients.factories import ReferralFactory
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory, ProgrammeFactory, TeamFactory, UserFactory

START = date(2025, 1, 1)
END = date(2025, 6, 30)
TODAY = date(2025, 7, 1)


def _referral(world: World, received: date, status: str, **fields: Any) -> Any:
    return ReferralFactory.create(
        programme=fields.pop("programme", world.programme),
        received_on=received,
        status=status,
        created_by=world.programme_manager,
        **fields,
    )


def _contact(episode: Episode, on: date, with_whom: str = ContactWith.CLIENT) -> None:
    Contact.objects.create(
        client=episode.client,
        episode=episode,
        worker=episode.primary_case_manager,
        occurred_on=on,
        minutes=30,
        mode=ContactMode.COMMUNITY,
        with_whom=with_whom,
    )


def _score(episode: Episode, code: str, score: str, value: float, on: date) -> None:
    Response.objects.create(
        client=episode.client,
        episode=episode,
        instrument_code=code,
        instrument_version="1",
        scores={score: value},
        entered_via=EnteredVia.WORKER,
        completed_at=timezone.make_aware(datetime.combine(on, time(10))),
    )


def _episode(team: Team, start: date, end: date | None = None) -> Episode:
    closed = {"status": "closed", "end_date": end, "discharge_reason": "goals_met"} if end else {}
    return EpisodeFactory.create(
        team=team, primary_case_manager=UserFactory.create(), start_date=start, **closed
    )


def build_programme_world(world: World) -> None:
    jan = [_referral(world, date(2025, 1, 2 + i), ReferralStatus.ASSIGNED) for i in range(5)]
    for i in range(2):
        _referral(
            world,
            date(2025, 1, 10 + i),
            ReferralStatus.DECLINED,
            decline_reason=DeclineReason.NOT_ELIGIBLE,
        )
    for i in range(3):
        _referral(
            world,
            date(2025, 2, 3 + i),
            ReferralStatus.DECLINED,
            decline_reason=DeclineReason.NEEDS_CRISIS,
        )
    for day in (1, 5, 10, 15, 20):
        _referral(world, date(2025, 3, day), ReferralStatus.WAITLISTED)
    for i in range(4):
        _referral(
            world,
            date(2025, 3, 21 + i),
            ReferralStatus.DECLINED,
            decline_reason=DeclineReason.NOT_ELIGIBLE,
        )
    _referral(world, date(2025, 6, 21), ReferralStatus.WAITLISTED, priority=ReferralPriority.URGENT)
    _referral(world, date(2024, 12, 20), ReferralStatus.ASSIGNED)
    other = ProgrammeFactory.create(agency=world.agency)
    _referral(world, date(2025, 1, 5), ReferralStatus.ASSIGNED, programme=other)

    start = date(2025, 2, 1)
    unmet = [(6, 2), (5, 3), (4, 4), (8, 3), (7, 2)]
    # The outcome is the MCAS (the default), which has no reference values: the programme's.
    AlertPolicy.objects.create(programme=world.programme, outcome_sd=6.0, outcome_reliability=0.9)
    mcas = [(60, 70), (65, 67), (50, 60), (70, 71), (55, 50)]
    for i, (contact_day, stay) in enumerate(
        zip([1, 2, 3, 4, 10], [30, 40, 50, 60, 70], strict=True)
    ):
        episode = _episode(world.team, start, start + timedelta(days=stay))
        jan[i].episode = episode
        jan[i].decided_on = date(2025, 1, 20)
        jan[i].save()
        _contact(episode, start, ContactWith.COLLATERAL)
        _contact(episode, start + timedelta(days=contact_day))
        _contact(episode, start + timedelta(days=contact_day + 7))
        _score(episode, "cansas", "unmet", unmet[i][0], start)
        _score(episode, "cansas", "unmet", unmet[i][1], start + timedelta(days=stay - 1))
        _score(episode, "mcas", "total", mcas[i][0], start)
        _score(episode, "mcas", "total", 30, start + timedelta(days=10))
        _score(episode, "mcas", "total", mcas[i][1], start + timedelta(days=stay - 1))
        _score(episode, "rprs", "total", 40, start + timedelta(days=stay - 1))  # the alliance
    for _ in range(3):
        _episode(world.team, date(2024, 1, 1))
    march = date(2025, 3, 1)
    closed = _episode(world.other_team, march, march + timedelta(days=20))
    _contact(closed, march + timedelta(days=5))
    _score(closed, "mcas", "total", 60, march)
    still_open = _episode(world.other_team, march)
    _contact(still_open, march + timedelta(days=7))
    elsewhere = _episode(TeamFactory.create(programme=other), start, start + timedelta(days=30))
    _score(elsewhere, "mcas", "total", 20, start)
    _score(elsewhere, "mcas", "total", 80, start + timedelta(days=20))


def _dashboard(world: World) -> ProgrammeDashboard:
    return programme_dashboard(
        world.programme_manager, world.programme, start=START, end=END, today=TODAY
    )


def _panel(dashboard: ProgrammeDashboard, index: int) -> Panel:
    return dashboard.panels[index]


def _rows(panel: Panel) -> dict[Any, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in panel.rows}


@pytest.fixture
def built(world: World) -> ProgrammeDashboard:
    build_programme_world(world)
    return _dashboard(world)


def test_a_cell_under_five_clients_is_small_and_suppressed() -> None:
    assert [is_small(n) for n in (0, 1, 4, 5)] == [False, True, True, False]
    assert shown(12.5, 4) == SUPPRESSED
    assert shown(12.5, 5) == 12.5
    assert shown(0, 0) == 0


def test_referrals_per_month_count_received_accepted_and_declined(
    built: ProgrammeDashboard,
) -> None:
    rows = _rows(_panel(built, 0))
    assert rows[month_text(date(2025, 1, 1))] == (7, 5, SUPPRESSED)
    assert rows[month_text(date(2025, 2, 1))] == (SUPPRESSED, 0, SUPPRESSED)
    assert rows[month_text(date(2025, 3, 1))] == (9, 5, SUPPRESSED)
    assert rows[month_text(date(2025, 4, 1))] == (0, 0, 0)
    assert rows[month_text(date(2025, 6, 1))] == (SUPPRESSED, SUPPRESSED, 0)
    assert list(rows.values())[-1] == (20, 11, 9)


def test_declines_by_reason_suppress_reasons_given_fewer_than_five_times(
    built: ProgrammeDashboard,
) -> None:
    rows = _rows(_panel(built, 1))
    assert rows == {
        str(DeclineReason.NOT_ELIGIBLE.label): (6,),
        str(DeclineReason.NEEDS_CRISIS.label): (SUPPRESSED,),
    }


def test_waitlist_shows_length_median_and_longest_wait_by_priority(
    built: ProgrammeDashboard,
) -> None:
    rows = list(_panel(built, 2).rows)
    urgent, high, routine, everyone = rows
    assert urgent[1:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    assert high[1:] == (0, None, None)
    assert routine[1:] == (5, 113.0, 122.0)
    assert everyone[1:] == (6, 110.5, 122.0)


def test_time_to_first_contact_counts_client_contacts_from_start_and_acceptance(
    built: ProgrammeDashboard,
) -> None:
    a1, a2, everyone = _panel(built, 3).rows
    assert a1[1:] == (5, 5, 3.0, 15.0)
    assert a2[1:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED, None)
    assert everyone[1:] == (7, 7, 4.0, 15.0)


def test_length_of_stay_is_the_median_of_episodes_closed_in_the_period(
    built: ProgrammeDashboard,
) -> None:
    a1, a2, everyone = _panel(built, 4).rows
    assert a1[1:] == (5, 50.0, 70.0)
    assert a2[1:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    assert everyone[1:] == (6, 45.0, 70.0)


def test_intake_to_discharge_change_uses_first_and_last_scores_of_closed_episodes(
    built: ProgrammeDashboard,
) -> None:
    needs, outcome = _panel(built, 5).rows
    # CANSAS unmet needs: no reliable-change norm, so no share.
    assert needs[1:] == (5, 6.0, 2.8, -3.2, None)
    # MCAS: reliable change beyond 5.26 points (the programme's SD 6, reliability .9): +10 and
    # +10 of five.
    assert outcome[1:] == (5, 60.0, 63.6, 3.6, 40)


def test_teams_are_compared_with_small_teams_suppressed(built: ProgrammeDashboard) -> None:
    a1, a2, everyone = _panel(built, 6).rows
    assert a1[1:] == (5, 5, 5, 3.0, 50.0, 3.6)
    assert a2[1:] == (SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, None)
    assert everyone[1:] == (7, 7, 6, 4.0, 45.0, 3.6)


def test_headline_figures_match_the_panels(built: ProgrammeDashboard) -> None:
    assert [h.value for h in built.headlines] == [20, 11, 9, 6, 110.5, 7, 4.0, 45.0]


def test_a_small_programme_shows_no_count_under_five(world: World) -> None:
    _referral(world, date(2025, 2, 1), ReferralStatus.DECLINED, decline_reason="other")
    dashboard = _dashboard(world)
    cells = [cell for panel in dashboard.panels for row in panel.rows for cell in row[1:]]
    assert not any(isinstance(c, int) and 0 < c < 5 for c in cells)
    assert SUPPRESSED in cells


def test_programme_manager_sees_the_dashboard_of_their_programme(
    world: World, login_as: LoginAs
) -> None:
    http: HttpClient = login_as(world.programme_manager)
    response = http.get(reverse("dashboards:programme_dashboard", args=[world.programme.pk]))
    assert response.status_code == 200
    start, end = default_period(timezone.localdate())
    assert response.context["dashboard"].start == start
    assert response.context["dashboard"].end == end


def test_a_chosen_period_is_used(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.programme_manager)
    url = reverse("dashboards:programme_dashboard", args=[world.programme.pk])
    response = http.get(url, {"start": "2025-01-01", "end": "2025-06-30"})
    assert response.status_code == 200
    assert (response.context["dashboard"].start, response.context["dashboard"].end) == (START, END)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "not a date"}, "start"),
        ({"start": "2025-06-30", "end": "2025-01-01"}, "start"),
        ({"end": "2999-01-01"}, "end"),
    ],
)
def test_bad_period_input_names_the_field(
    world: World, login_as: LoginAs, query: dict[str, str], field: str
) -> None:
    http: HttpClient = login_as(world.programme_manager)
    response = http.get(reverse("dashboards:programme_dashboard", args=[world.programme.pk]), query)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["dashboard"] is None


def test_supervisor_is_refused_the_programme_dashboard(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.supervisor)
    url = reverse("dashboards:programme_dashboard", args=[world.programme.pk])
    assert http.get(url).status_code == 403


def test_programme_of_another_agency_is_not_found(world: World, login_as: LoginAs) -> None:
    http: HttpClient = login_as(world.programme_manager)
    url = reverse("dashboards:programme_dashboard", args=[world.other_agency_team.programme_id])
    assert http.get(url).status_code == 404


def test_programme_dashboard_reads_are_audited(world: World, login_as: LoginAs) -> None:
    from tandem.audit.models import AuditEvent

    http: HttpClient = login_as(world.programme_manager)
    http.get(reverse("dashboards:programme_dashboard", args=[world.programme.pk]))
    assert AuditEvent.objects.filter(
        object_type="dashboards.programme_dashboard", object_id=str(world.programme.pk)
    ).exists()


def _grow(world: World, extra: int) -> None:
    for i in range(extra):
        episode = _episode(world.team if i % 2 else world.other_team, date(2025, 2, 1), END)
        _contact(episode, date(2025, 2, 3))
        _score(episode, "mcas", "total", 60, date(2025, 2, 1))
        _score(episode, "mcas", "total", 70, date(2025, 6, 1))
        _score(episode, "cansas", "unmet", 5, date(2025, 2, 1))
        _score(episode, "cansas", "unmet", 3, date(2025, 6, 1))
        _referral(world, date(2025, 4, 1), ReferralStatus.WAITLISTED)


@pytest.mark.parametrize("extra", [2, 30])
def test_programme_dashboard_queries_do_not_grow_with_the_programme(
    world: World, django_assert_max_num_queries: Any, extra: int
) -> None:
    build_programme_world(world)
    _grow(world, extra)
    with django_assert_max_num_queries(12):
        _dashboard(world)


def test_the_programme_page_links_to_its_measures_export_and_import(
    world: World, login_as: LoginAs
) -> None:
    html = login_as(world.programme_manager).get(f"/programmes/{world.programme.pk}/dashboard/")
    content = html.content.decode()
    assert f'href="/programmes/{world.programme.pk}/measures/export/"' in content
    assert f'href="/programmes/{world.programme.pk}/measures/import/"' in content


@pytest.mark.parametrize("role", ["supervisor", "case_manager", "researcher"])
def test_the_measures_links_are_left_out_for_roles_that_may_not_export(
    world: World, role: str
) -> None:
    request = RequestFactory().get("/")
    request.user = world.user(role)
    html = Template("{% load measures_tags %}{% programme_measures_links programme %}").render(
        Context({"request": request, "programme": world.programme})
    )
    assert "/measures/export/" not in html


def test_a_manager_of_another_programme_gets_no_measures_links(world: World) -> None:
    request = RequestFactory().get("/")
    request.user = world.programme_manager
    other = world.other_agency_team.programme
    html = Template("{% load measures_tags %}{% programme_measures_links programme %}").render(
        Context({"request": request, "programme": other})
    )
    assert "/measures/export/" not in html
