"""At 390x844, the client page shows what needs doing (steps, measures, alerts) before scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from tandem.accounts.models import User
from tandem.clients.models import Episode, EpisodeStatus
from tandem.site.demo import DEMO_DOMAIN, DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.demo, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}


def test_what_needs_doing_is_above_the_fold_on_a_phone(live_server: LiveServer, page: Page) -> None:
    load_demo(n_clients=40)
    cm = User.objects.get(email=f"cm11@{DEMO_DOMAIN}")
    episode = (
        Episode.objects.filter(primary_case_manager=cm, status=EpisodeStatus.OPEN)
        .order_by("pk")
        .first()
    )
    assert episode is not None
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(f"cm11@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/clients/{episode.client_id}/")
    for part in ("steps", "measures", "alerts"):
        section = page.locator(f'[data-summary="{part}"]')
        expect(section).to_be_visible()
        box = section.bounding_box()
        assert box is not None
        assert box["y"] < PHONE["height"], f"{part} starts below the fold at {box['y']}"
    # Nothing of the summary is wider than the phone.
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('.client-summary, .client-summary *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= PHONE["width"]
