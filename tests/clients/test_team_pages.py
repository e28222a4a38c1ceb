"""Team pages for supervisors and programme managers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.audit.models import AuditEvent, Outcome
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory


def test_supervisor_sees_team_caseload_by_worker(world: World, login_as: LoginAs) -> None:
    html = login_as(world.supervisor).get(f"/teams/{world.team.pk}/").content.decode()
    assert world.case_manager.full_name in html
    assert world.own_client.display_name in html
    assert world.team_client.display_name in html
    assert world.other_team_client.display_name not in html


def test_team_page_flags_a_worker_above_the_caseload_target(
    world: World, login_as: LoginAs
) -> None:
    world.programme.caseload_target = 2
    world.programme.save()
    EpisodeFactory.create_batch(2, team=world.team, primary_case_manager=world.case_manager)
    html = login_as(world.supervisor).get(f"/teams/{world.team.pk}/").content.decode()
    assert html.count("Above target") == 1


def test_programme_manager_lists_every_team_of_the_programme(
    world: World, login_as: LoginAs
) -> None:
    html = login_as(world.programme_manager).get("/teams/").content.decode()
    assert f"/teams/{world.team.pk}/" in html
    assert f"/teams/{world.other_team.pk}/" in html
    assert f"/teams/{world.other_programme_team.pk}/" not in html


@pytest.mark.parametrize("path", ["/teams/{pk}/", "/teams/"])
def test_team_page_query_count_does_not_grow_with_clients(
    world: World,
    login_as: LoginAs,
    path: str,
) -> None:
    http = login_as(world.supervisor)
    counts = []
    for n_clients in (5, 200):
        EpisodeFactory.create_batch(n_clients, team=world.team, primary_case_manager=world.teammate)
        with CaptureQueriesContext(connection) as queries:
            assert http.get(path.format(pk=world.team.pk)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 15


@pytest.mark.parametrize(
    "path",
    [
        "/teams/{pk}/",
        "/teams/{pk}/agenda/",
        "/teams/{pk}/dashboard/",
        "/fidelity/teams/{pk}/indicators/",
    ],
)
def test_a_team_page_refused_to_another_teams_supervisor_is_audited(
    world: World,
    login_as: LoginAs,
    path: str,
) -> None:
    http = login_as(world.supervisor)
    assert http.get(path.format(pk=world.other_team.pk)).status_code == 404
    refusals = AuditEvent.objects.filter(actor_id=world.supervisor.pk, outcome=Outcome.DENIED)
    assert list(refusals.values_list("object_type", "object_id")) == [
        ("orgs.team", str(world.other_team.pk))
    ]
