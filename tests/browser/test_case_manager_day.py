"""A case manager's day on a phone (390 x 844), through the pages a person uses: sign in, the
caseload from the folded menu, the client, a contact recorded on one screen, a plan step done,
the due measure, a link; the client answers it in French on their own phone, skips two items, is
shown which, answers them and sends; the score reaches the client page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import OperationalError
from django.db.models import Model
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from tandem.audit.models import Action, AuditEvent
from tandem.measures.models import AdministrationStatus, Response, SelfReportLink
from tandem.practice.models import Contact, ContactMode, StepStatus
from tests.conftest import World
from tests.factories import PASSWORD
from tests.measures.factories import due_rprs
from tests.practice.factories import GoalFactory, RecoveryPlanFactory, StepFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
SKIPPED = {5: 4, 12: 1}  # the items the client leaves out at first, and the answers given later
T = TypeVar("T")


def _read(query: Callable[[], T]) -> T:
    """Run ``query``; SQLite in memory with a shared cache: the live server may hold the lock."""
    deadline = time.monotonic() + 15
    while True:
        try:
            return query()
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _wait_for_saved_answers(administration_id: int, count: int) -> None:
    """Each answer is posted as it is given; wait (bounded) until the server holds them all."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        draft = _read(lambda: Response.objects.filter(administration_id=administration_id).first())
        if draft is not None and len(draft.answers) == count:
            return
        time.sleep(0.1)
    pytest.fail(f"the server did not save all {count} answers")


