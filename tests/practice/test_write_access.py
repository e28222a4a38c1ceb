"""Writes answer like reads: outsiders 404, roles without access 403, every write audited."""

from __future__ import annotations

from django.utils import timezone

from tandem.audit.models import AuditEvent, Outcome
from tandem.practice.models import Contact, ContactMode, RecoveryPlan
from tests.conftest import LoginAs, World


def contact_post() -> dict[str, object]:
    return {
        "occurred_on": timezone.localdate().isoformat(),
        "minutes": 30,
        "mode": ContactMode.PHONE,
        "with_whom": "client",
    }


def test_teammate_cannot_log_a_contact_on_another_workers_client(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.teammate).post(
        f"/clients/{world.own_client.pk}/contacts/", contact_post()
    )
    assert response.status_code == 404
    assert not Contact.objects.exists()
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED, object_type="clients.client").exists()


def test_other_agency_cannot_write_the_plan(world: World, login_as: LoginAs) -> None:
    response = login_as(world.other_agency_case_manager).post(
        f"/clients/{world.own_client.pk}/plan/",
        {"action": "vision", "version": 0, "vision": "x"},
    )
    assert response.status_code == 404
    assert not RecoveryPlan.objects.exists()


def test_contact_write_is_audited_without_personal_data(world: World, login_as: LoginAs) -> None:
    login_as(world.case_manager).post(
        f"/clients/{world.own_client.pk}/contacts/", {**contact_post(), "note": "Private words"}
    )
    contact = Contact.objects.get()
    event = AuditEvent.objects.get(object_type="practice.contact", action="create")
    assert event.object_id == str(contact.pk)
    assert event.actor_id == world.case_manager.pk
    assert not AuditEvent.objects.filter(object_id__contains="Private").exists()
