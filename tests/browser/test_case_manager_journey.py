"""A case manager signs in, reads the caseload, opens a client, switches to French, and is
refused another team's client."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.conftest import World
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_case_manager_journey(world: World, live_server: LiveServer, page: Page) -> None:
    base = live_server.url
    page.goto(f"{base}/caseload/")
    assert "/accounts/login/" in page.url

    page.get_by_label("Email").fill(world.case_manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/caseload/$"))

    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    link = page.get_by_role("link", name=world.own_client.display_name)
    expect(link).to_be_visible()
    expect(page.get_by_role("link", name=world.team_client.display_name)).to_have_count(0)

    link.click()
    page.wait_for_url(re.compile(rf"/clients/{world.own_client.pk}/$"))
    expect(page.get_by_role("heading", name=world.own_client.display_name)).to_be_visible()
    expect(page.get_by_role("heading", name="Episodes of care")).to_be_visible()

    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("heading", name="Épisodes de soins")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    response = page.goto(f"{base}/clients/{world.other_team_client.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Introuvable")).to_be_visible()
    assert world.other_team_client.family_name not in page.content()


def test_sign_in_form_works_by_keyboard_alone(
    world: World, live_server: LiveServer, page: Page
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    # The email field has focus on arrival; the browser gives it at its next rendering step,
    # which on a loaded machine can come after the load event, so wait for it.
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(world.case_manager.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/caseload/$"))
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
