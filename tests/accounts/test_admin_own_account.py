"""The administration site for an agency administrator's own account: roles and access stay put."""

from __future__ import annotations

from typing import Any

from django.test import Client as HttpClient

from tandem.accounts.models import Membership, Role, User
from tests.conftest import LoginAs, World
from tests.factories import UserFactory


def change_form(user: User, memberships: list[dict[str, Any]], **fields: Any) -> dict[str, str]:
    """The POST of the admin's user page: the person's fields and their membership rows."""
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": user.preferred_language,
        "agency": str(user.agency_id or ""),
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(sum(1 for m in memberships if m.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update({k: str(v) for k, v in fields.items()})
    for i, row in enumerate(memberships):
        for key, value in row.items():
            data[f"memberships-{i}-{key}"] = "" if value is None else str(value)
        data[f"memberships-{i}-user"] = str(user.pk)
    return {k: v for k, v in data.items() if v != "" or not k.startswith("is_")}


def existing_rows(user: User) -> list[dict[str, Any]]:
    return [
        {
            "id": m.pk,
            "role": m.role,
            "agency": m.agency_id,
            "programme": m.programme_id,
            "team": m.team_id,
        }
        for m in Membership.objects.filter(user=user).order_by("pk")
    ]


def test_agency_admin_cannot_give_themselves_a_clinical_role_in_the_admin(
    world: World, login_as: LoginAs
) -> None:
    admin = world.agency_admin
    http = login_as(admin)
    rows = [
        *existing_rows(admin),
        {
            "role": Role.PROGRAMME_MANAGER,
            "agency": world.agency.pk,
            "programme": world.programme.pk,
            "team": None,
        },
    ]
    http.post(f"/admin/accounts/user/{admin.pk}/change/", change_form(admin, rows))
    assert not Membership.objects.filter(user=admin, role=Role.PROGRAMME_MANAGER).exists()
    # Signed in again, the administrator still opens no client record.
    fresh = HttpClient()
    fresh.force_login(admin)
    assert fresh.get(f"/clients/{world.own_client.pk}/").status_code == 404


def test_agency_admin_cannot_remove_their_own_role_in_the_admin(
    world: World, login_as: LoginAs
) -> None:
    admin = world.agency_admin
    rows = existing_rows(admin)
    rows[0]["DELETE"] = "on"
    login_as(admin).post(f"/admin/accounts/user/{admin.pk}/change/", change_form(admin, rows))
    assert Membership.objects.filter(user=admin, role=Role.AGENCY_ADMIN).exists()


def test_own_user_page_shows_roles_without_fields_to_change_them(
    world: World, login_as: LoginAs
) -> None:
    admin = world.agency_admin
    html = login_as(admin).get(f"/admin/accounts/user/{admin.pk}/change/").content.decode()
    assert "Agency administrator" in html
    assert 'name="memberships-0-role"' not in html
    assert 'name="is_staff"' not in html
    assert 'name="agency"' not in html


def test_agency_admin_cannot_drop_their_own_staff_status_or_agency(
    world: World, login_as: LoginAs
) -> None:
    admin = world.agency_admin
    form = change_form(admin, existing_rows(admin))
    form.pop("is_staff")
    form["agency"] = ""
    login_as(admin).post(f"/admin/accounts/user/{admin.pk}/change/", form)
    admin.refresh_from_db()
    assert admin.is_staff
    assert admin.agency_id == world.agency.pk


def test_agency_admin_does_not_see_or_reset_a_superusers_account(
    world: World, login_as: LoginAs
) -> None:
    root = UserFactory.create(is_staff=True, is_superuser=True, agency=world.agency)
    http = login_as(world.agency_admin)
    assert root.email not in http.get("/admin/accounts/user/").content.decode()
    response = http.post(
        f"/admin/accounts/user/{root.pk}/password/",
        {"password1": "a-long-new-passphrase-9", "password2": "a-long-new-passphrase-9"},
    )
    assert response.status_code in (302, 404)
    root.refresh_from_db()
    assert not root.check_password("a-long-new-passphrase-9")


def test_deleting_a_person_who_holds_a_role_is_refused_until_it_is_removed(
    world: World, login_as: LoginAs
) -> None:
    person = world.trainer
    response = login_as(world.agency_admin).post(
        f"/admin/accounts/user/{person.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 200  # the page listing what protects the person
    assert User.objects.filter(pk=person.pk).exists()
    assert Membership.objects.filter(user=person).exists()
