"""Member checking: a one-time link to a case's summary, answered once by the participant."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from tandem.audit.models import AuditEvent, Outcome
from tandem.qualitative.models import MemberCheck
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet

SUMMARY = "You said that being listened to mattered most, and that trust took time."


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def share(qual: ProjectSet, login_as: LoginAs, world: World, language: str = "en") -> str:
    """Make a link as the lead; the path of the participant's page."""
    response = login_as(world.researcher).post(
        reverse("qualitative:member_check_new", args=[qual.project.pk]),
        {"case": str(qual.case.pk), "summary": SUMMARY, "language": language},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(r"https?://[^/\"]+(/check/[A-Za-z0-9_-]+/)", response.content.decode())
    assert match is not None
    return match.group(1)


def test_the_link_is_long_random_stored_hashed_and_names_no_one(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    path = share(qual, login_as, world)
    token = path.split("/")[2]
    # 256 random bits in URL-safe base64: at least 128 bits either way.
    assert len(token) * 6 >= 128
    check = MemberCheck.objects.get()
    assert check.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in MemberCheck.objects.values_list().get()]
    assert all(token not in value for value in stored)
    assert qual.case.name not in path
    assert str(qual.case.pk) not in path.replace(token, "")
    # A second link is another token.
    assert share(qual, login_as, world) != path


def test_the_participant_answers_once_and_the_project_sees_it(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    path = share(qual, login_as, world)
    participant = HttpClient()
    page = participant.get(path)
    assert page.status_code == 200
    assert SUMMARY in page.content.decode()
    # Nothing but the summary the lead wrote: not the case's name, not the project's title.
    assert qual.case.name not in page.content.decode()
    assert qual.project.title not in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "strict-origin"
    # A form with no choice is refused and changes nothing.
    assert participant.post(path, {"comment": "x"}).status_code == 400
    assert MemberCheck.objects.get().answered_at is None
    done = participant.post(path, {"agrees": "no", "comment": "Trust came quickly for me."})
    assert done.status_code == 200
    check = MemberCheck.objects.get()
    assert (check.agrees, check.comment) == (False, "Trust came quickly for me.")
    assert check.answered_at is not None
    # Used: refused alike for reading and answering again.
    assert participant.get(path).status_code == 410
    again = participant.post(path, {"agrees": "yes", "comment": "changed my mind"})
    assert again.status_code == 410
    assert MemberCheck.objects.get().comment == "Trust came quickly for me."
    listing = login_as(world.assessor).get(
        reverse("qualitative:member_check_list", args=[qual.project.pk])
    )
    text = listing.content.decode()
    assert qual.case.name in text
    assert "Trust came quickly for me." in text
    assert "Not entirely" in text


def test_an_expired_or_unknown_link_is_refused(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    path = share(qual, login_as, world)
    MemberCheck.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    participant = HttpClient()
    assert participant.get(path).status_code == 410
    assert participant.post(path, {"agrees": "yes"}).status_code == 410
    assert MemberCheck.objects.get().answered_at is None
    denied = AuditEvent.objects.filter(
        object_type="qualitative.membercheck", outcome=Outcome.DENIED
    )
    assert denied.count() == 2
    before = AuditEvent.objects.filter(object_type="measures.refusedlinkattempts").count()
    assert participant.get("/check/not-a-real-token/").status_code == 410
    # A guess is counted in the shared refusal row, audited once per address and window.
    assert AuditEvent.objects.filter(object_type="measures.refusedlinkattempts").count() == (
        before + 1
    )


def test_the_public_page_is_rate_limited(
    world: World, qual: ProjectSet, login_as: LoginAs, settings: Settings
) -> None:
    path = share(qual, login_as, world)
    settings.QUALITATIVE_MEMBER_CHECK_RATE_LIMIT = 3
    settings.QUALITATIVE_MEMBER_CHECK_REFUSED_LIMIT = 2
    participant = HttpClient(REMOTE_ADDR="198.51.100.7")
    answers = [participant.get(path).status_code for _n in range(4)]
    assert answers == [200, 200, 200, 429]
    guesser = HttpClient(REMOTE_ADDR="203.0.113.9")
    guesses = [guesser.get(f"/check/guess-{n}/").status_code for n in range(3)]
    assert guesses == [410, 410, 429]
    # The guesser is stopped even on a real link; the participant elsewhere is not.
    other = HttpClient(REMOTE_ADDR="192.0.2.44")
    assert guesser.get(path).status_code == 429
    assert other.get(path).status_code == 200


def test_the_page_reads_in_french_and_switches_language(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    path = share(qual, login_as, world, language="fr")
    participant = HttpClient()
    text = participant.get(path).content.decode()
    assert 'lang="fr"' in text
    assert "Votre résumé d\u2019entretien" in text
    assert "Your interview summary" not in text
    english = participant.get(path + "?lang=en").content.decode()
    assert "Your interview summary" in english
    # The choice is kept for the link.
    assert "Your interview summary" in participant.get(path).content.decode()
    MemberCheck.objects.update(answered_at=timezone.now())
    refused = HttpClient().get(path).content.decode()
    assert "Ce lien ne peut pas être utilisé" in refused


def test_only_a_lead_shares_and_only_its_projects_cases(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    url = reverse("qualitative:member_check_new", args=[qual.project.pk])
    refused = login_as(world.trainer).post(
        url, {"case": str(qual.case.pk), "summary": SUMMARY, "language": "en"}
    )
    assert refused.status_code == 403
    lead = login_as(world.researcher)
    assert (
        lead.post(url, {"case": "999999", "summary": SUMMARY, "language": "en"}).status_code == 400
    )
    assert (
        lead.post(url, {"case": str(qual.case.pk), "summary": " ", "language": "en"}).status_code
        == 400
    )
    assert not MemberCheck.objects.exists()


def test_the_lead_withdraws_an_unanswered_link_with_a_reason(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    path = share(qual, login_as, world)
    check = MemberCheck.objects.get()
    lead = login_as(world.researcher)
    listing = reverse("qualitative:member_check_list", args=[qual.project.pk])
    withdraw = reverse("qualitative:member_check_withdraw", args=[qual.project.pk, check.pk])
    assert withdraw in lead.get(listing).content.decode()

    # No reason: refused, nothing changed, the form is shown again.
    refused = lead.post(withdraw, {"reason": "  "})
    assert refused.status_code == 400
    assert MemberCheck.objects.get().expires_at == check.expires_at

    done = lead.post(withdraw, {"reason": "Shared with the wrong case"})
    assert done.status_code == 302
    closed = MemberCheck.objects.get()
    assert closed.expires_at <= timezone.now()
    assert closed.answered_at is None
    change = qual.project.changes.get(object_type="qualitative.membercheck")
    assert change.reason == "Shared with the wrong case"
    assert AuditEvent.objects.filter(object_type="qualitative.projectchange").exists()
    page = lead.get(listing).content.decode()
    assert "Link withdrawn" in page
    assert withdraw not in page
    assert (
        "Shared with the wrong case"
        in lead.get(reverse("qualitative:project_history", args=[qual.project.pk])).content.decode()
    )
    # The participant's link no longer opens; a second withdrawal has nothing to close.
    assert HttpClient().get(path).status_code == 410
    again = lead.post(withdraw, {"reason": "Again"})
    assert again.status_code == 400
    assert "nothing to withdraw" in again.content.decode()


def test_only_the_lead_withdraws_and_an_answered_link_stays(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    path = share(qual, login_as, world)
    check = MemberCheck.objects.get()
    withdraw = reverse("qualitative:member_check_withdraw", args=[qual.project.pk, check.pk])
    assert login_as(world.trainer).post(withdraw, {"reason": "No"}).status_code == 403
    assert login_as(world.case_manager).get(withdraw).status_code == 404
    participant = HttpClient()
    participant.get(path)
    participant.post(path, {"agrees": "yes", "comment": ""})
    assert MemberCheck.objects.get().answered_at is not None
    answered = login_as(world.researcher).post(withdraw, {"reason": "Late"})
    assert answered.status_code == 400
    assert MemberCheck.objects.get().agrees is True
