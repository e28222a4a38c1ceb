"""The audit chain detects edited and removed rows, and a failed write fails the request."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.test import Client as HttpClient

from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.audit.services import record_event, verify_chain
from tests.conftest import LoginAs, World


@pytest.fixture
def chain_of_five(world: World) -> list[AuditEvent]:
    return [
        record_event(actor=world.case_manager, action=Action.VIEW, obj=world.own_client)
        for _ in range(5)
    ]


def test_untouched_chain_verifies(chain_of_five: list[AuditEvent]) -> None:
    result = verify_chain()
    assert result.is_intact
    assert result.checked == AuditEvent.objects.count()


def test_verify_reports_an_edited_row(chain_of_five: list[AuditEvent]) -> None:
    target = chain_of_five[2]
    AuditEvent.objects.filter(pk=target.pk).update(actor_id=target.actor_id + 1)  # type: ignore[operator]  # every event of the chain has an actor
    result = verify_chain()
    assert result.first_broken_id == target.pk
    assert "edited" in result.problem


def test_verify_reports_a_deleted_row_at_the_next_link(chain_of_five: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=chain_of_five[1].pk).delete()
    result = verify_chain()
    assert result.first_broken_id == chain_of_five[2].pk
    assert "removed" in result.problem


def test_verify_reports_a_removed_tail(chain_of_five: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=chain_of_five[-1].pk).delete()
    result = verify_chain()
    assert not result.is_intact
    assert result.first_broken_id == chain_of_five[-1].pk


def test_verify_detects_a_row_re_signed_without_the_key(chain_of_five: list[AuditEvent]) -> None:
    forged = chain_of_five[3]
    AuditEvent.objects.filter(pk=forged.pk).update(outcome=Outcome.DENIED, digest="f" * 64)
    assert verify_chain().first_broken_id == forged.pk


def test_audit_verify_command_succeeds_on_an_intact_chain(
    chain_of_five: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_audit_verify_command_names_the_first_broken_event(
    chain_of_five: list[AuditEvent],
) -> None:
    AuditEvent.objects.filter(pk=chain_of_five[0].pk).update(action=Action.EXPORT)
    with pytest.raises(CommandError, match=f"event {chain_of_five[0].pk}") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1


def test_events_carry_ids_and_never_personal_fields(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    http.get(f"/clients/{world.own_client.pk}/")
    event = AuditEvent.objects.filter(action=Action.VIEW).latest("pk")
    assert (event.object_type, event.object_id) == ("clients.client", str(world.own_client.pk))
    assert event.actor_id == world.case_manager.pk
    assert event.request_id
    stored = " ".join(str(v) for v in AuditEvent.objects.values_list().get(pk=event.pk))
    client = world.own_client
    for personal in (client.given_name, client.family_name, str(client.date_of_birth)):
        assert personal not in stored


def test_denied_attempt_is_audited(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    assert http.get(f"/clients/{world.other_team_client.pk}/").status_code == 404
    event = AuditEvent.objects.latest("pk")
    assert event.outcome == Outcome.DENIED
    assert event.object_id == str(world.other_team_client.pk)


def test_role_refusal_is_audited(world: World, login_as: LoginAs) -> None:
    http = login_as(world.researcher)
    assert http.get("/caseload/").status_code == 403
    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.outcome, event.actor_id) == (
        Action.DENIED,
        Outcome.DENIED,
        world.researcher.pk,
    )


def test_client_page_fails_closed_when_the_audit_write_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise DatabaseError("audit table unavailable")

    http = HttpClient(raise_request_exception=False)
    http.force_login(world.case_manager)
    monkeypatch.setattr(AuditEvent.objects, "create", refuse)
    response = http.get(f"/clients/{world.own_client.pk}/")
    assert response.status_code == 500
    assert world.own_client.family_name.encode() not in response.content
