"""Hand-overs: a supervisor gives an episode another case manager or moves it to another team."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.alerts.models import Alert, AlertRule
from tandem.alerts.selectors import alerts_visible_to
from tandem.audit.models import AuditEvent
from tandem.clients.corrections import services
from tandem.clients.models import ChangeKind, DischargeReason, Episode, RecordChange
from tandem.clients.services import close_episode
from tests.conftest import LoginAs, World


def own_episode(world: World) -> Episode:
    return world.own_client.episodes.get()


def test_supervisor_reassigns_the_case_manager_and_scoping_follows(
    world: World, login_as: LoginAs
) -> None:
    episode = own_episode(world)
    response = login_as(world.supervisor).post(
        f"/episodes/{episode.pk}/handover/",
        {
            "assignee": f"{world.team.pk}:{world.teammate.pk}",
            "reason": "Case manager on leave for three months.",
        },
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.primary_case_manager == world.teammate
    assert login_as(world.teammate).get(f"/clients/{world.own_client.pk}/").status_code == 200
    assert login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/").status_code == 404
    assert (
        world.own_client.display_name in login_as(world.teammate).get("/caseload/").content.decode()
    )


def test_a_hand_over_keeps_who_when_from_to_and_why(world: World) -> None:
    episode = own_episode(world)
    services.hand_over_episode(
        actor=world.programme_manager,
        episode=episode,
        team=world.other_team,
        case_manager=world.other_team_case_manager,
        reason="Client moved to the other side of town.",
    )
    change = RecordChange.objects.get(kind=ChangeKind.HANDOVER)
    assert change.object_type == "clients.episode"
    assert change.object_id == episode.pk
    assert change.changed_by == world.programme_manager
    assert change.changes == [
        {"field": "team", "before": world.team.name, "after": world.other_team.name},
        {
            "field": "primary_case_manager",
            "before": str(world.case_manager),
            "after": str(world.other_team_case_manager),
        },
    ]
    assert AuditEvent.objects.filter(
        object_type="clients.episode", object_id=str(episode.pk), action="update"
    ).exists()


def test_the_handover_page_lists_earlier_hand_overs(world: World, login_as: LoginAs) -> None:
    episode = own_episode(world)
    services.hand_over_episode(
        actor=world.supervisor,
        episode=episode,
        team=world.team,
        case_manager=world.teammate,
        reason="Caseloads balanced.",
    )
    html = login_as(world.supervisor).get(f"/episodes/{episode.pk}/handover/").content.decode()
    assert "Caseloads balanced." in html
    assert world.teammate.full_name in html


def test_a_supervisor_cannot_move_an_episode_to_a_team_they_do_not_supervise(
    world: World,
) -> None:
    with pytest.raises(PermissionDenied):
        services.hand_over_episode(
            actor=world.supervisor,
            episode=own_episode(world),
            team=world.other_team,
            case_manager=world.other_team_case_manager,
            reason="Moved.",
        )


def test_the_new_case_manager_must_work_in_the_receiving_team(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        services.hand_over_episode(
            actor=world.programme_manager,
            episode=own_episode(world),
            team=world.other_team,
            case_manager=world.teammate,
            reason="Moved.",
        )
    assert "assignee" in raised.value.message_dict


def test_a_hand_over_needs_a_reason(world: World, login_as: LoginAs) -> None:
    episode = own_episode(world)
    response = login_as(world.supervisor).post(
        f"/episodes/{episode.pk}/handover/",
        {"assignee": f"{world.team.pk}:{world.teammate.pk}", "reason": ""},
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    episode.refresh_from_db()
    assert episode.primary_case_manager == world.case_manager


def test_a_closed_episode_is_not_handed_over(world: World) -> None:
    episode = close_episode(
        actor=world.supervisor,
        episode=own_episode(world),
        end_date=timezone.localdate(),
        reason=DischargeReason.GOALS_MET,
        destination="Family doctor",
    )
    with pytest.raises(ValidationError):
        services.hand_over_episode(
            actor=world.supervisor,
            episode=episode,
            team=world.team,
            case_manager=world.teammate,
            reason="Too late.",
        )


def test_two_hand_overs_from_the_same_assignment_let_only_the_first_through(
    world: World,
) -> None:
    first = own_episode(world)
    second = own_episode(world)
    services.hand_over_episode(
        actor=world.supervisor,
        episode=first,
        team=world.team,
        case_manager=world.teammate,
        reason="Leave.",
    )
    with pytest.raises(services.RecordChangedError):
        services.hand_over_episode(
            actor=world.programme_manager,
            episode=second,
            team=world.other_team,
            case_manager=world.other_team_case_manager,
            reason="Moved.",
        )


def test_open_alerts_follow_the_episode_to_its_new_team_and_case_manager(
    world: World,
) -> None:
    episode = own_episode(world)
    alert = Alert.objects.create(
        rule=AlertRule.NO_RECENT_CONTACT,
        team=episode.team,
        episode=episode,
        client=episode.client,
        worker=episode.primary_case_manager,
        subject_key=f"episode:{episode.pk}",
        opened_on=episode.start_date,
        reason={"last_contact": None, "days_since_contact": None, "days_in_episode": 30},
    )
    services.hand_over_episode(
        actor=world.programme_manager,
        episode=episode,
        team=world.other_team,
        case_manager=world.other_team_case_manager,
        reason="Moved across town.",
    )
    alert.refresh_from_db()
    assert (alert.team, alert.worker) == (world.other_team, world.other_team_case_manager)
    assert alerts_visible_to(world.other_team_case_manager).filter(pk=alert.pk).exists()
    assert not alerts_visible_to(world.case_manager).filter(pk=alert.pk).exists()


def test_the_team_page_links_each_episode_to_its_hand_over(world: World, login_as: LoginAs) -> None:
    html = login_as(world.supervisor).get(f"/teams/{world.team.pk}/").content.decode()
    assert f"/episodes/{own_episode(world).pk}/handover/" in html
