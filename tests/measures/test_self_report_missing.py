"""The client's link page: unanswered items are shown before sending, languages switch, and a
fresh link replaces an earlier one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from tandem.audit.models import Action, AuditEvent
from tandem.clients.models import Client
from tandem.measures.models import (
    Administration,
    AdministrationStatus,
    Response,
    SelfReportLink,
)
from tandem.measures.services import IssuedLink, issue_link, submit_self_report
from tests.conftest import LoginAs, World
from tests.measures.factories import due_rprs

pytestmark = pytest.mark.django_db

ALL_THREES = {f"q{i}": "3" for i in range(1, 25)}


def _issued(world: World, client: Client | None = None) -> tuple[Administration, IssuedLink]:
    client = client or world.own_client
    administration = due_rprs(client.episodes.get())
    issued = issue_link(
        actor=world.case_manager,
        administration=administration,
        channel="in_person",
        build_url=lambda token: f"/r/{token}/",
    )
    return administration, issued


def _path(issued: IssuedLink) -> str:
    return f"/r/{issued.token}/"


def _without(*items: str) -> dict[str, str]:
    return {k: v for k, v in ALL_THREES.items() if k not in items}


def test_sending_with_two_items_unanswered_lists_them_and_keeps_the_answers(
    world: World,
) -> None:
    administration, issued = _issued(world)
    page = HttpClient().post(_path(issued), {**_without("q3", "q17"), "action": "submit"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="#item-q3"' in html
    assert 'href="#item-q17"' in html
    assert 'href="#item-q4"' not in html
    assert 'name="q4" value="3" checked' in html
    assert 'name="action" value="confirm"' in html
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.DUE
    link = SelfReportLink.objects.get(pk=issued.link.pk)
    assert link.used_at is None
    assert link.response is not None
    assert len(link.response.answers) == 22


def test_answering_the_missing_items_then_sending_completes_the_response(world: World) -> None:
    administration, issued = _issued(world)
    http = HttpClient()
    http.post(_path(issued), {**_without("q3", "q17"), "action": "submit"})
    done = http.post(_path(issued), {"q3": "2", "q17": "4", "action": "submit"})
    assert done.status_code == 200
    response = Response.objects.get(administration=administration)
    assert response.completed_at is not None
    assert response.sent_incomplete is False
    assert response.scores["total"] == 3 * 22 + 2 + 4
    assert SelfReportLink.objects.get(pk=issued.link.pk).used_at is not None


def test_the_client_may_send_as_is_after_seeing_the_missing_items(world: World) -> None:
    administration, issued = _issued(world)
    http = HttpClient()
    http.post(_path(issued), {**_without("q3", "q17"), "action": "submit"})
    done = http.post(_path(issued), {"action": "confirm"})
    assert done.status_code == 200
    response = Response.objects.get(administration=administration)
    assert response.sent_incomplete is True
    assert response.scores["total"] == pytest.approx(72)  # prorated: mean 3 x 24 items
    assert SelfReportLink.objects.get(pk=issued.link.pk).used_at is not None


def test_an_unscorable_response_is_not_completed_without_the_clients_confirmation(
    world: World,
) -> None:
    _administration, issued = _issued(world)
    with pytest.raises(ValidationError) as raised:
        submit_self_report(link=issued.link, answers={"q1": "3"}, language="en")
    assert raised.value.error_dict["answers"][0].code == "incomplete"
    assert not Response.objects.filter(completed_at__isnull=False).exists()
    assert SelfReportLink.objects.get(pk=issued.link.pk).used_at is None


def test_a_confirmed_unscorable_response_is_stored_complete_without_scores(world: World) -> None:
    _administration, issued = _issued(world)
    response = submit_self_report(
        link=issued.link, answers={"q1": "3"}, language="en", confirmed=True
    )
    assert response.completed_at is not None
    assert response.sent_incomplete is True
    assert response.scores["total"] is None


def test_a_scorable_response_with_an_item_missing_may_be_completed_by_the_service(
    world: World,
) -> None:
    _administration, issued = _issued(world)
    response = submit_self_report(link=issued.link, answers=_without("q1"), language="en")
    assert response.completed_at is not None
    assert response.sent_incomplete is True


# ---- languages ----------------------------------------------------------------------------------
def _french(world: World) -> Client:
    client = world.own_client
    client.preferred_language = "fr"
    client.save(update_fields=["preferred_language"])
    return client


def test_the_page_opens_in_the_clients_preferred_language(world: World) -> None:
    _administration, issued = _issued(world, _french(world))
    page = HttpClient().get(_path(issued)).content.decode()
    assert '<html lang="fr">' in page
    assert 'href="?lang=en"' in page
    assert 'lang="fr" hreflang="fr" aria-current="true"' in page


def test_a_language_chosen_on_the_page_is_kept_for_the_link(world: World) -> None:
    _administration, issued = _issued(world, _french(world))
    http = HttpClient()
    assert '<html lang="en">' in http.get(_path(issued) + "?lang=en").content.decode()
    assert '<html lang="en">' in http.get(_path(issued)).content.decode()
    assert '<html lang="fr">' in HttpClient().get(_path(issued)).content.decode()


def test_an_unknown_language_is_ignored(world: World) -> None:
    _administration, issued = _issued(world, _french(world))
    assert '<html lang="fr">' in HttpClient().get(_path(issued) + "?lang=xx").content.decode()


def test_the_refusal_page_of_a_used_link_speaks_the_clients_language(world: World) -> None:
    _administration, issued = _issued(world, _french(world))
    http = HttpClient()
    http.post(_path(issued), {**ALL_THREES, "action": "submit"})
    refused = http.get(_path(issued))
    assert refused.status_code == 410
    html = refused.content.decode()
    assert '<html lang="fr">' in html
    assert 'href="?lang=en"' in html
    assert '<html lang="en">' in http.get(_path(issued) + "?lang=en").content.decode()


def test_the_refusal_page_of_an_unknown_token_offers_both_languages() -> None:
    refused = HttpClient().get("/r/not-a-token/?lang=fr")
    assert refused.status_code == 410
    html = refused.content.decode()
    assert '<html lang="fr">' in html
    assert 'href="?lang=en"' in html


def test_french_answers_are_stored_with_their_language(world: World) -> None:
    administration, issued = _issued(world, _french(world))
    HttpClient().post(_path(issued), {**ALL_THREES, "action": "submit"})
    assert Response.objects.get(administration=administration).language == "fr"


# ---- a fresh link -------------------------------------------------------------------------------
def test_a_fresh_link_replaces_the_open_one_and_keeps_the_answers_so_far(
    world: World, login_as: LoginAs
) -> None:
    administration, first = _issued(world)
    HttpClient().post(_path(first), {"q1": "2", "action": "save"})
    page = login_as(world.case_manager).get(f"/measures/{administration.pk}/")
    assert "Send a fresh link" in page.content.decode()
    issued = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/link/", {"channel": "in_person"}
    )
    match = re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]+/)", issued.content.decode())
    assert match is not None
    assert HttpClient().get(_path(first)).status_code == 410
    fresh = HttpClient().get(match.group(1))
    assert fresh.status_code == 200
    assert 'name="q1" value="2" checked' in fresh.content.decode()
    old = SelfReportLink.objects.get(pk=first.link.pk)
    assert old.cancelled_at is not None
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="measures.selfreportlink", object_id=str(old.pk)
    ).exists()


def test_a_fresh_link_cannot_be_made_for_a_closed_wave(world: World) -> None:
    administration, _issued_link = _issued(world)
    Administration.objects.filter(pk=administration.pk).update(
        status=AdministrationStatus.NOT_COLLECTED
    )
    administration.refresh_from_db()
    with pytest.raises(ValidationError):
        issue_link(
            actor=world.case_manager,
            administration=administration,
            channel="in_person",
            build_url=lambda token: token,
            now=timezone.now() + timedelta(minutes=1),
        )
