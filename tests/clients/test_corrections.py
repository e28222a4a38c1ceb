"""Correcting a client's demographics: history with before and after, audit, concurrent edits."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.audit.models import AuditEvent
from tandem.clients.corrections import services
from tandem.clients.models import ChangeKind, Client, RecordChange
from tests.conftest import LoginAs, World


def edit_post(client: Client, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": client.version,
        "given_name": client.given_name,
        "family_name": client.family_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "gender": client.gender,
        "preferred_language": client.preferred_language,
        "phone": client.phone,
        "email": client.email,
        "address": client.address,
        "reason": "Spelling corrected with the client.",
    }
    data.update(overrides)
    return data


def test_case_manager_corrects_demographics_and_the_history_keeps_before_and_after(
    world: World, login_as: LoginAs
) -> None:
    client = world.own_client
    old_name = client.family_name
    response = login_as(world.case_manager).post(
        f"/clients/{client.pk}/edit/",
        edit_post(client, family_name="Tremblay", preferred_language="fr"),
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.family_name == "Tremblay"
    assert client.version == 2
    change = RecordChange.objects.get(client=client)
    assert change.kind == ChangeKind.EDIT
    assert change.changed_by == world.case_manager
    assert change.reason == "Spelling corrected with the client."
    assert change.changes == [
        {"field": "family_name", "before": old_name, "after": "Tremblay"},
        {"field": "preferred_language", "before": "en", "after": "fr"},
    ]
    events = AuditEvent.objects.filter(object_type="clients.client", object_id=str(client.pk))
    assert events.filter(action="update").count() == 1
    # The audit log names the record, never its contents.
    assert not AuditEvent.objects.filter(object_id__contains="Tremblay").exists()


def test_a_correction_needs_a_reason_and_keeps_what_was_typed(
    world: World, login_as: LoginAs
) -> None:
    client = world.own_client
    response = login_as(world.case_manager).post(
        f"/clients/{client.pk}/edit/", edit_post(client, family_name="Tremblay", reason="")
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert 'value="Tremblay"' in response.content.decode()
    assert not RecordChange.objects.exists()


def test_a_bad_phone_and_email_are_named_field_by_field(world: World, login_as: LoginAs) -> None:
    client = world.own_client
    response = login_as(world.case_manager).post(
        f"/clients/{client.pk}/edit/", edit_post(client, phone="555", email="not-an-address")
    )
    errors = response.context["form"].errors.as_data()
    assert errors["phone"][0].code == "invalid_phone"
    assert errors["email"][0].code == "invalid"
    client.refresh_from_db()
    assert client.phone == ""


def test_a_concurrent_edit_is_refused_and_the_input_kept(world: World, login_as: LoginAs) -> None:
    client = world.own_client
    stale = edit_post(client, given_name="Typed-by-me")
    services.update_client(
        actor=world.supervisor,
        client=client,
        expected_version=client.version,
        reason="New phone number.",
        phone="514 555-0199",
    )
    http = login_as(world.case_manager)
    response = http.post(f"/clients/{client.pk}/edit/", stale)
    assert response.status_code == 200
    assert "changed by someone else" in str(response.context["form"].non_field_errors())
    html = response.content.decode()
    assert 'value="Typed-by-me"' in html
    assert "514 555-0199" in html  # what the other person stored, beside the kept input
    client.refresh_from_db()
    assert client.given_name != "Typed-by-me"
    # The kept form now carries the stored version: a deliberate second save goes through.
    resend = {
        **stale,
        "phone": "514 555-0199",
        "version": response.context["form"].data["version"],
    }
    assert http.post(f"/clients/{client.pk}/edit/", resend).status_code == 302
    client.refresh_from_db()
    assert client.given_name == "Typed-by-me"
    assert client.phone == "514 555-0199"


def test_saving_without_any_change_is_refused(world: World) -> None:
    client = world.own_client
    with pytest.raises(ValidationError):
        services.update_client(
            actor=world.case_manager,
            client=client,
            expected_version=client.version,
            reason="No reason.",
            given_name=client.given_name,
        )


def test_someone_who_cannot_see_the_client_cannot_correct_it(world: World) -> None:
    client = world.team_client
    with pytest.raises(PermissionDenied):
        services.update_client(
            actor=world.case_manager,
            client=client,
            expected_version=client.version,
            reason="Wrong client.",
            given_name="Nope",
        )


def test_history_page_shows_who_when_what_and_why_with_local_dates(
    world: World, login_as: LoginAs
) -> None:
    client = world.own_client
    services.update_client(
        actor=world.case_manager,
        client=client,
        expected_version=client.version,
        reason="Birth date typed wrong at intake.",
        date_of_birth=date(1979, 11, 23),
        gender="woman",
    )
    http = login_as(world.supervisor)
    http.cookies["django_language"] = "fr"
    html = http.get(f"/clients/{client.pk}/history/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Birth date typed wrong at intake." in html
    assert world.case_manager.full_name in html
    assert "23/11/1979" in html
    assert "1979-11-23" not in html
    assert "Femme" in html
    assert AuditEvent.objects.filter(
        object_type="clients.recordchange", action="list", actor_id=world.supervisor.pk
    ).exists()


def test_history_page_says_what_to_do_when_empty(world: World, login_as: LoginAs) -> None:
    html = login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/history/")
    assert "Nothing has been corrected" in html.content.decode()
