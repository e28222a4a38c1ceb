"""One-time form tokens: a double click or concurrent duplicates of a form store one row.

The contact form stands for every creating form here; ``test_form_token_coverage.py`` proves
that every other one carries the token too.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from tandem.accounts.models import User
from tandem.audit.models import AuditEvent, Outcome
from tandem.core.form_tokens import issue_token, max_age_seconds
from tandem.core.models import FormSubmission
from tandem.measures.models import SelfReportLink
from tandem.orgs.models import Team
from tandem.practice.models import Contact, ContactMode, ContactWith
from tests.conftest import World
from tests.measures.factories import due_rprs

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _contacts_path(world: World) -> str:
    return f"/clients/{world.own_client.pk}/contacts/"


def _token_on(http: HttpClient, path: str) -> str:
    """The token of the form on the page, as a browser would send it."""
    found = TOKEN.search(http.get(path).content.decode())
    return found.group(1) if found else ""


def _contact(token: str, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "occurred_on": timezone.localdate().isoformat(),
        "minutes": 30,
        "mode": ContactMode.COMMUNITY,
        "with_whom": ContactWith.CLIENT,
        "note": "Went to the library together.",
        "form_token": token,
    }
    data.update(overrides)
    return data


def test_contact_form_carries_a_one_time_token(world: World) -> None:
    http = _signed_in(world.case_manager)
    first = _token_on(http, _contacts_path(world))
    assert first
    assert _token_on(http, _contacts_path(world)) != first


def test_sequential_double_submit_stores_one_contact_and_goes_where_the_first_went(
    world: World,
) -> None:
    http = _signed_in(world.case_manager)
    path = _contacts_path(world)
    data = _contact(_token_on(http, path))
    first = http.post(path, data)
    second = http.post(path, data)
    assert Contact.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    tags = [m.extra_tags for m in get_messages(second.wsgi_request)]
    assert "already-saved" in tags


def test_invalid_submit_keeps_the_typed_input_and_the_token_usable(world: World) -> None:
    http = _signed_in(world.case_manager)
    path = _contacts_path(world)
    token = _token_on(http, path)
    refused = http.post(path, _contact(token, minutes="", note="Typed before the mistake"))
    assert refused.status_code == 200
    assert "minutes" in refused.context["form"].errors
    assert "Typed before the mistake" in refused.content.decode()
    assert not Contact.objects.exists()
    corrected = http.post(path, _contact(token, note="Typed before the mistake"))
    assert corrected.status_code == 302
    assert Contact.objects.count() == 1


def test_post_without_a_token_is_refused_and_stores_nothing(world: World) -> None:
    http = _signed_in(world.case_manager)
    data = _contact("")
    del data["form_token"]
    response = http.post(_contacts_path(world), data)
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_token_of_another_user_is_refused(world: World) -> None:
    path = f"/clients/{world.team_client.pk}/contacts/"
    token = _token_on(_signed_in(world.supervisor), path)
    response = _signed_in(world.teammate).post(path, _contact(token))
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_token_of_an_earlier_session_is_refused(world: World) -> None:
    path = _contacts_path(world)
    token = _token_on(_signed_in(world.case_manager), path)
    response = _signed_in(world.case_manager).post(path, _contact(token))
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_forged_token_is_refused(world: World) -> None:
    http = _signed_in(world.case_manager)
    path = _contacts_path(world)
    token = _token_on(http, path)
    nonce, stamp, _signature = token.split(":")
    response = http.post(path, _contact(f"{nonce}x:{stamp}:{_signature}"))
    assert response.status_code == 400
    assert not Contact.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_identical_submits_store_one_contact(world: World) -> None:
    http = _signed_in(world.case_manager)
    path = _contacts_path(world)
    data = _contact(_token_on(http, path))
    cookies = http.cookies
    start = threading.Barrier(10)
    answers: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            browser_tab = HttpClient()
            browser_tab.cookies = cookies
            start.wait()
            response = browser_tab.post(path, data)
            answers.append((response.status_code, response.get("Location", "")))
        except BaseException as error:  # reported below, from the test's thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Contact.objects.count() == 1
    assert {status for status, _location in answers} == {302}
    assert len({location for _status, location in answers}) == 1


def test_admin_add_form_sent_twice_saves_once_and_goes_where_the_first_went(
    world: World,
) -> None:
    http = _signed_in(world.agency_admin)
    token = _token_on(http, "/admin/orgs/team/add/")
    data = {"programme": world.programme.pk, "name": "A3", "form_token": token}
    first = http.post("/admin/orgs/team/add/", data)
    second = http.post("/admin/orgs/team/add/", data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Team.objects.filter(programme=world.programme, name="A3").count() == 1


def test_link_asked_for_twice_is_made_once_and_the_second_click_lands_on_the_log(
    world: World,
) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = _signed_in(world.case_manager)
    token = _token_on(http, f"/measures/{administration.pk}/")
    data = {"channel": "in_person", "form_token": token}
    first = http.post(f"/measures/{administration.pk}/link/", data)
    second = http.post(f"/measures/{administration.pk}/link/", data)
    assert first.status_code == 200
    assert second.status_code == 302
    assert second["Location"] == f"/clients/{world.own_client.pk}/invitations/"
    assert SelfReportLink.objects.count() == 1


def test_refused_submission_keeps_its_audit_row_and_releases_the_token(world: World) -> None:
    http = _signed_in(world.case_manager)
    token = _token_on(http, _contacts_path(world))
    hidden = f"/clients/{world.other_team_client.pk}/contacts/"
    assert http.post(hidden, _contact(token)).status_code == 404
    assert AuditEvent.objects.filter(
        actor_id=world.case_manager.pk,
        object_type="clients.client",
        object_id=str(world.other_team_client.pk),
        outcome=Outcome.DENIED,
    ).exists()
    assert not FormSubmission.objects.exists()
    assert http.post(_contacts_path(world), _contact(token)).status_code == 302


def test_token_older_than_a_session_can_live_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    http = _signed_in(world.case_manager)
    issued_at = time.time() - max_age_seconds() - 60
    with monkeypatch.context() as past:
        past.setattr("django.core.signing.time.time", lambda: issued_at)
        token = issue_token(user_id=world.case_manager.pk, session_key=http.session.session_key)  # type: ignore[arg-type]  # signed in: the session has a key
    response = http.post(_contacts_path(world), _contact(token))
    assert response.status_code == 400
    assert response.context["code"] == "expired"
    assert not Contact.objects.exists()


def test_claims_older_than_a_token_can_live_are_deleted_on_the_next_claim(world: World) -> None:
    old = FormSubmission.objects.create(
        token_hash="0" * 64,
        user=world.case_manager,
        claimed_at=timezone.now() - timedelta(seconds=max_age_seconds() + 60),
        redirect_to="/caseload/",
    )
    http = _signed_in(world.case_manager)
    http.post(_contacts_path(world), _contact(_token_on(http, _contacts_path(world))))
    assert not FormSubmission.objects.filter(pk=old.pk).exists()
    assert FormSubmission.objects.count() == 1
