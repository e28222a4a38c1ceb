"""The measurement pages: who may reach them, worker entry with validation as they type, the
invitation log with cancel and re-send, and the client's link page."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from tandem.audit.models import AuditEvent, Outcome
from tandem.measures.models import (
    Administration,
    AdministrationStatus,
    Invitation,
    InvitationKind,
    InvitationStatus,
    Response,
    SelfReportLink,
)
from tests.conftest import FormClient, LoginAs, World
from tests.measures.factories import AdministrationFactory, due_rprs

pytestmark = pytest.mark.django_db


def _administration(
    world: World, client_attr: str = "own_client", **fields: object
) -> Administration:
    return due_rprs(getattr(world, client_attr).episodes.get(), **fields)


def test_outsider_case_manager_gets_404_and_the_refusal_is_audited(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world, "other_team_client")
    response = login_as(world.case_manager).get(f"/measures/{administration.pk}/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        object_type="measures.administration",
        object_id=str(administration.pk),
        outcome=Outcome.DENIED,
    ).exists()


@pytest.mark.parametrize("role", ["researcher", "assessor", "trainer", "agency_admin"])
def test_non_clinical_roles_get_403(world: World, login_as: LoginAs, role: str) -> None:
    administration = _administration(world)
    http = login_as(world.user(role))
    assert http.get(f"/measures/{administration.pk}/").status_code == 403
    assert http.get(f"/clients/{world.own_client.pk}/invitations/").status_code == 403


def test_supervisor_may_open_a_team_clients_measure(world: World, login_as: LoginAs) -> None:
    administration = _administration(world, "team_client")
    assert login_as(world.supervisor).get(f"/measures/{administration.pk}/").status_code == 200


def test_validation_as_they_type_names_the_problem(world: World, login_as: LoginAs) -> None:
    administration = _administration(world)
    http = login_as(world.case_manager)
    bad = http.post(f"/measures/{administration.pk}/validate/", {"q3": "9"})
    assert bad.status_code == 200
    assert 'id="error_q3"' in bad.content.decode()
    assert "1 to 4" in bad.content.decode()
    good = http.post(f"/measures/{administration.pk}/validate/", {"q3": "2"})
    assert re.search(r'id="error_q3"[^>]*></p>', good.content.decode())


def test_bad_entry_keeps_what_was_typed_and_saves_nothing(world: World, login_as: LoginAs) -> None:
    administration = _administration(world)
    response = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/", {"q1": "3", "q2": "abc"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="q1" value="3"' in html
    assert 'name="q2" value="abc"' in html
    assert "Enter a number." in html
    assert not Response.objects.exists()


def test_a_completed_measure_cannot_be_entered_twice(world: World, login_as: LoginAs) -> None:
    administration = _administration(world, status=AdministrationStatus.COMPLETED)
    response = login_as(world.case_manager).post(f"/measures/{administration.pk}/", {"q1": "3"})
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_a_clinician_rated_instrument_offers_no_link(world: World, login_as: LoginAs) -> None:
    episode = world.own_client.episodes.get()
    administration = AdministrationFactory.create(episode=episode, instrument_code="mcas")
    http = login_as(world.case_manager)
    page = http.get(f"/measures/{administration.pk}/").content.decode()
    assert "Create a link" not in page
    refused = http.post(f"/measures/{administration.pk}/link/", {"channel": "in_person"})
    assert refused.status_code == 400
    assert not SelfReportLink.objects.exists()


def _issue(http: HttpClient, pk: int) -> str:
    html = http.post(f"/measures/{pk}/link/", {"channel": "in_person"}).content.decode()
    match = re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]+/)", html)
    assert match is not None
    return match.group(1)


def test_invitation_log_lists_the_link_and_its_pending_reminder(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    http = login_as(world.case_manager)
    _issue(http, administration.pk)
    page = http.get(f"/clients/{world.own_client.pk}/invitations/").content.decode()
    assert "Shown in person (QR code)" in page
    assert "Note on the caseload" in page
    assert "Pending" in page


def test_resend_replaces_the_link_and_keeps_the_answers_given(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    http = login_as(world.case_manager)
    old_path = _issue(http, administration.pk)
    HttpClient().post(old_path, {"q1": "4", "action": "save"})
    old = SelfReportLink.objects.get()
    resent = http.post(f"/measures/links/{old.pk}/resend/")
    assert resent.status_code == 200
    new_path = re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]+/)", resent.content.decode())
    assert new_path is not None
    assert HttpClient().get(old_path).status_code == 410
    page = HttpClient().get(new_path.group(1)).content.decode()
    assert 'name="q1" value="4" checked' in page
    assert (
        Invitation.objects.filter(
            kind=InvitationKind.REMINDER, status=InvitationStatus.PENDING
        ).count()
        == 1
    )


def test_a_teammate_cannot_cancel_someone_elses_link(world: World, login_as: LoginAs) -> None:
    administration = _administration(world)
    _issue(login_as(world.case_manager), administration.pk)
    link = SelfReportLink.objects.get()
    other = FormClient()
    other.force_login(world.teammate)
    assert other.post(f"/measures/links/{link.pk}/cancel/").status_code == 404
    link.refresh_from_db()
    assert link.cancelled_at is None


def test_link_page_speaks_the_clients_language_and_reveals_only_the_first_name(
    world: World, login_as: LoginAs
) -> None:
    world.own_client.preferred_language = "fr"
    world.own_client.save()
    administration = _administration(world)
    path = _issue(login_as(world.case_manager), administration.pk)
    response = HttpClient(headers={"accept-language": "en"}).get(path)
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert f"Bonjour {world.own_client.given_name}" in html
    for private in (world.own_client.family_name, str(world.own_client.date_of_birth.year)):
        assert private not in html
    assert response["Cache-Control"] == "no-store"


def test_unknown_tokens_get_the_same_neutral_page(world: World) -> None:
    response = HttpClient().get("/r/not-a-real-token/")
    assert response.status_code == 410
    assert "cannot be used" in response.content.decode()


def test_a_bad_answer_on_the_link_is_refused_without_saving(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    path = _issue(login_as(world.case_manager), administration.pk)
    response = HttpClient().post(path, {"q1": "7", "action": "save"})
    assert response.status_code == 400
    assert SelfReportLink.objects.get().response is None


def test_client_page_queries_do_not_grow_with_measures(world: World, login_as: LoginAs) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tandem.measures.services import submit_response

    episode = world.own_client.episodes.get()
    http = login_as(world.case_manager)
    counts: list[int] = []
    for n in (2, 30):
        for k in range(n):
            done = due_rprs(episode, wave=f"contact {len(counts)}-{k}")
            submit_response(
                actor=world.case_manager,
                administration=done,
                answers={f"q{i}": 1 + (i + k) % 4 for i in range(1, 25)},
            )
            due_rprs(episode, wave=f"open {len(counts)}-{k}")
        with CaptureQueriesContext(connection) as queries:
            page = http.get(f"/clients/{world.own_client.pk}/")
        assert page.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_worker_finishing_a_started_link_is_told_when_the_client_answered_meanwhile(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    http = login_as(world.case_manager)
    path = _issue(http, administration.pk)
    phone = HttpClient()
    phone.post(path, {"q1": "4", "action": "save"})
    page = http.get(f"/measures/{administration.pk}/").content.decode()
    assert 'name="q1" value="4"' in page
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    phone.post(path, {"q2": "1", "action": "save"})  # the client goes on meanwhile
    stale = http.post(
        f"/measures/{administration.pk}/",
        {"version": version.group(1), **{f"q{i}": "3" for i in range(1, 25)}},
    )
    assert stale.status_code == 409
    assert 'name="q2" value="1"' in stale.content.decode()
    assert Response.objects.get().completed_at is None
    fresh = re.search(r'name="version" value="(\d+)"', stale.content.decode())
    assert fresh is not None
    done = http.post(
        f"/measures/{administration.pk}/",
        {"version": fresh.group(1), **{f"q{i}": "3" for i in range(1, 25)}},
    )
    assert done.status_code == 302
    response = Response.objects.get()
    assert response.scores["total"] == 72
    assert response.entered_by == world.case_manager
    assert phone.get(path).status_code == 410


def test_link_page_shows_the_agencys_licensed_wording_in_the_clients_language(
    world: World, login_as: LoginAs
) -> None:
    from tandem.measures.models import InstrumentWording

    world.own_client.preferred_language = "fr"
    world.own_client.save()
    InstrumentWording.objects.create(
        agency=world.agency,
        instrument_code="rprs",
        instrument_version="1",
        language="fr",
        texts={"q1": "Texte synthétique un"},
    )
    path = _issue(login_as(world.case_manager), _administration(world).pk)
    html = HttpClient().get(path).content.decode()
    assert "Texte synthétique un" in html
    assert "Item 2" in html
