"""At phone width: find a client by searching the caseload, correct the record, void a contact."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tandem.clients.models import Client, RecordChange
from tandem.practice import services
from tandem.practice.models import Contact, ContactMode, ContactWith
from tests.browser.test_practice_journey import sign_in
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page: Page) -> None:
    page.wait_for_load_state()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_case_manager_searches_corrects_and_voids_on_a_phone(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    client = world.own_client
    contact = services.record_contact(
        actor=world.case_manager,
        episode=client.episodes.get(),
        occurred_on=timezone.localdate(),
        minutes=30,
        mode=ContactMode.COMMUNITY,
        with_whom=ContactWith.CLIENT,
        note="Entered for the wrong person",
    )
    page = sign_in(browser, live_server.url, world.case_manager.email)
    page.goto(f"{live_server.url}/caseload/")
    fits_the_screen(page)
    page.get_by_label("Search by name").fill(client.family_name)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    assert client.family_name not in page.url
    page.get_by_role("link", name=client.display_name).click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    page.get_by_role("link", name="Correct the demographics").click()
    page.wait_for_url(re.compile(r"/clients/\d+/edit/$"))
    fits_the_screen(page)
    page.get_by_label("Phone").fill("514 555-0123")
    page.get_by_label("Reason for the change").fill("New phone number.")
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    assert Client.objects.get(pk=client.pk).phone == "514 555-0123"

    page.get_by_role("link", name="History of the record").first.click()
    page.wait_for_url(re.compile(r"/clients/\d+/history/$"))
    expect(page.get_by_text("New phone number.")).to_be_visible()
    fits_the_screen(page)

    page.goto(f"{live_server.url}/contacts/{contact.pk}/edit/")
    fits_the_screen(page)
    page.get_by_label("Reason for voiding").fill("Entered for the wrong client.")
    page.get_by_role("button", name="Void this entry").click()
    page.wait_for_url(re.compile(r"/contacts/$"))
    expect(page.get_by_text("Entered for the wrong person")).to_have_count(0)
    assert Contact.all_objects.get(pk=contact.pk).is_voided
    assert RecordChange.objects.count() == 2


def test_supervisor_hands_over_and_finds_a_declined_referral_on_a_phone(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    page = sign_in(browser, live_server.url, world.supervisor.email)
    episode = world.own_client.episodes.get()
    page.goto(f"{live_server.url}/episodes/{episode.pk}/handover/")
    fits_the_screen(page)
    page.get_by_label("New case manager and team").select_option(
        f"{world.team.pk}:{world.teammate.pk}"
    )
    page.get_by_label("Reason for the hand-over").fill("Leave of three months.")
    page.get_by_role("button", name="Hand over").click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    episode.refresh_from_db()
    assert episode.primary_case_manager == world.teammate

    page.goto(f"{live_server.url}/referrals/")
    fits_the_screen(page)
    page.get_by_label("Status").select_option("declined")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"status=declined"))
    fits_the_screen(page)
