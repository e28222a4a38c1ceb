"""Group and individual supervision: sessions, presentations and the supervisor's overview."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.audit.models import Action, AuditEvent
from tandem.practice import services
from tandem.practice.models import ClientPresentation, Goal, SupervisionKind
from tests.conftest import LoginAs, World
from tests.practice.supervision_setup import group_session, individual_session, present


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


# ---- individual sessions offer only the supervised worker's clients -----------------------------
def test_individual_session_offers_only_the_workers_clients(
    world: World, login_as: LoginAs
) -> None:
    session = individual_session(world, world.case_manager)
    response = login_as(world.supervisor).get(f"/supervision/sessions/{session.pk}/")
    offered = {e.client for e in response.context["form"].fields["episode"].queryset}
    assert offered == {world.own_client}


def test_individual_session_refuses_another_workers_client(world: World, login_as: LoginAs) -> None:
    session = individual_session(world, world.case_manager)
    response = login_as(world.supervisor).post(
        f"/supervision/sessions/{session.pk}/",
        {
            "step": "present",
            "episode": world.team_client.episodes.get().pk,
            "suggestions": "Try the library.",
        },
    )
    assert response.status_code == 200
    assert "episode" in response.context["form"].errors
    assert not ClientPresentation.objects.exists()
    with pytest.raises(ValidationError) as refused:
        present(world, session, world.team_client)
    assert "client" in refused.value.message_dict


# ---- a case manager reads the sessions where their clients were presented ----------------------
def test_case_manager_reads_only_their_clients_presentations(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client, suggestions="Ask about the choir.")
    present(world, session, world.team_client, suggestions="Visit the food bank.")
    response = login_as(world.case_manager).get(f"/supervision/sessions/{session.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ask about the choir." in html
    assert "Visit the food bank." not in html
    assert world.team_client.display_name not in html
    assert '<form method="post" class="narrow"' not in html  # read only


def test_case_manager_cannot_post_to_a_session(world: World, login_as: LoginAs) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    response = login_as(world.case_manager).post(
        f"/supervision/sessions/{session.pk}/",
        {"step": "present", "episode": world.own_client.episodes.get().pk, "suggestions": "x"},
    )
    assert response.status_code == 403
    assert ClientPresentation.objects.count() == 1


def test_case_manager_gets_404_for_a_session_without_their_clients(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.team_client)
    response = login_as(world.case_manager).get(f"/supervision/sessions/{session.pk}/")
    assert response.status_code == 404


# ---- the client's strengths and plan beside the presentation form ------------------------------
def with_strengths_and_plan(world: World) -> None:
    episode = world.own_client.episodes.get()
    services.record_strengths_assessment(
        actor=world.case_manager,
        episode=episode,
        assessed_on=timezone.localdate(),
        entries={"social": {"wants": "Sing in a choir again"}},
    )
    services.add_goal(
        actor=world.case_manager,
        episode=episode,
        expected_version=0,
        domain="social",
        own_words="Join the church choir",
    )
    goal = Goal.objects.get()
    services.add_step(
        actor=world.case_manager,
        goal=goal,
        expected_version=1,
        action="Go to one rehearsal",
        responsible="Client",
        due_on=timezone.localdate() + timedelta(days=5),
    )


def test_choosing_a_client_shows_their_strengths_and_plan(world: World, login_as: LoginAs) -> None:
    with_strengths_and_plan(world)
    session = group_session(world)
    episode = world.own_client.episodes.get()
    response = login_as(world.supervisor).get(
        f"/supervision/sessions/{session.pk}/summary/?episode={episode.pk}",
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Sing in a choir again" in html
    assert "Join the church choir" in html
    assert "Go to one rehearsal" in html
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="practice.recoveryplan"
    ).exists()


def test_without_javascript_the_summary_keeps_what_was_typed(
    world: World, login_as: LoginAs
) -> None:
    with_strengths_and_plan(world)
    session = group_session(world)
    response = login_as(world.supervisor).post(
        f"/supervision/sessions/{session.pk}/",
        {
            "step": "summary",
            "episode": world.own_client.episodes.get().pk,
            "question": "How to keep her going?",
        },
    )
    html = response.content.decode()
    assert "Sing in a choir again" in html
    assert "How to keep her going?" in html
    assert not ClientPresentation.objects.exists()


def test_summary_of_a_client_outside_the_individual_session_is_404(
    world: World, login_as: LoginAs
) -> None:
    session = individual_session(world, world.case_manager)
    episode = world.team_client.episodes.get()
    response = login_as(world.supervisor).get(
        f"/supervision/sessions/{session.pk}/summary/?episode={episode.pk}"
    )
    assert response.status_code == 404
