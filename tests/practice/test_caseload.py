"""The caseload page: what a case manager sees, in how many queries."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.clients.models import DischargeReason, EpisodeStatus
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory


def test_caseload_lists_my_open_episodes_with_days(world: World, login_as: LoginAs) -> None:
    start = timezone.localdate() - timedelta(days=45)
    mine = EpisodeFactory.create(
        team=world.team, primary_case_manager=world.case_manager, start_date=start
    )
    response = login_as(world.case_manager).get("/caseload/")
    html = response.content.decode()
    assert mine.client.display_name in html
    assert world.own_client.display_name in html
    assert ">45<" in html
    assert world.team_client.display_name not in html


def test_caseload_leaves_out_closed_episodes(world: World, login_as: LoginAs) -> None:
    today = timezone.localdate()
    closed = EpisodeFactory.create(
        team=world.team,
        primary_case_manager=world.case_manager,
        status=EpisodeStatus.CLOSED,
        start_date=today - timedelta(days=90),
        end_date=today,
        discharge_reason=DischargeReason.GOALS_MET,
    )
    html = login_as(world.case_manager).get("/caseload/").content.decode()
    assert closed.client.display_name not in html


def test_caseload_query_count_does_not_grow_with_clients(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    counts = []
    for n_clients in (5, 200):
        EpisodeFactory.create_batch(
            n_clients, team=world.team, primary_case_manager=world.case_manager
        )
        with CaptureQueriesContext(connection) as queries:
            response = http.get("/caseload/")
        assert response.content.decode().count("/clients/") >= n_clients
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # One fetches every row's due, overdue and missed measures; one the open agreed actions;
    # one the next training session and one the open self-efficacy waves (the start page's
    # training panel); one the menu asking whether the person belongs to a qualitative project.
    assert counts[0] <= 20
