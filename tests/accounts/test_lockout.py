"""Lockout per account and per address, its cool-off, and the unlock by an agency administrator."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.audit.models import AuditEvent
from tests.conftest import FormClient, LoginAs, World
from tests.factories import PASSWORD, MembershipFactory, UserFactory

LOGIN = "/accounts/login/"
LOCKED = "/accounts/locked/"
ADDRESS_A = "198.51.100.7"
ADDRESS_B = "203.0.113.9"


def fail_from(address: str, email: str, times: int = settings.AXES_FAILURE_LIMIT) -> None:
    http = HttpClient(REMOTE_ADDR=address)
    for _ in range(times):
        http.post(LOGIN, {"username": email, "password": "not-the-password"})


def sign_in_from(address: str, email: str) -> int:
    return (
        HttpClient(REMOTE_ADDR=address)
        .post(LOGIN, {"username": email, "password": PASSWORD})
        .status_code
    )


def test_failures_from_one_address_lock_the_account_from_every_address(world: World) -> None:
    fail_from(ADDRESS_A, world.case_manager.email)
    assert sign_in_from(ADDRESS_B, world.case_manager.email) == 429


def test_changing_the_case_of_the_email_does_not_dodge_the_account_lock(world: World) -> None:
    email = world.case_manager.email
    variants = [email, email.upper(), email.title(), f" {email}", email.capitalize()]
    for variant in variants[: settings.AXES_FAILURE_LIMIT]:
        fail_from(ADDRESS_A, variant, times=1)
    assert sign_in_from(ADDRESS_B, email) == 429


def test_failures_against_many_accounts_lock_the_address(world: World) -> None:
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
        fail_from(ADDRESS_A, f"guess{n}@agency.example", times=1)
    assert sign_in_from(ADDRESS_A, world.case_manager.email) == 429
    assert sign_in_from(ADDRESS_B, world.case_manager.email) == 302


def test_one_persons_failures_do_not_lock_colleagues_at_the_same_address(world: World) -> None:
    fail_from(ADDRESS_A, world.teammate.email)
    assert sign_in_from(ADDRESS_A, world.case_manager.email) == 302


def test_signing_in_clears_only_ones_own_failures(world: World) -> None:
    fail_from(ADDRESS_A, world.teammate.email)
    assert sign_in_from(ADDRESS_A, world.case_manager.email) == 302
    assert sign_in_from(ADDRESS_B, world.teammate.email) == 429


def test_the_account_unlocks_itself_after_the_cool_off(world: World) -> None:
    fail_from(ADDRESS_A, world.case_manager.email)
    assert sign_in_from(ADDRESS_B, world.case_manager.email) == 429
    # Every failure, including the refused attempt from B, is now older than the cool-off.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert sign_in_from(ADDRESS_B, world.case_manager.email) == 302


def test_agency_admin_sees_the_locked_accounts_of_their_agency(
    world: World, login_as: LoginAs
) -> None:
    fail_from(ADDRESS_A, world.case_manager.email)
    fail_from(ADDRESS_A, world.other_agency_case_manager.email)
    fail_from(ADDRESS_B, world.teammate.email, times=settings.AXES_FAILURE_LIMIT - 1)
    response = login_as(world.agency_admin).get(LOCKED)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.case_manager.email in html
    assert world.other_agency_case_manager.email not in html
    assert world.teammate.email not in html  # not locked yet


def test_locked_accounts_page_says_when_nobody_is_locked(world: World, login_as: LoginAs) -> None:
    response = login_as(world.agency_admin).get(LOCKED)
    assert response.context["locked"] == []
    assert "No account is locked" in response.content.decode()


def test_agency_admin_unlocks_an_account_and_it_is_audited(world: World, login_as: LoginAs) -> None:
    fail_from(ADDRESS_A, world.case_manager.email)
    response = login_as(world.agency_admin).post(f"{LOCKED}{world.case_manager.pk}/unlock/")
    assert response.status_code == 302
    assert sign_in_from(ADDRESS_A, world.case_manager.email) == 302
    assert AuditEvent.objects.filter(
        actor_id=world.agency_admin.pk,
        object_type="accounts.lockout",
        object_id=str(world.case_manager.pk),
        outcome="ok",
    ).exists()


def test_agency_admin_cannot_unlock_another_agencys_user(world: World, login_as: LoginAs) -> None:
    fail_from(ADDRESS_A, world.other_agency_case_manager.email)
    target = world.other_agency_case_manager
    response = login_as(world.agency_admin).post(f"{LOCKED}{target.pk}/unlock/")
    assert response.status_code == 404
    assert sign_in_from(ADDRESS_B, target.email) == 429
    assert AuditEvent.objects.filter(
        actor_id=world.agency_admin.pk, object_id=str(target.pk), outcome="denied"
    ).exists()


def test_an_admin_of_the_other_agency_unlocks_their_own_people(world: World) -> None:
    other_admin = UserFactory.create(agency=world.other_agency, is_staff=True)
    MembershipFactory.create(user=other_admin, role=Role.AGENCY_ADMIN, agency=world.other_agency)
    fail_from(ADDRESS_A, world.other_agency_case_manager.email)
    http = FormClient()
    http.force_login(other_admin)
    assert world.other_agency_case_manager.email in http.get(LOCKED).content.decode()
    http.post(f"{LOCKED}{world.other_agency_case_manager.pk}/unlock/")
    assert sign_in_from(ADDRESS_A, world.other_agency_case_manager.email) == 302


def test_unlocking_needs_a_post(world: World, login_as: LoginAs) -> None:
    fail_from(ADDRESS_A, world.case_manager.email)
    response = login_as(world.agency_admin).get(f"{LOCKED}{world.case_manager.pk}/unlock/")
    assert response.status_code == 405
    assert sign_in_from(ADDRESS_B, world.case_manager.email) == 429


def test_clinicians_do_not_see_locked_accounts(world: World, login_as: LoginAs) -> None:
    assert login_as(world.programme_manager).get(LOCKED).status_code == 403


def test_clinicians_cannot_unlock_anyone(world: World, login_as: LoginAs) -> None:
    fail_from(ADDRESS_A, world.case_manager.email)
    response = login_as(world.supervisor).post(f"{LOCKED}{world.case_manager.pk}/unlock/")
    assert response.status_code == 403
    assert sign_in_from(ADDRESS_B, world.case_manager.email) == 429
