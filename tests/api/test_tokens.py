"""Personal API tokens: made and shown once, stored hashed, scoped, revoked, expired, audited."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.utils import timezone

from tandem.accounts.models import Membership, Role
from tandem.api.models import ApiToken
from tandem.api.services import create_token, revoke_token
from tandem.audit.models import Action, AuditEvent, Outcome
from tests.api.access import bearer_token_for
from tests.api.helpers import api_client, problem, token_text
from tests.conftest import FormClient, World

TOKEN_IN_PAGE = re.compile(r"tdm_[0-9a-f]{12}_[A-Za-z0-9_-]{40,}")


def _signed_in(user: object) -> FormClient:
    http = FormClient()
    http.force_login(user)  # type: ignore[arg-type]  # a User
    return http


def test_token_is_stored_only_as_the_hash_of_its_secret(world: World) -> None:
    issued = create_token(
        actor=world.case_manager, user=world.case_manager, name="R", scopes="read:clients"
    )
    _scheme, prefix, secret = issued.text.split("_", 2)
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert len(secret) >= 43  # 256 bits in URL-safe base64
    assert token.prefix == prefix
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(value) for value in ApiToken.objects.values_list().get())
    assert secret not in stored


def test_page_shows_a_new_token_once(world: World) -> None:
    http = _signed_in(world.case_manager)
    made = http.post(
        "/account/tokens/", {"name": "evaluation", "scopes": ["read:clients", "read:measures"]}
    )
    assert made.status_code == 200
    shown = TOKEN_IN_PAGE.findall(made.content.decode())
    assert len(shown) == 1
    assert api_client(shown[0]).get("/api/v1/clients").status_code == 200
    again = http.get("/account/tokens/")
    assert TOKEN_IN_PAGE.findall(again.content.decode()) == []
    assert ApiToken.objects.get().scopes == ["read:clients", "read:measures"]


def test_scope_beyond_the_persons_roles_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        create_token(actor=world.researcher, user=world.researcher, name="x", scopes="read:clients")
    assert caught.value.error_dict["scopes"][0].code == "beyond_role"
    assert not ApiToken.objects.exists()


def test_unknown_scope_is_refused_naming_the_field(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        create_token(actor=None, user=world.case_manager, name="x", scopes="read:everything")
    assert caught.value.error_dict["scopes"][0].code == "unknown_scope"


def test_nobody_makes_a_token_for_someone_else(world: World) -> None:
    with pytest.raises(PermissionDenied):
        create_token(
            actor=world.agency_admin, user=world.case_manager, name="x", scopes="read:clients"
        )


@pytest.mark.parametrize(
    "header",
    ["", "Bearer ", "Bearer tdm_000000000000_guess", "Basic abc", "Bearer nonsense"],
)
def test_missing_or_unknown_token_gets_401_problem(world: World, header: str) -> None:
    http = HttpClient(headers={"Authorization": header} if header else {})
    response = http.get("/api/v1/clients")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert problem(response)["type"] == "urn:tandem:problem:unauthenticated"


def test_revoked_token_gets_401(world: World) -> None:
    text = token_text(world.case_manager)
    http = api_client(text)
    assert http.get("/api/v1/clients").status_code == 200
    revoke_token(actor=world.case_manager, token=ApiToken.objects.get())
    assert problem(http.get("/api/v1/clients"))["status"] == 401


def test_expired_token_gets_401(world: World) -> None:
    issued = create_token(
        actor=None, user=world.case_manager, name="x", scopes="read:clients", expires_in_days=1
    )
    http = api_client(issued.text)
    assert http.get("/api/v1/clients").status_code == 200
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert problem(http.get("/api/v1/clients"))["status"] == 401


def test_token_of_a_deactivated_person_gets_401(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    world.case_manager.is_active = False
    world.case_manager.save(update_fields=["is_active"])
    assert http.get("/api/v1/clients").status_code == 401


def test_token_without_the_scope_gets_403_problem(world: World) -> None:
    http = api_client(token_text(world.case_manager, scopes="read:measures"))
    response = http.get("/api/v1/clients")
    assert response.status_code == 403
    assert problem(response)["type"] == "urn:tandem:problem:insufficient_scope"


def test_read_scope_does_not_write(world: World) -> None:
    http = api_client(token_text(world.case_manager, scopes="read:measures"))
    response = http.post("/api/v1/responses", "{}", content_type="application/json")
    assert response.status_code in {403, 422}
    assert problem(response)["status"] == response.status_code


def test_token_gives_no_more_than_the_persons_roles_today(world: World) -> None:
    http = api_client(token_text(world.case_manager, scopes="read:clients"))
    assert http.get("/api/v1/clients").status_code == 200
    Membership.objects.filter(user=world.case_manager).update(role=Role.TRAINER)
    assert problem(http.get("/api/v1/clients"))["status"] == 403


def test_token_holding_scopes_its_roles_lack_still_gets_403(world: World) -> None:
    http = api_client(bearer_token_for(world.researcher))
    assert http.get("/api/v1/clients").status_code == 403
    assert http.get("/api/v1/administrations").status_code == 403


def test_owner_revokes_a_token_on_their_page(world: World) -> None:
    token_text(world.case_manager)
    token = ApiToken.objects.get()
    http = _signed_in(world.case_manager)
    assert http.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == world.case_manager


def test_someone_else_cannot_revoke_my_token_from_their_page(world: World) -> None:
    token_text(world.case_manager)
    token = ApiToken.objects.get()
    http = _signed_in(world.teammate)
    assert http.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_agency_admin_lists_and_revokes_their_agencys_tokens(world: World) -> None:
    token_text(world.case_manager)
    token = ApiToken.objects.get()
    http = _signed_in(world.agency_admin)
    listing = http.get("/account/agency-tokens/")
    assert token.prefix in listing.content.decode()
    assert http.post(f"/account/agency-tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == world.agency_admin


def test_agency_admin_does_not_reach_another_agencys_tokens(world: World) -> None:
    token_text(world.other_agency_case_manager)
    token = ApiToken.objects.get()
    http = _signed_in(world.agency_admin)
    assert token.prefix not in http.get("/account/agency-tokens/").content.decode()
    assert http.post(f"/account/agency-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_command_line_prints_a_working_token_once(world: World) -> None:
    out = StringIO()
    call_command(
        "api",
        "token",
        "create",
        world.case_manager.email.upper(),
        "--scopes",
        "read:clients,write:measures",
        "--expires",
        "30",
        stdout=out,
    )
    text = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.scopes == ["read:clients", "write:measures"]
    assert token.expires_at is not None
    assert api_client(text).get("/api/v1/clients").status_code == 200


def test_command_line_refuses_a_scope_beyond_the_role_naming_the_flag(world: World) -> None:
    with pytest.raises(CommandError, match=r"^--scopes: "):
        call_command("api", "token", "create", world.trainer.email, "--scopes", "read:clients")
    with pytest.raises(CommandError, match=r"^--expires: "):
        call_command(
            "api",
            "token",
            "create",
            world.case_manager.email,
            "--scopes",
            "read:clients",
            "--expires",
            "0",
        )
    assert not ApiToken.objects.exists()


def test_every_call_is_audited_with_the_token_id_and_its_use_noted(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    token = ApiToken.objects.get()
    before = AuditEvent.objects.count()
    http.get(f"/api/v1/clients/{world.own_client.pk}")
    calls = AuditEvent.objects.filter(
        action=Action.VIEW, object_type="api.apitoken", object_id=str(token.pk)
    )
    assert calls.count() == 1
    call = calls.get()
    assert call.actor_id == world.case_manager.pk
    view = AuditEvent.objects.get(object_type="clients.client", object_id=str(world.own_client.pk))
    assert view.request_id == call.request_id
    assert AuditEvent.objects.count() == before + 2
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_never_appears_in_audit_rows_logs_or_errors(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    text = token_text(world.case_manager)
    secret = text.split("_", 2)[2]
    token = ApiToken.objects.get()
    answers = []
    with caplog.at_level(logging.DEBUG):
        http = api_client(text)
        answers.append(http.get("/api/v1/clients"))
        answers.append(http.get(f"/api/v1/clients/{world.other_team_client.pk}"))
        answers.append(http.get("/api/v1/clients?name=x"))
        revoke_token(actor=world.case_manager, token=token)
        answers.append(http.get("/api/v1/clients"))
        answers.append(api_client(text + "x").get("/api/v1/clients"))
    assert [a.status_code for a in answers] == [200, 404, 400, 401, 401]
    for answer in answers:
        assert secret not in answer.content.decode()
    assert secret not in caplog.text
    for row in AuditEvent.objects.values_list(
        "actor_role", "action", "object_type", "object_id", "request_id", "outcome"
    ):
        assert all(secret not in str(value) for value in row)
    refused = AuditEvent.objects.filter(object_type="api.apitoken", outcome=Outcome.DENIED)
    assert refused.count() == 2
    assert set(refused.values_list("object_id", flat=True)) == {""}
