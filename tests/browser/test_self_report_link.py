"""A case manager opens a due RPRS and makes a link; the client answers it in French on their
own (anonymous) browser; the score reaches the client page; the used and expired links are
refused."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tandem.measures.models import Administration, Response, Schedule, ScheduleRule
from tandem.measures.services import create_due_administrations, issue_link
from tests.conftest import World
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _due_rprs(world: World) -> Administration:
    Schedule.objects.create(
        programme=world.programme, instrument_code="rprs", rule=ScheduleRule.INTAKE
    )
    client = world.own_client
    client.preferred_language = "fr"
    client.save()
    episode = client.episodes.get()
    episode.start_date = timezone.localdate()
    episode.save()
    (administration,) = create_due_administrations(actor=world.supervisor, episode=episode)
    return administration


def _wait_for_saved_answers(administration: Administration, count: int) -> None:
    """Each answer is posted as it is given; wait (bounded) until the server holds them all."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            draft = Response.objects.filter(administration=administration).first()
        except OperationalError:
            # The test database is SQLite in memory with a shared cache: while the live server
            # thread writes, a read here can find the table locked. Ask again.
            draft = None
        if draft is not None and len(draft.answers) == count:
            return
        time.sleep(0.1)
    pytest.fail(f"the server did not save all {count} answers")


def test_client_answers_a_one_time_link_in_french(
    world: World, live_server: LiveServer, page: Page, browser: Browser
) -> None:
    administration = _due_rprs(world)
    base = live_server.url
    page.goto(f"{base}/clients/{world.own_client.pk}/")
    page.get_by_label("Email").fill(world.case_manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/clients/{world.own_client.pk}/$"))

    expect(page.get_by_role("heading", name="Measures", exact=True)).to_be_visible()
    page.get_by_role("link", name="Open RPRS").click()
    page.wait_for_url(re.compile(rf"/measures/{administration.pk}/$"))
    page.get_by_label("Hand the link over").select_option("in_person")
    page.get_by_role("button", name="Create a link").click()
    expect(page.get_by_role("heading", name="Link for the client")).to_be_visible()
    expect(page.locator(".qr svg")).to_have_count(1)
    url = page.get_by_label("Address of the link").input_value()
    assert re.search(r"/r/[A-Za-z0-9_-]{43,}/$", url)

    client_context = browser.new_context(locale="fr-CA")
    phone = client_context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(url)
    assert phone.locator("html").get_attribute("lang") == "fr"
    first_name = world.own_client.given_name
    expect(phone.get_by_role("heading", name=f"Bonjour {first_name}")).to_be_visible()
    assert world.own_client.family_name not in phone.content()
    for number in range(1, 25):
        phone.locator(f'input[name="q{number}"][value="3"]').check()
    _wait_for_saved_answers(administration, 24)
    phone.reload()  # a closed tab loses nothing: every answer was saved as it was given
    expect(phone.locator('input[value="3"]:checked')).to_have_count(24)
    phone.get_by_role("button", name="Envoyer mes réponses").click()
    expect(phone.get_by_role("heading", name=f"Merci, {first_name}")).to_be_visible()

    page.goto(f"{base}/clients/{world.own_client.pk}/")
    expect(page.locator('[data-score="rprs-total"]').first).to_have_text("72")
    expect(page.locator("section.measures figure.chart svg")).to_have_count(1)

    reused = phone.goto(url)
    assert reused is not None
    assert reused.status == 410
    expect(phone.get_by_role("heading", name="Ce lien ne peut pas être utilisé")).to_be_visible()

    later = Administration.objects.create(
        client=world.own_client,
        episode=administration.episode,
        instrument_code="rprs",
        instrument_version="1",
        wave="month 4.5",
        due_date=timezone.localdate(),
        window_opens=timezone.localdate() - timedelta(days=7),
        window_closes=timezone.localdate() + timedelta(days=14),
        status="due",
    )
    expired = issue_link(
        actor=world.case_manager,
        administration=later,
        channel="in_person",
        build_url=lambda token: f"{base}/r/{token}/",
        now=timezone.now() - timedelta(days=15),
    )
    refused = phone.goto(f"{base}/r/{expired.token}/")
    assert refused is not None
    assert refused.status == 410
    expect(phone.get_by_role("heading", name="Ce lien ne peut pas être utilisé")).to_be_visible()
    client_context.close()
