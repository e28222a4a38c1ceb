"""Group and individual supervision: sessions, presentations and the supervisor's overview."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.practice import services
from tandem.practice.models import ClientPresentation, SupervisionKind
from tests.conftest import LoginAs, World


def test_supervisor_records_group_session_and_presents_a_client(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.supervisor)
    response = http.post(
        "/supervision/new/",
        {
            "team": world.team.pk,
            "kind": SupervisionKind.GROUP,
            "held_on": timezone.localdate().isoformat(),
            "attendees": [world.case_manager.pk, world.teammate.pk],
        },
    )
    assert response.status_code == 302
    session_url = response["Location"]
    episode = world.own_client.episodes.get()
    http.post(
        session_url,
        {
            "episode": episode.pk,
            "question": "How to reconnect with her church?",
            "suggestions": "Ask the choir lead; go with her to one rehearsal.",
        },
    )
    presentation = ClientPresentation.objects.get()
    assert presentation.client == world.own_client
    assert presentation.presenter == world.case_manager


def test_overview_shows_last_supervision_and_clients_never_presented(
    world: World,
    login_as: LoginAs,
) -> None:
    held = timezone.localdate() - timedelta(days=12)
    services.record_supervision(
        actor=world.supervisor,
        team=world.team,
        kind=SupervisionKind.INDIVIDUAL,
        held_on=held,
        attendees=[world.case_manager],
    )
    response = login_as(world.supervisor).get("/supervision/")
    overview = response.context["overviews"][0]["overview"]
    last = dict(overview.last_supervision)
    assert last[world.case_manager] == held
    assert last[world.teammate] is None
    never = {e.client for e in overview.never_presented}
    assert never == {world.own_client, world.team_client}


def test_individual_supervision_has_one_attendee(world: World) -> None:
    with pytest.raises(ValidationError):
        services.record_supervision(
            actor=world.supervisor,
            team=world.team,
            kind=SupervisionKind.INDIVIDUAL,
            held_on=timezone.localdate(),
            attendees=[world.case_manager, world.teammate],
        )


def test_case_manager_gets_403_on_supervision(world: World, login_as: LoginAs) -> None:
    assert login_as(world.case_manager).get("/supervision/").status_code == 403
