"""On a phone (390 x 844), a French-speaking client skips two items, is shown which, answers
them, and sends: the response is complete with its score."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from tandem.measures.models import Administration, AdministrationStatus, Response
from tandem.measures.services import issue_link
from tests.conftest import World
from tests.measures.factories import due_rprs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKIPPED = (5, 12)


def _response(administration: Administration) -> Response | None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            return Response.objects.filter(administration=administration).first()
        except OperationalError:
            # SQLite in memory with a shared cache: the live server may hold the lock. Ask again.
            time.sleep(0.1)
    pytest.fail("the test database stayed locked")


def _wait_for_saved_answers(administration: Administration, count: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        draft = _response(administration)
        if draft is not None and len(draft.answers) == count:
            return
        time.sleep(0.1)
    pytest.fail(f"the server did not save all {count} answers")


def test_a_french_client_on_a_phone_is_shown_two_skipped_items_and_answers_them(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    client = world.own_client
    client.preferred_language = "fr"
    client.save(update_fields=["preferred_language"])
    administration = due_rprs(client.episodes.get())
    issued = issue_link(
        actor=world.case_manager,
        administration=administration,
        channel="in_person",
        build_url=lambda token: f"{live_server.url}/r/{token}/",
    )
    # The phone's browser asks for English: the client's preferred language decides.
    context = browser.new_context(locale="en-CA", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{live_server.url}/r/{issued.token}/")
    assert phone.locator("html").get_attribute("lang") == "fr"
    expect(phone.get_by_role("link", name="English")).to_be_visible()

    for number in range(1, 25):
        if number not in SKIPPED:
            phone.locator(f'input[name="q{number}"][value="3"]').check()
    _wait_for_saved_answers(administration, 22)
    phone.get_by_role("button", name="Envoyer mes réponses", exact=True).click()

    missing = phone.locator(".missing-items")
    expect(missing).to_be_visible()
    expect(missing).to_contain_text("2 items sont encore sans réponse")
    expect(missing.get_by_role("link")).to_have_count(2)
    expect(missing.get_by_role("link", name="Item 5", exact=True)).to_be_visible()
    expect(missing.get_by_role("link", name="Item 12", exact=True)).to_be_visible()
    expect(phone.locator('input[value="3"]:checked')).to_have_count(22)
    expect(phone.get_by_role("button", name="Envoyer mes réponses telles quelles")).to_be_visible()
    response = _response(administration)
    assert response is not None
    assert response.completed_at is None

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    for box in (
        phone.locator(".language-switch a").first.bounding_box(),
        missing.get_by_role("link").first.bounding_box(),
    ):
        assert box is not None
        assert box["height"] >= 44

    missing.get_by_role("link", name="Item 5", exact=True).click()
    phone.locator('input[name="q5"][value="2"]').check()
    phone.locator('input[name="q12"][value="4"]').check()
    _wait_for_saved_answers(administration, 24)
    phone.get_by_role("button", name="Envoyer mes réponses", exact=True).click()
    first_name = client.preferred_name or client.given_name
    expect(phone.get_by_role("heading", name=f"Merci, {first_name}")).to_be_visible()
    context.close()

    response = _response(administration)
    assert response is not None
    assert response.completed_at is not None
    assert response.sent_incomplete is False
    assert response.language == "fr"
    assert response.scores["total"] == 3 * 22 + 2 + 4
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.COMPLETED
    assert timezone.localdate(response.completed_at) == timezone.localdate()
