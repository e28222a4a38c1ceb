"""Every read and write of the measurement workflow leaves an audit event, and none carries a
token or a name."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.measures.models import Response, SelfReportLink
from tests.conftest import LoginAs, World
from tests.measures.factories import due_rprs

pytestmark = pytest.mark.django_db


def test_link_lifecycle_is_audited_without_the_token(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = login_as(world.case_manager)
    html = http.post(f"/measures/{administration.pk}/link/", {"channel": "in_person"})
    match = re.search(r"/r/([A-Za-z0-9_-]+)/", html.content.decode())
    assert match is not None
    token = match.group(1)
    link = SelfReportLink.objects.get()
    assert AuditEvent.objects.filter(
        action=Action.CREATE,
        object_type="measures.selfreportlink",
        object_id=str(link.pk),
        actor_id=world.case_manager.pk,
    ).exists()

    phone = HttpClient()
    phone.get(f"/r/{token}/")
    phone.post(f"/r/{token}/", {"q1": "2", "action": "save"})
    phone.post(f"/r/{token}/", {**{f"q{i}": "2" for i in range(1, 25)}, "action": "submit"})
    response = Response.objects.get()
    anonymous = AuditEvent.objects.filter(actor_id__isnull=True)
    assert anonymous.filter(action=Action.VIEW, object_id=str(link.pk)).exists()
    assert anonymous.filter(action=Action.UPDATE, object_type="measures.response").exists()
    assert anonymous.filter(action=Action.CREATE, object_id=str(response.pk)).exists()

    phone.get(f"/r/{token}/")
    assert anonymous.filter(object_type="measures.selfreportlink", outcome=Outcome.DENIED).exists()

    for event in AuditEvent.objects.all():
        row = " ".join(str(v) for v in event.__dict__.values())
        assert token not in row
        assert link.token_hash not in row
        assert world.own_client.family_name not in row


def test_the_client_page_audits_its_measures_reads(world: World, login_as: LoginAs) -> None:
    due_rprs(world.own_client.episodes.get())
    login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/")
    listed = AuditEvent.objects.filter(
        action=Action.LIST, object_id=f"client:{world.own_client.pk}"
    )
    # The page's summary lists practice records too (dashboards.summary).
    assert set(listed.values_list("object_type", flat=True)) >= {
        "measures.administration",
        "measures.response",
    }
