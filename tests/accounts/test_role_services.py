"""Roles are granted and removed only through the services, never by the person themselves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.accounts import services
from tandem.accounts.models import Membership, Role, RoleChange
from tandem.audit.models import AuditEvent, Outcome
from tests.conftest import World
from tests.factories import UserFactory


def test_nobody_grants_themselves_a_role_through_the_service(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.grant_role(
            actor=world.agency_admin,
            user=world.agency_admin,
            role=Role.PROGRAMME_MANAGER,
            agency=world.agency,
            programme=world.programme,
        )
    assert not Membership.objects.filter(
        user=world.agency_admin, role=Role.PROGRAMME_MANAGER
    ).exists()
    assert not RoleChange.objects.exists()


def test_a_superuser_does_not_grant_themselves_a_role_either(world: World) -> None:
    root = UserFactory.create(is_staff=True, is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.grant_role(
            actor=root, user=root, role=Role.SUPERVISOR, agency=world.agency, team=world.team
        )


def test_nobody_removes_their_own_role_through_the_service(world: World) -> None:
    own = Membership.objects.get(user=world.agency_admin)
    with pytest.raises(PermissionDenied):
        services.revoke_role(actor=world.agency_admin, membership=own)
    assert Membership.objects.filter(pk=own.pk).exists()


def test_agency_admin_cannot_grant_a_role_in_another_agency(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.grant_role(
            actor=world.agency_admin,
            user=world.other_agency_case_manager,
            role=Role.SUPERVISOR,
            agency=world.other_agency,
            team=world.other_agency_team,
        )


def test_a_clinician_grants_no_role(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.grant_role(
            actor=world.programme_manager,
            user=world.case_manager,
            role=Role.SUPERVISOR,
            agency=world.agency,
            team=world.team,
        )


def test_granting_a_role_already_held_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        services.grant_role(
            actor=world.agency_admin,
            user=world.case_manager,
            role=Role.CASE_MANAGER,
            agency=world.agency,
            team=world.team,
        )
    assert not RoleChange.objects.exists()


def test_a_refused_grant_is_audited(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.grant_role(
            actor=world.agency_admin,
            user=world.agency_admin,
            role=Role.PROGRAMME_MANAGER,
            agency=world.agency,
            programme=world.programme,
        )
    assert AuditEvent.objects.filter(
        actor_id=world.agency_admin.pk,
        object_type="accounts.membership",
        outcome=Outcome.DENIED,
    ).exists()


def test_a_superuser_grants_a_role_to_someone_else(world: World) -> None:
    root = UserFactory.create(is_staff=True, is_superuser=True)
    services.grant_role(
        actor=root, user=world.trainer, role=Role.SUPERVISOR, agency=world.agency, team=world.team
    )
    assert RoleChange.objects.get().changed_by == root
