"""Qualitative pages that hold hidden labels and wide tables: on a phone nothing scrolls the page
sideways and lone links are finger-sized; on a desktop a wide matrix scrolls in its own box."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from tandem.qualitative.models import Code, Coding
from tests.browser.test_phone_layout import MEASURE, MIN_TARGET_PX
from tests.browser.test_practice_journey import sign_in
from tests.conftest import World
from tests.qualitative.factories import project_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coded_document_and_matrices_stay_inside_the_screen(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    qual = project_with(world.agency, lead=world.researcher)
    # Enough long code names to make the co-occurrence table wider than a desktop page.
    for position in range(2, 16):
        Code.objects.create(
            project=qual.project,
            name=f"A rather long code name number {position}",
            created_by=world.researcher,
            position=position,
        )
    # A coding: its removal form carries a visually hidden label with the code's name.
    Coding.objects.create(
        document=qual.document, code=qual.code, start=0, end=12, coder=world.researcher
    )
    base = live_server.url
    project = f"{base}/qualitative/{qual.project.pk}"
    page = sign_in(browser, base, world.researcher.email)  # 390 x 844
    for path in ("/", f"/documents/{qual.document.pk}/", "/member-checks/"):
        page.goto(project + path)
        measured = page.evaluate(MEASURE, MIN_TARGET_PX)
        assert measured["overflow"] <= 0, (path, measured["wide"])
        assert measured["small"] == [], (path, measured["small"])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{project}/matrices/co-occurrence/")
    assert page.evaluate("document.scrollingElement.scrollWidth - innerWidth") <= 0
    scroller = page.locator(".table-scroll")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    page.context.close()
