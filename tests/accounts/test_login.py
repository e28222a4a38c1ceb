"""Sign-in: generic failures that are counted, lockout, and the session lifetime."""

from __future__ import annotations

import time

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client as HttpClient

from tandem.accounts.middleware import LOGIN_AT_KEY
from tandem.audit.models import Action, AuditEvent
from tests.conftest import LoginAs, World
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def test_right_password_signs_in_with_any_case_of_email(world: World) -> None:
    http = HttpClient()
    response = http.post(
        LOGIN, {"username": world.case_manager.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert http.get("/caseload/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor_id=world.case_manager.pk).exists()


def test_wrong_password_gets_a_generic_message_and_is_counted(world: World) -> None:
    http = HttpClient()
    response = http.post(LOGIN, {"username": world.case_manager.email, "password": "wrong-one"})
    unknown = http.post(LOGIN, {"username": "nobody@agency.example", "password": "wrong-one"})
    assert response.status_code == unknown.status_code == 200
    message = "The email or password is not right"
    assert message in response.content.decode()
    assert message in unknown.content.decode()
    assert AccessAttempt.objects.get(username=world.case_manager.email).failures_since_start == 1
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 2


def test_failed_login_keeps_the_typed_email(world: World) -> None:
    response = HttpClient().post(LOGIN, {"username": world.case_manager.email, "password": "x"})
    assert f'value="{world.case_manager.email}"' in response.content.decode()


def test_login_form_names_a_missing_field(world: World) -> None:
    response = HttpClient().post(LOGIN, {"username": world.case_manager.email, "password": ""})
    assert response.context["form"].errors["password"]


def test_five_failures_lock_the_account_even_with_the_right_password(world: World) -> None:
    http = HttpClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        http.post(LOGIN, {"username": world.case_manager.email, "password": "wrong-one"})
    locked = http.post(LOGIN, {"username": world.case_manager.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert http.get("/caseload/").status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT).exists()


def test_idle_sessions_expire_after_thirty_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_sessions_end_twelve_hours_after_sign_in_however_active(world: World) -> None:
    http = HttpClient()
    http.post(LOGIN, {"username": world.case_manager.email, "password": PASSWORD})
    assert http.get("/caseload/").status_code == 200
    session = http.session
    session[LOGIN_AT_KEY] = time.time() - 12 * 60 * 60 - 1
    session.save()
    response = http.get("/caseload/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_needs_post_and_ends_the_session(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    assert http.get("/accounts/logout/").status_code == 405
    assert http.post("/accounts/logout/").status_code == 302
    assert http.get("/caseload/").status_code == 302


def test_password_change_rejects_a_short_password_and_keeps_the_form(world: World) -> None:
    http = HttpClient()
    http.post(LOGIN, {"username": world.case_manager.email, "password": PASSWORD})
    response = http.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert 'id="id_new_password2"' in response.content.decode()


def test_password_change_succeeds_and_is_audited(world: World) -> None:
    http = HttpClient()
    http.post(LOGIN, {"username": world.case_manager.email, "password": PASSWORD})
    new = "a-much-longer-passphrase-2026"
    response = http.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    world.case_manager.refresh_from_db()
    assert world.case_manager.check_password(new)
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE).exists()


def test_the_application_hashes_passwords_with_argon2() -> None:
    from tandem import settings as app_settings  # the test settings swap in a fast hasher

    assert app_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
