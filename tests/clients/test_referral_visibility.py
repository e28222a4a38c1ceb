"""Who may open a referral: its programme's intake roles until assigned, then as its client.

Once a referral has opened an episode, it holds the same identifying facts as the client record
(name, date of birth, phone, risks), so it is shown only to people who may open that client.
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.clients import selectors, services
from tandem.clients.models import Referral, ReferralStatus
from tests.clients.factories import ReferralFactory
from tests.conftest import LoginAs, World
from tests.factories import MembershipFactory, UserFactory


def _assigned_to_other_team(world: World) -> Referral:
    """A referral the programme manager assigned to a case manager of team A2."""
    referral = ReferralFactory.create(
        programme=world.programme,
        created_by=world.programme_manager,
        status=ReferralStatus.WAITLISTED,
    )
    services.assign_referral(
        actor=world.programme_manager,
        referral=referral,
        team=world.other_team,
        case_manager=world.other_team_case_manager,
        start_date=timezone.localdate(),
    )
    referral.refresh_from_db()
    return referral


def _other_team_supervisor(world: World) -> User:
    user = UserFactory.create(full_name="A2 supervisor", agency=world.agency)
    MembershipFactory.create(
        user=user,
        role=Role.SUPERVISOR,
        agency=world.agency,
        programme=world.programme,
        team=world.other_team,
    )
    return user


def _get(user: User, path: str) -> int:
    http = HttpClient()
    http.force_login(user)
    return http.get(path).status_code


def test_supervisor_of_another_team_gets_404_on_an_assigned_referral(world: World) -> None:
    referral = _assigned_to_other_team(world)
    assert _get(world.supervisor, f"/clients/{referral.client_id}/") == 404
    assert _get(world.supervisor, f"/referrals/{referral.pk}/") == 404


def test_refused_assigned_referral_is_audited_as_a_denied_read(world: World) -> None:
    referral = _assigned_to_other_team(world)
    _get(world.supervisor, f"/referrals/{referral.pk}/")
    assert AuditEvent.objects.filter(
        actor_id=world.supervisor.pk,
        action=Action.VIEW,
        object_type="clients.referral",
        object_id=str(referral.pk),
        outcome=Outcome.DENIED,
    ).exists()


def test_supervisor_of_the_clients_team_still_opens_the_assigned_referral(world: World) -> None:
    referral = _assigned_to_other_team(world)
    assert _get(_other_team_supervisor(world), f"/referrals/{referral.pk}/") == 200


def test_programme_manager_still_opens_the_assigned_referral(world: World) -> None:
    referral = _assigned_to_other_team(world)
    assert _get(world.programme_manager, f"/referrals/{referral.pk}/") == 200


@pytest.mark.parametrize("status", [ReferralStatus.RECEIVED, ReferralStatus.WAITLISTED])
def test_unassigned_referral_is_open_to_every_intake_role_of_the_programme(
    world: World, status: ReferralStatus
) -> None:
    referral = ReferralFactory.create(
        programme=world.programme, created_by=world.programme_manager, status=status
    )
    assert _get(world.supervisor, f"/referrals/{referral.pk}/") == 200
    assert _get(_other_team_supervisor(world), f"/referrals/{referral.pk}/") == 200
    assert _get(world.programme_manager, f"/referrals/{referral.pk}/") == 200


def test_assigned_referral_is_left_out_of_what_another_team_supervisor_may_read(
    world: World,
) -> None:
    assigned = _assigned_to_other_team(world)
    waiting = ReferralFactory.create(
        programme=world.programme,
        created_by=world.programme_manager,
        status=ReferralStatus.WAITLISTED,
    )
    visible = set(selectors.referrals_visible_to(world.supervisor))
    assert waiting in visible
    assert assigned not in visible
    assert assigned in set(selectors.referrals_visible_to(world.programme_manager))


def test_supervisor_of_another_programme_gets_404_on_a_referral(
    world: World, login_as: LoginAs
) -> None:
    referral = ReferralFactory.create(
        programme=world.other_programme_team.programme, created_by=world.supervisor
    )
    assert login_as(world.supervisor).get(f"/referrals/{referral.pk}/").status_code == 404