def _phone(browser: Browser) -> Page:
    context = browser.new_context(locale="en-CA", viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def assert_no_sideways_scroll(page: Page) -> None:
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.scrollingElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_a_case_managers_day_on_a_phone(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    base = live_server.url
    client = world.own_client
    client.preferred_language = "fr"
    client.save(update_fields=["preferred_language"])
    episode = client.episodes.get()
    goal = GoalFactory.create(plan=RecoveryPlanFactory.create(episode=episode))
    step = StepFactory.create(goal=goal, action="Visit the animal shelter")
    StepFactory.create(goal=goal, action="Call the volunteer coordinator")
    administration = due_rprs(episode)
    started = timezone.now()

    # Sign in.
    page = _phone(browser)
    page.goto(f"{base}/accounts/login/")
    assert_no_sideways_scroll(page)
    page.get_by_label("Email").fill(world.case_manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The caseload, reached from the folded menu.
    page.wait_for_url(re.compile(r"/caseload/$"))
    caseload_link = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My caseload"
    )
    if not caseload_link.is_visible():
        page.locator("details.site-menu > summary").click()
    expect(caseload_link).to_be_visible()
    assert_no_sideways_scroll(page)
    caseload_link.click()
    page.wait_for_url(re.compile(r"/caseload/$"))
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    assert_no_sideways_scroll(page)

    # The client.
    page.get_by_role("link", name=client.display_name).click()
    page.wait_for_url(re.compile(rf"/clients/{client.pk}/$"))
    expect(page.get_by_role("heading", name=client.display_name, level=1)).to_be_visible()
    assert_no_sideways_scroll(page)
    record_nav = page.get_by_role("navigation", name="Client record")

    # A contact, recorded on one screen.
    record_nav.get_by_role("link", name="Contacts").click()
    page.wait_for_url(re.compile(rf"/clients/{client.pk}/contacts/$"))
    assert_no_sideways_scroll(page)
    save = page.get_by_role("button", name="Save contact")
    expect(save).to_be_visible()
    assert page.evaluate("scrollY") == 0
    box = save.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= PHONE["height"], "the save button is below the fold"
    page.get_by_label("Minutes").fill("25")
    page.get_by_text("Phone", exact=True).click()
    page.get_by_text("Visit the animal shelter").click()
    save.click()
    expect(page.locator("table.cards td[data-label='Mode']").first).to_have_text("Phone")
    assert_no_sideways_scroll(page)

    # The plan: the step is done.
    page.get_by_role("navigation", name="Client record").get_by_role(
        "link", name="Recovery plan"
    ).click()
    page.wait_for_url(re.compile(rf"/clients/{client.pk}/plan/$"))
    expect(page.get_by_role("heading", name=re.compile("^Personal Recovery Plan"))).to_be_visible()
    assert_no_sideways_scroll(page)
    row = page.get_by_role("row").filter(has_text="Visit the animal shelter")
    row.get_by_label("Step status").select_option(label="Done")
    with page.expect_navigation():
        row.get_by_role("button", name="Update").click()
    row = page.get_by_role("row").filter(has_text="Visit the animal shelter")
    expect(row.get_by_label("Step status")).to_have_value(StepStatus.DONE)
    assert_no_sideways_scroll(page)

    # The due measure, opened from the client page, and a link for the client.
    page.get_by_role("navigation", name="Client record").get_by_role("link", name="Record").click()
    page.wait_for_url(re.compile(rf"/clients/{client.pk}/$"))
    due = page.get_by_role("region", name="Measures due")
    expect(due).to_be_visible()
    due.get_by_role("link", name=re.compile("^RPRS")).click()
    page.wait_for_url(re.compile(rf"/measures/{administration.pk}/$"))
    assert_no_sideways_scroll(page)
    page.get_by_label("Hand the link over").select_option("in_person")
    page.get_by_role("button", name="Create a link").click()
    expect(page.get_by_role("heading", name="Link for the client")).to_be_visible()
    assert_no_sideways_scroll(page)
    url = page.get_by_label("Address of the link").input_value()
    assert re.search(r"/r/[A-Za-z0-9_-]{43,}/$", url)

    # The client, on their own phone whose browser asks for English: the page is in French.
    answering = _phone(browser)
    answering.goto(url)
    assert answering.locator("html").get_attribute("lang") == "fr"
    first_name = client.preferred_name or client.given_name
    expect(answering.get_by_role("heading", name=f"Bonjour {first_name}")).to_be_visible()
    assert_no_sideways_scroll(answering)
    for number in range(1, 25):
        if number not in SKIPPED:
            answering.locator(f'input[name="q{number}"][value="3"]').check()
    _wait_for_saved_answers(administration.pk, 22)
    answering.get_by_role("button", name="Envoyer mes réponses", exact=True).click()

    missing = answering.locator(".missing-items")
    expect(missing).to_contain_text("2 items sont encore sans réponse")
    expect(missing.get_by_role("link")).to_have_count(2)
    expect(missing.get_by_role("link", name="Item 5", exact=True)).to_be_visible()
    expect(missing.get_by_role("link", name="Item 12", exact=True)).to_be_visible()
    assert_no_sideways_scroll(answering)
    missing.get_by_role("link", name="Item 5", exact=True).click()
    for number, value in SKIPPED.items():
        answering.locator(f'input[name="q{number}"][value="{value}"]').check()
    _wait_for_saved_answers(administration.pk, 24)
    answering.get_by_role("button", name="Envoyer mes réponses", exact=True).click()
    expect(answering.get_by_role("heading", name=f"Merci, {first_name}")).to_be_visible()
    assert_no_sideways_scroll(answering)
    answering.context.close()

    # Back to the case manager: the client page shows the score.
    total = 3 * 22 + sum(SKIPPED.values())
    page.goto(f"{base}/clients/{client.pk}/")
    expect(page.get_by_role("region", name="Measures due")).to_contain_text("No measure is due.")
    history = page.get_by_role("region", name=re.compile(r"^RPRS\b.* over time$"))
    expect(history.get_by_role("cell", name=f"Total {total}", exact=True)).to_be_visible()
    expect(history.locator('[data-score="rprs-total"]').first).to_have_text(str(total))
    assert_no_sideways_scroll(page)
    page.context.close()

    # What is stored.
    contact = _read(lambda: Contact.objects.get(client=client, created_at__gte=started))
    assert contact.worker == world.case_manager
    assert contact.mode == ContactMode.PHONE
    assert contact.minutes == 25
    assert list(contact.steps.all()) == [step]
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert step.completed_on == timezone.localdate()
    response = _read(lambda: Response.objects.get(administration=administration))
    assert response.completed_at is not None
    assert response.sent_incomplete is False
    assert response.language == "fr"
    assert response.scores["total"] == total
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.COMPLETED
    link = SelfReportLink.objects.get(administration=administration)
    assert link.used_at is not None

    def written(obj: Model, action: str) -> bool:
        return AuditEvent.objects.filter(
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            occurred_at__gte=started,
        ).exists()

    assert written(contact, Action.CREATE)
    assert written(step, Action.UPDATE)
    assert written(link, Action.CREATE)
    assert written(link, Action.UPDATE)  # used up by the confirmed submission
    assert written(response, Action.UPDATE)  # the answers saved as they were given
    assert written(response, Action.CREATE)  # the complete, scored response
