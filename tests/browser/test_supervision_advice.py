"""Supervision advice reaches the worker, in a real browser at phone width: the supervisor
presents a client beside their strengths and plan, agrees an action, and the case manager
finds it on the caseload and the client's page and marks it done."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tandem.practice import services
from tandem.practice.models import AgreedAction, AgreedActionStatus
from tests.browser.test_practice_journey import sign_in
from tests.conftest import World
from tests.practice.supervision_setup import group_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The supervision panels' links and buttons smaller than 44 x 44 px, except links in running
# text (a paragraph with more than the link), as tests/browser/test_phone_layout.py counts them.
SMALL_TARGETS = """(min) => {
  const small = [];
  const targets = '.from-supervision a[href], .from-supervision button';
  for (const el of document.querySelectorAll(targets)) {
    const holder = el.parentElement.closest('p, dd, li');
    if (el.tagName === 'A' && holder && /^(P|DD)$/.test(holder.tagName)
        && holder.textContent.trim() !== el.textContent.trim()) continue;
    const box = el.getBoundingClientRect();
    if (box.width < min - 0.5 || box.height < min - 0.5) small.push(el.textContent.trim());
  }
  return small;
}"""


def assert_panel_fits_a_phone(page: Page) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("document.scrollingElement.scrollWidth - innerWidth") <= 0, page.url
    assert page.evaluate(SMALL_TARGETS, 44) == [], page.url


def test_an_action_agreed_in_supervision_reaches_the_case_manager(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    episode = world.own_client.episodes.get()
    services.record_strengths_assessment(
        actor=world.case_manager,
        episode=episode,
        assessed_on=timezone.localdate(),
        entries={"social": {"wants": "Sing in a choir again"}},
    )
    session = group_session(world)
    base = live_server.url

    lead = sign_in(browser, base, world.supervisor.email)
    lead.goto(f"{base}/supervision/sessions/{session.pk}/")
    lead.get_by_label("Client presented").select_option(str(episode.pk))
    # Chosen, the client's strengths appear beside the form without leaving the page.
    expect(lead.locator("#presenting-summary")).to_contain_text("Sing in a choir again")
    lead.get_by_label("Suggestions from the group").fill("Ask the choir lead about a buddy.")
    lead.get_by_label("Action agreed (optional)").fill("Phone the choir lead")
    due = timezone.localdate() + timedelta(days=7)
    lead.get_by_label("By when").first.fill(due.isoformat())
    lead.get_by_role("button", name="Save presentation").click()
    lead.wait_for_load_state()
    expect(lead.get_by_text("Phone the choir lead")).to_be_visible()

    worker = sign_in(browser, base, world.case_manager.email)
    worker.goto(f"{base}/caseload/")
    item = worker.locator(".agreed-action", has_text="Phone the choir lead")
    expect(item).to_be_visible()
    assert_panel_fits_a_phone(worker)
    worker.goto(f"{base}/clients/{world.own_client.pk}/")
    expect(worker.locator(".agreed-action", has_text="Phone the choir lead")).to_be_visible()
    assert_panel_fits_a_phone(worker)
    worker.goto(f"{base}/caseload/")
    item.get_by_role("button", name="Mark done").click()
    expect(worker.locator(".agreed-action", has_text="done on")).to_be_visible()
    assert AgreedAction.objects.get().status == AgreedActionStatus.DONE

    worker.goto(f"{base}/clients/{world.own_client.pk}/")
    expect(worker.get_by_text("Ask the choir lead about a buddy.")).to_be_visible()
    assert_panel_fits_a_phone(worker)
    worker.get_by_role("link", name=re.compile("Group supervision")).click()
    worker.wait_for_url(re.compile(rf"/supervision/sessions/{session.pk}/$"))
    expect(worker.get_by_text("done on")).to_be_visible()
    assert_panel_fits_a_phone(worker)
