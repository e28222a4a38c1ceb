"""The administration site for agency administrators: their agency only, no escalation, audited."""

from __future__ import annotations

from tandem.accounts.models import Membership, Role, User
from tandem.audit.models import Action, AuditEvent
from tests.conftest import LoginAs, World


def test_agency_admin_lists_only_their_agency_users(world: World, login_as: LoginAs) -> None:
    html = login_as(world.agency_admin).get("/admin/accounts/user/").content.decode()
    assert world.case_manager.email in html
    assert world.other_agency_case_manager.email not in html


def test_agency_admin_cannot_make_anyone_superuser(world: World, login_as: LoginAs) -> None:
    http = login_as(world.agency_admin)
    html = http.get(f"/admin/accounts/user/{world.case_manager.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in html


def test_membership_choices_stay_inside_the_agency(world: World, login_as: LoginAs) -> None:
    html = (
        login_as(world.agency_admin)
        .get(f"/admin/accounts/user/{world.case_manager.pk}/change/")
        .content.decode()
    )
    assert world.team.name in html
    assert world.other_agency_team.name not in html


def test_adding_a_user_puts_them_in_the_admins_agency_and_is_audited(
    world: World,
    login_as: LoginAs,
) -> None:
    http = login_as(world.agency_admin)
    response = http.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.worker@agency.example",
            "full_name": "New Worker",
            "password1": "a-long-enough-passphrase-1",
            "password2": "a-long-enough-passphrase-1",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-role": Role.CASE_MANAGER,
            "memberships-0-agency": str(world.agency.pk),
            "memberships-0-programme": str(world.programme.pk),
            "memberships-0-team": str(world.team.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.worker@agency.example")
    assert user.agency_id == world.agency.pk
    membership = Membership.objects.get(user=user)
    assert membership.team_id == world.team.pk
    audited = set(
        AuditEvent.objects.filter(action=Action.CREATE).values_list("object_type", "object_id")
    )
    assert ("accounts.user", str(user.pk)) in audited
    assert ("accounts.membership", str(membership.pk)) in audited


def test_membership_in_another_agency_is_refused(world: World, login_as: LoginAs) -> None:
    http = login_as(world.agency_admin)
    response = http.post(
        "/admin/accounts/user/add/",
        {
            "email": "sneaky@agency.example",
            "full_name": "Sneaky",
            "password1": "a-long-enough-passphrase-1",
            "password2": "a-long-enough-passphrase-1",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-role": Role.SUPERVISOR,
            "memberships-0-agency": str(world.other_agency.pk),
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="sneaky@agency.example").exists()
