"""Client pages: what each person sees, in how many queries."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from tandem.clients.models import DischargeReason, EpisodeStatus
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory


def test_client_page_shows_demographics_and_episodes(world: World, login_as: LoginAs) -> None:
    client = world.own_client
    html = login_as(world.case_manager).get(f"/clients/{client.pk}/").content.decode()
    assert client.given_name in html
    assert client.family_name in html
    assert world.programme.name in html
    assert world.team.name in html


def test_client_page_shows_episodes_in_other_teams_to_those_who_may_see_the_client(
    world: World,
    login_as: LoginAs,
) -> None:
    today = timezone.localdate()
    EpisodeFactory.create(
        client=world.own_client,
        team=world.other_programme_team,
        primary_case_manager=world.other_team_case_manager,
        status=EpisodeStatus.CLOSED,
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=200),
        discharge_reason=DischargeReason.TRANSFERRED,
    )
    html = login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/").content.decode()
    assert world.other_programme_team.name in html


def test_missing_and_hidden_clients_answer_alike(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    hidden = http.get(f"/clients/{world.other_agency_client.pk}/")
    missing = http.get("/clients/987654/")
    assert hidden.status_code == missing.status_code == 404

    def without_tokens(content: bytes) -> str:
        return re.sub(r'value="[^"]+"', "", content.decode())

    assert without_tokens(hidden.content) == without_tokens(missing.content)
    assert world.other_agency_client.family_name not in hidden.content.decode()
