"""Advice from supervision on the client's page and the case manager's caseload."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.practice.supervision import selectors
from tandem.practice.supervision import services as supervision
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory
from tests.practice.supervision_setup import agreed, group_session, present


def test_client_page_shows_the_groups_suggestions_and_open_actions(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client, suggestions="Ask about a buddy at the club.")
    agreed(world, session, world.own_client, text="Phone the club secretary")
    done = agreed(world, session, world.own_client, text="Print the bus timetable")
    supervision.mark_agreed_action_done(
        actor=world.case_manager, action=done, expected_version=1, on=timezone.localdate()
    )
    html = login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/").content.decode()
    assert "From supervision" in html
    assert "Ask about a buddy at the club." in html
    assert "Phone the club secretary" in html
    assert "Print the bus timetable" not in html  # done: no longer open
    assert f"/supervision/sessions/{session.pk}/" in html


def test_client_page_says_what_to_do_when_nothing_came_from_supervision(
    world: World, login_as: LoginAs
) -> None:
    html = login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/").content.decode()
    assert "Nothing from supervision yet" in html


def test_a_voided_action_leaves_the_client_page(world: World, login_as: LoginAs) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client, text="Phone the club secretary")
    supervision.void_agreed_action(
        actor=world.supervisor, action=action, expected_version=1, reason="Wrong client"
    )
    html = login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/").content.decode()
    assert "Phone the club secretary" not in html


def test_caseload_lists_my_open_actions_overdue_first(world: World, login_as: LoginAs) -> None:
    past = group_session(world, held_on=timezone.localdate() - timedelta(days=20))
    present(world, past, world.own_client)
    agreed(world, past, world.own_client, text="Overdue call", due_in_days=10)
    recent = group_session(world)
    present(world, recent, world.own_client)
    present(world, recent, world.team_client)
    agreed(world, recent, world.own_client, text="Call next week", due_in_days=7)
    agreed(world, recent, world.team_client, text="Teammate's call", due_in_days=1)
    response = login_as(world.case_manager).get("/caseload/")
    html = response.content.decode()
    assert html.index("Overdue call") < html.index("Call next week")
    assert "Overdue" in html
    assert "Teammate's call" not in html


def test_caseload_says_what_to_do_without_agreed_actions(world: World, login_as: LoginAs) -> None:
    html = login_as(world.case_manager).get("/caseload/").content.decode()
    assert "No open action agreed in supervision" in html


def _actions_for_new_clients(world: World, n_clients: int) -> None:
    session = group_session(world)
    for _ in range(n_clients):
        client = EpisodeFactory.create(
            team=world.team, primary_case_manager=world.case_manager
        ).client
        present(world, session, client)
        agreed(world, session, client)


def test_caseload_queries_do_not_grow_with_agreed_actions(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    counts = []
    for n_clients in (2, 12):
        _actions_for_new_clients(world, n_clients)
        with CaptureQueriesContext(connection) as queries:
            http.get("/caseload/")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_client_page_queries_do_not_grow_with_presentations(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.case_manager)
    counts = []
    for n_sessions in (1, 6):
        for _ in range(n_sessions):
            session = group_session(world)
            present(world, session, world.own_client)
            agreed(world, session, world.own_client)
        with CaptureQueriesContext(connection) as queries:
            http.get(f"/clients/{world.own_client.pk}/")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_session_page_queries_do_not_grow_with_presentations(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.supervisor)
    session = group_session(world)
    counts = []
    for n_clients in (2, 10):
        for _ in range(n_clients):
            client = EpisodeFactory.create(
                team=world.team, primary_case_manager=world.case_manager
            ).client
            present(world, session, client)
            agreed(world, session, client)
        with CaptureQueriesContext(connection) as queries:
            http.get(f"/supervision/sessions/{session.pk}/")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_panel_speaks_french_with_french_dates(world: World, login_as: LoginAs) -> None:
    session = group_session(world, held_on=date(2026, 3, 2))
    present(world, session, world.own_client)
    agreed(world, session, world.own_client, due_in_days=7)
    html = (
        login_as(world.case_manager)
        .get(f"/clients/{world.own_client.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
        .content.decode()
    )
    assert "Issu de la supervision" in html
    assert "échéance le 09/03/2026" in html
    assert "Marquer comme faite" in html


def test_advice_on_a_client_out_of_reach_is_refused_and_audited(world: World) -> None:
    before = AuditEvent.objects.filter(outcome=Outcome.DENIED).count()
    with pytest.raises(Http404):
        selectors.supervision_advice_for(world.case_manager, world.other_team_client)
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED).count() == before + 1


def test_reading_advice_is_audited_without_personal_data(world: World) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    selectors.supervision_advice_for(world.case_manager, world.own_client)
    event = AuditEvent.objects.filter(object_type="practice.agreedaction").get()
    assert (event.action, event.object_id) == (Action.LIST, f"client:{world.own_client.pk}")


def test_supervision_overview_lists_the_teams_open_actions_overdue_first(
    world: World, login_as: LoginAs
) -> None:
    past = group_session(world, held_on=timezone.localdate() - timedelta(days=20))
    present(world, past, world.own_client)
    agreed(world, past, world.own_client, text="Overdue call", due_in_days=10)
    recent = group_session(world)
    present(world, recent, world.team_client)
    agreed(world, recent, world.team_client, text="Call next week", due_in_days=7)
    html = login_as(world.supervisor).get("/supervision/").content.decode()
    assert html.index("Overdue call") < html.index("Call next week")


def test_open_actions_of_another_team_are_refused(world: World) -> None:
    with pytest.raises(Http404):
        selectors.open_actions_of_team(world.supervisor, world.other_team.pk, world.agency.pk)
