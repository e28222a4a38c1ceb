"""Which programmes a person manages: one definition for every page that asks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Role, User
from tandem.orgs.selectors import programmes_managed_by
from tests.conftest import World
from tests.factories import MembershipFactory, ProgrammeFactory, TeamFactory, UserFactory


def _managed(user: User | AnonymousUser) -> list[str]:
    return list(programmes_managed_by(user).values_list("name", flat=True))


def test_a_programme_membership_gives_that_programme_only(world: World) -> None:
    assert _managed(world.programme_manager) == ["P1"]


def test_a_programme_without_teams_yet_is_managed_too(world: World) -> None:
    new = ProgrammeFactory.create(agency=world.agency, name="P0 (no teams yet)")
    MembershipFactory.create(
        user=world.programme_manager, role=Role.PROGRAMME_MANAGER, programme=new
    )
    assert _managed(world.programme_manager) == ["P0 (no teams yet)", "P1"]


def test_an_agency_membership_gives_every_programme_of_the_agency_only(world: World) -> None:
    manager = UserFactory.create(agency=world.agency)
    MembershipFactory.create(user=manager, role=Role.PROGRAMME_MANAGER, agency=world.agency)
    assert _managed(manager) == ["P1", "P2"]


def test_a_team_membership_gives_the_teams_programme(world: World) -> None:
    manager = UserFactory.create(agency=world.agency)
    MembershipFactory.create(user=manager, role=Role.PROGRAMME_MANAGER, team=world.other_team)
    assert _managed(manager) == ["P1"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASE_MANAGER, Role.AGENCY_ADMIN])
def test_other_roles_manage_no_programme(world: World, role: Role) -> None:
    assert _managed(world.user(role)) == []


def test_an_inactive_or_anonymous_user_manages_nothing(world: World) -> None:
    world.programme_manager.is_active = False
    world.programme_manager.save()
    assert _managed(world.programme_manager) == []
    assert _managed(AnonymousUser()) == []


def test_a_membership_never_reaches_past_its_agency(world: World) -> None:
    # An inconsistent row (a programme of another agency) reaches nothing.
    manager = UserFactory.create(agency=world.agency)
    MembershipFactory.create(
        user=manager,
        role=Role.PROGRAMME_MANAGER,
        agency=world.agency,
        programme=world.other_agency_team.programme,
    )
    TeamFactory.create(programme=world.other_agency_team.programme)
    assert _managed(manager) == []


def test_the_managed_programmes_take_one_query(world: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        _managed(world.programme_manager)
    assert len(queries) == 1
