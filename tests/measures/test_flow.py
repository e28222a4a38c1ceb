"""The measurement slice end to end through the services and pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tandem.clients.models import Episode
from tandem.measures.models import (
    AdministrationStatus,
    Invitation,
    InvitationStatus,
    Response,
    SelfReportLink,
)
from tandem.measures.services import hash_token
from tests.conftest import LoginAs, World
from tests.measures.factories import due_rprs

pytestmark = pytest.mark.django_db

ALL_THREES = {f"q{i}": "3" for i in range(1, 25)}


def _episode(world: World) -> Episode:
    return world.own_client.episodes.get()


def _issue(http: HttpClient, administration_pk: int, channel: str = "in_person") -> str:
    response = http.post(f"/measures/{administration_pk}/link/", {"channel": channel})
    assert response.status_code == 200
    match = re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]+/)", response.content.decode())
    assert match is not None
    return match.group(1)


def test_case_manager_issues_a_link_and_the_client_answers_it(
    world: World, login_as: LoginAs
) -> None:
    administration = due_rprs(_episode(world))
    path = _issue(login_as(world.case_manager), administration.pk)

    anonymous = HttpClient()
    page = anonymous.get(path)
    assert page.status_code == 200
    assert world.own_client.given_name in page.content.decode()
    assert world.own_client.family_name not in page.content.decode()

    answered = anonymous.post(path, {**ALL_THREES, "action": "submit"})
    assert answered.status_code == 200
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.COMPLETED
    response = Response.objects.get(administration=administration)
    assert response.scores["total"] == 72
    assert anonymous.get(path).status_code == 410


def test_only_the_hash_of_the_token_is_stored(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(_episode(world))
    path = _issue(login_as(world.case_manager), administration.pk)
    token = path.split("/")[2]
    link = SelfReportLink.objects.get()
    assert len(token) >= 43  # 32 random bytes, base64url
    assert link.token_hash == hash_token(token)
    stored = [str(v) for v in SelfReportLink.objects.values_list().get()]
    assert token not in " ".join(stored)


def test_progress_is_saved_answer_by_answer(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(_episode(world))
    path = _issue(login_as(world.case_manager), administration.pk)
    anonymous = HttpClient()
    assert anonymous.post(path, {"q1": "2", "action": "save"}).status_code == 200
    assert anonymous.post(path, {"q2": "4", "action": "save"}).status_code == 200
    draft = SelfReportLink.objects.get().response
    assert draft is not None
    assert draft.answers == {"q1": 2.0, "q2": 4.0}
    assert draft.completed_at is None
    assert 'value="2" checked' in anonymous.get(path).content.decode()


def test_an_expired_link_is_refused(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(_episode(world))
    path = _issue(login_as(world.case_manager), administration.pk)
    SelfReportLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert HttpClient().get(path).status_code == 410


def test_a_cancelled_link_is_refused_and_its_reminder_cancelled(
    world: World, login_as: LoginAs
) -> None:
    administration = due_rprs(_episode(world))
    http = login_as(world.case_manager)
    path = _issue(http, administration.pk)
    link = SelfReportLink.objects.get()
    assert http.post(f"/measures/links/{link.pk}/cancel/").status_code == 302
    assert HttpClient().get(path).status_code == 410
    assert not Invitation.objects.filter(status=InvitationStatus.PENDING).exists()


def test_the_link_page_is_rate_limited(world: World, login_as: LoginAs, settings: Settings) -> None:
    settings.MEASURES_SELF_REPORT_RATE_LIMIT = 3
    administration = due_rprs(_episode(world))
    path = _issue(login_as(world.case_manager), administration.pk)
    anonymous = HttpClient()
    assert [anonymous.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_link_can_be_sent_by_email(
    world: World,
    login_as: LoginAs,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    world.own_client.email = "client@example.org"
    world.own_client.save()
    administration = due_rprs(_episode(world))
    http = login_as(world.case_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(f"/measures/{administration.pk}/link/", {"channel": "email"})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert "/r/" in mail.outbox[0].body
    assert "/r/" not in response.content.decode()


def test_score_appears_on_the_client_page(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(_episode(world))
    http = login_as(world.case_manager)
    posted = http.post(f"/measures/{administration.pk}/", ALL_THREES)
    assert posted.status_code == 302
    page = http.get(f"/clients/{world.own_client.pk}/").content.decode()
    assert re.search(r'data-score="rprs-total"[^>]*>72<', page)
    assert "<svg" in page


def test_reliable_change_is_shown_when_two_scores_exist(world: World, login_as: LoginAs) -> None:
    episode = _episode(world)
    http = login_as(world.case_manager)
    first = due_rprs(episode)
    assert (
        http.post(f"/measures/{first.pk}/", {f"q{i}": "2" for i in range(1, 25)}).status_code == 302
    )
    second = due_rprs(episode, wave="month 4.5")
    assert (
        http.post(f"/measures/{second.pk}/", {f"q{i}": "4" for i in range(1, 25)}).status_code
        == 302
    )
    page = http.get(f"/clients/{world.own_client.pk}/").content.decode()
    # 48 -> 96 on the RPRS total (SD 8.1, alpha .96): far beyond 1.96 standard errors.
    assert "Reliably improved" in page


def test_an_address_guessing_tokens_is_stopped(
    world: World, login_as: LoginAs, settings: Settings
) -> None:
    settings.MEASURES_SELF_REPORT_REFUSED_LIMIT = 3
    administration = due_rprs(_episode(world))
    path = _issue(login_as(world.case_manager), administration.pk)
    guesser = HttpClient(REMOTE_ADDR="203.0.113.9")
    answers = [guesser.get(f"/r/guess-{n}/").status_code for n in range(4)]
    assert answers == [410, 410, 410, 429]
    assert guesser.get(path).status_code == 429  # even a real token, from that address
    assert HttpClient(REMOTE_ADDR="198.51.100.7").get(path).status_code == 200


def test_a_client_may_still_answer_after_the_window_closed(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(_episode(world))
    path = _issue(login_as(world.case_manager), administration.pk)
    administration.status = AdministrationStatus.MISSED
    administration.save()
    assert HttpClient().post(path, {**ALL_THREES, "action": "submit"}).status_code == 200
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.COMPLETED


def test_score_history_is_labelled_in_french(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(_episode(world))
    http = login_as(world.case_manager)
    assert http.post(f"/measures/{administration.pk}/", ALL_THREES).status_code == 302
    http.cookies["tandem_language"] = "fr"
    page = http.get(f"/clients/{world.own_client.pk}/").content.decode()
    assert "RPRS (alliance) dans le temps" in page
    assert "Total (0-100)" in page
