"""A password set by someone else must be changed at the next sign-in, and the person is told."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client as HttpClient

from tandem.accounts.models import User
from tandem.audit.models import Action, AuditEvent
from tests.conftest import LoginAs, World
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
CHANGE = "/accounts/password/"
NEW = "an-administrator-chose-this-1"
OWN = "the-person-chose-this-one-2"


def reset_by_admin(http: HttpClient, user: User) -> Any:
    return http.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )


def sign_in(email: str, password: str) -> HttpClient:
    http = HttpClient()
    response = http.post(LOGIN, {"username": email, "password": password})
    assert response.status_code == 302
    return http


def test_admin_reset_sends_the_person_to_change_their_password_on_every_page(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert reset_by_admin(login_as(world.agency_admin), world.case_manager).status_code == 302
    http = sign_in(world.case_manager.email, NEW)
    for path in ("/caseload/", "/", f"/clients/{world.own_client.pk}/", "/admin/"):
        response = http.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(CHANGE), path
    assert http.get(CHANGE).status_code == 200


def test_the_forced_change_still_lets_the_person_sign_out_or_switch_language(
    world: World, login_as: LoginAs
) -> None:
    reset_by_admin(login_as(world.agency_admin), world.case_manager)
    http = sign_in(world.case_manager.email, NEW)
    switched = http.post("/i18n/setlang/", {"language": "fr", "next": CHANGE})
    assert switched["Location"] == CHANGE
    assert http.post("/accounts/logout/")["Location"].startswith(LOGIN)


def test_changing_the_password_ends_the_forced_change(world: World, login_as: LoginAs) -> None:
    reset_by_admin(login_as(world.agency_admin), world.case_manager)
    http = sign_in(world.case_manager.email, NEW)
    response = http.post(CHANGE, {"old_password": NEW, "new_password1": OWN, "new_password2": OWN})
    assert response.status_code == 302
    assert http.get("/caseload/").status_code == 200
    world.case_manager.refresh_from_db()
    assert world.case_manager.check_password(OWN)


def test_admin_reset_emails_the_person_without_the_password(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reset_by_admin(login_as(world.agency_admin), world.case_manager)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.case_manager.email]
    assert NEW not in message.body
    assert NEW not in message.subject


def test_admin_reset_is_audited_with_who_reset_whose_password(
    world: World, login_as: LoginAs
) -> None:
    reset_by_admin(login_as(world.agency_admin), world.case_manager)
    assert AuditEvent.objects.filter(
        action=Action.PASSWORD_CHANGE,
        actor_id=world.agency_admin.pk,
        object_type="accounts.user",
        object_id=str(world.case_manager.pk),
    ).exists()


def test_a_person_created_with_a_password_must_change_it_at_first_sign_in(
    world: World, login_as: LoginAs
) -> None:
    login_as(world.agency_admin).post(
        "/admin/accounts/user/add/",
        {
            "email": "new.worker@agency.example",
            "full_name": "New Worker",
            "password1": NEW,
            "password2": NEW,
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    http = sign_in("new.worker@agency.example", NEW)
    assert http.get("/")["Location"].startswith(CHANGE)


def test_changing_ones_own_password_forces_nothing(world: World) -> None:
    http = sign_in(world.case_manager.email, PASSWORD)
    http.post(CHANGE, {"old_password": PASSWORD, "new_password1": OWN, "new_password2": OWN})
    again = sign_in(world.case_manager.email, OWN)
    assert again.get("/caseload/").status_code == 200
    assert mail.outbox == []


def test_an_admin_changing_someones_email_tells_the_old_address(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    person = world.case_manager
    old = person.email
    with django_capture_on_commit_callbacks(execute=True):
        response = login_as(world.agency_admin).post(
            f"/admin/accounts/user/{person.pk}/change/",
            {
                "email": "someone.else@agency.example",
                "full_name": person.full_name,
                "preferred_language": person.preferred_language,
                "agency": str(world.agency.pk),
                "is_active": "on",
                "memberships-TOTAL_FORMS": "0",
                "memberships-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[old]]


def test_an_htmx_request_is_sent_to_the_password_change_as_a_whole_page(
    world: World, login_as: LoginAs
) -> None:
    reset_by_admin(login_as(world.agency_admin), world.case_manager)
    http = sign_in(world.case_manager.email, NEW)
    response = http.get("/caseload/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == CHANGE


def test_the_new_password_must_differ_from_the_one_given(world: World, login_as: LoginAs) -> None:
    reset_by_admin(login_as(world.agency_admin), world.case_manager)
    http = sign_in(world.case_manager.email, NEW)
    response = http.post(CHANGE, {"old_password": NEW, "new_password1": NEW, "new_password2": NEW})
    assert response.context["form"].has_error("new_password1", "password_unchanged")
    assert http.get("/caseload/").status_code == 302
