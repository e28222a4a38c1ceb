"""Every role granted or removed is recorded, audited and listed for the agency's administrators."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import ProtectedError
from django.test import Client as HttpClient

from tandem.accounts import services
from tandem.accounts.models import Membership, Role, RoleChange, User
from tandem.audit.models import Action, AuditEvent
from tests.accounts.test_admin_own_account import change_form, existing_rows
from tests.conftest import LoginAs, World
from tests.factories import MembershipFactory, UserFactory

PAGE = "/accounts/role-changes/"


def second_admin(world: World) -> User:
    """Another administrator of agency A, who did not make the change."""
    user = UserFactory.create(agency=world.agency, is_staff=True, full_name="Second Admin")
    MembershipFactory.create(user=user, role=Role.AGENCY_ADMIN, agency=world.agency)
    return user


def other_agency_admin(world: World) -> User:
    user = UserFactory.create(agency=world.other_agency, is_staff=True, full_name="Z Admin")
    MembershipFactory.create(user=user, role=Role.AGENCY_ADMIN, agency=world.other_agency)
    return user


def signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_granting_a_clinical_role_in_the_admin_is_recorded_and_audited(
    world: World, login_as: LoginAs
) -> None:
    person = world.case_manager
    rows = [
        *existing_rows(person),
        {"role": Role.SUPERVISOR, "agency": world.agency.pk, "team": world.team.pk},
    ]
    response = login_as(world.agency_admin).post(
        f"/admin/accounts/user/{person.pk}/change/", change_form(person, rows)
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=person, role=Role.SUPERVISOR)
    change = RoleChange.objects.get()
    assert (change.user, change.changed_by, change.role, change.kind) == (
        person,
        world.agency_admin,
        Role.SUPERVISOR,
        RoleChange.Kind.GRANTED,
    )
    assert (change.agency, change.programme, change.team) == (
        world.agency,
        world.programme,
        world.team,
    )
    assert AuditEvent.objects.filter(
        action=Action.CREATE,
        actor_id=world.agency_admin.pk,
        object_type="accounts.membership",
        object_id=str(membership.pk),
        agency_id=world.agency.pk,
    ).exists()


def test_removing_a_role_in_the_admin_is_recorded_and_audited(
    world: World, login_as: LoginAs
) -> None:
    person = world.supervisor
    rows = existing_rows(person)
    rows[0]["DELETE"] = "on"
    pk = rows[0]["id"]
    login_as(world.agency_admin).post(
        f"/admin/accounts/user/{person.pk}/change/", change_form(person, rows)
    )
    assert not Membership.objects.filter(pk=pk).exists()
    change = RoleChange.objects.get()
    assert (change.user, change.role, change.kind, change.team) == (
        person,
        Role.SUPERVISOR,
        RoleChange.Kind.REVOKED,
        world.team,
    )
    assert AuditEvent.objects.filter(
        action=Action.DELETE, object_type="accounts.membership", object_id=str(pk)
    ).exists()


def test_changing_a_role_in_the_admin_records_the_old_removed_and_the_new_granted(
    world: World, login_as: LoginAs
) -> None:
    person = world.case_manager
    rows = existing_rows(person)
    rows[0]["role"] = Role.PROGRAMME_MANAGER
    rows[0]["team"] = None
    login_as(world.agency_admin).post(
        f"/admin/accounts/user/{person.pk}/change/", change_form(person, rows)
    )
    changes = list(RoleChange.objects.order_by("pk").values_list("kind", "role", "team"))
    assert changes == [
        (RoleChange.Kind.REVOKED, Role.CASE_MANAGER, world.team.pk),
        (RoleChange.Kind.GRANTED, Role.PROGRAMME_MANAGER, None),
    ]


def test_another_admin_of_the_agency_sees_the_change_on_the_role_changes_page(
    world: World,
) -> None:
    services.grant_role(
        actor=world.agency_admin,
        user=world.case_manager,
        role=Role.PROGRAMME_MANAGER,
        agency=world.agency,
        programme=world.programme,
    )
    response = signed_in(second_admin(world)).get(PAGE)
    assert response.status_code == 200
    [change] = response.context["page"].object_list
    assert change.user == world.case_manager
    html = response.content.decode()
    assert world.case_manager.full_name in html
    assert "Programme manager" in html
    assert world.agency_admin.full_name in html
    assert "opens client records" in html


def test_an_administrator_of_another_agency_sees_none_of_it(world: World) -> None:
    services.grant_role(
        actor=world.agency_admin,
        user=world.case_manager,
        role=Role.SUPERVISOR,
        agency=world.agency,
        team=world.team,
    )
    response = signed_in(other_agency_admin(world)).get(PAGE)
    assert list(response.context["page"].object_list) == []
    assert world.case_manager.full_name not in response.content.decode()


def test_role_changes_are_listed_newest_first_fifty_to_a_page(world: World) -> None:
    for _ in range(30):
        membership = services.grant_role(
            actor=world.agency_admin,
            user=world.trainer,
            role=Role.ASSESSOR,
            agency=world.agency,
        )
        services.revoke_role(actor=world.agency_admin, membership=membership)
    http = signed_in(second_admin(world))
    first = http.get(PAGE).context["page"]
    assert first.paginator.count == 60
    assert len(first.object_list) == 50
    assert first.object_list[0].kind == RoleChange.Kind.REVOKED
    assert first.object_list[0].pk == RoleChange.objects.order_by("-pk").first().pk  # type: ignore[union-attr]  # one was just made
    assert len(http.get(PAGE, {"page": 2}).context["page"].object_list) == 10
    assert len(http.get(PAGE, {"page": "not-a-number"}).context["page"].object_list) == 50


def test_role_changes_page_lists_without_a_query_per_row(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for person in (world.case_manager, world.teammate, world.trainer, world.researcher):
        services.grant_role(
            actor=world.agency_admin, user=person, role=Role.ASSESSOR, agency=world.agency
        )
    http = signed_in(second_admin(world))
    with django_assert_max_num_queries(16):
        http.get(PAGE)


def test_role_changes_page_says_what_to_do_when_empty(world: World, login_as: LoginAs) -> None:
    response = login_as(world.agency_admin).get(PAGE)
    assert "No role has been given or taken away yet" in response.content.decode()


def test_role_changes_page_reads_in_french(world: World, login_as: LoginAs) -> None:
    http = login_as(world.agency_admin)
    http.cookies["tandem_language"] = "fr"
    assert "Changements de rôle" in http.get(PAGE).content.decode()


def test_the_menu_links_agency_administrators_to_their_pages(
    world: World, login_as: LoginAs
) -> None:
    html = login_as(world.agency_admin).get("/").content.decode()
    assert f'href="{PAGE}"' in html
    assert 'href="/accounts/locked/"' in html
    clinician = signed_in(world.supervisor).get("/teams/").content.decode()
    assert f'href="{PAGE}"' not in clinician


def test_clinicians_do_not_see_role_changes(world: World) -> None:
    assert signed_in(world.programme_manager).get(PAGE).status_code == 403


def test_a_person_holding_a_role_cannot_be_deleted_around_the_services(world: World) -> None:
    with pytest.raises(ProtectedError):
        world.trainer.delete()
    with pytest.raises(ProtectedError):
        world.other_team.delete()
    assert Membership.objects.filter(user=world.trainer).exists()


@pytest.mark.demo
def test_the_demo_loader_records_its_roles(demo_db: None) -> None:
    from tandem.site.demo import load_demo

    load_demo(n_clients=8)
    assert RoleChange.objects.filter(kind=RoleChange.Kind.GRANTED).count() == (
        Membership.objects.count()
    )
    assert not RoleChange.objects.exclude(changed_by=None).exists()
