"""A case manager's pages at 390 x 844: no sideways scrolling, fingertip-sized targets, the
menu folded and opened, contact entry on one screen.

The size rule (WCAG 2.5.5, 44 x 44 CSS px) holds for every visible link, button, summary and form
control in the header and main. Documented exceptions, as WCAG's "inline" exception: a link
inside running text (a paragraph, a definition or a list item with more text than the link); a radio
button or checkbox counts by its label, which is what a finger hits; a visually hidden element.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from tandem.measures.models import Administration
from tandem.measures.services import issue_link
from tests.alerts.factories import AlertFactory, contact
from tests.conftest import World
from tests.factories import PASSWORD
from tests.measures.factories import due_rprs
from tests.practice.factories import GoalFactory, RecoveryPlanFactory, StepFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
CLIENT_PAGES = ("plan", "contacts", "strengths", "invitations", "dashboard")
OWN_PAGES = ("alerts/", "dashboard/", "resources/")
MIN_TARGET_PX = 44

# Runs in the page: the targets smaller than the minimum, and the page's sideways overflow.
MEASURE = """(min) => {
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && !el.closest('.visually-hidden');
  };
  const inRunningText = (el) => {
    const holder = el.parentElement.closest('p, dd, li, td, th, label, legend, h1, h2, h3');
    if (!holder || !/^(P|DD|LI)$/.test(holder.tagName)) return false;
    return holder.textContent.trim() !== el.textContent.trim();
  };
  const small = [];
  const selector = 'a[href], button, summary, input:not([type=hidden]), select, textarea';
  for (const el of document.querySelectorAll(`header ${selector}, main ${selector}`)) {
    if (!visible(el) || (el.tagName === 'A' && inRunningText(el))) continue;
    let target = el;
    if (el.matches('input[type=radio], input[type=checkbox]')) {
      target = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (!target) { small.push(`unlabelled ${el.name}`); continue; }
    }
    const box = target.getBoundingClientRect();
    if (box.width < min - 0.5 || box.height < min - 0.5) {
      const name = (el.textContent || el.name || el.getAttribute('aria-label') || '').trim();
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${el.tagName.toLowerCase()} "${name.slice(0, 40)}" ${size}`);
    }
  }
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > innerWidth + 0.5 && visible(el)) {
      wide.push(`${el.tagName.toLowerCase()}.${el.className}`);
    }
  }
  return {
    overflow: document.scrollingElement.scrollWidth - innerWidth,
    small: small,
    wide: wide.slice(0, 5),
  };
}"""


@pytest.fixture
def day_of_work(world: World) -> World:
    """The own client with a plan (a goal with two steps), a recent contact, a due measure and
    an open alert, as on a case manager's ordinary day."""
    episode = world.own_client.episodes.get()
    plan = RecoveryPlanFactory.create(episode=episode)
    goal = GoalFactory.create(plan=plan)
    StepFactory.create(goal=goal)
    StepFactory.create(goal=goal, action="Call the volunteer coordinator")
    contact(episode, timezone.localdate() - timedelta(days=3))
    AlertFactory.create(episode=episode)
    return world


@pytest.fixture
def phone(browser: Browser) -> Page:
    context = browser.new_context(locale="en-CA", viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def assert_fits_a_phone(page: Page) -> None:
    page.wait_for_load_state("load")
    found = page.evaluate(MEASURE, MIN_TARGET_PX)
    where = page.url
    assert found["overflow"] <= 0, (where, found["wide"])
    assert found["small"] == [], where


def sign_in(page: Page, base: str, world: World) -> None:
    page.goto(f"{base}/accounts/login/")
    assert_fits_a_phone(page)
    # By field name, not label: the walk runs in either language.
    page.locator("main input[name=username]").fill(world.case_manager.email)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/caseload/$"))


def test_the_menu_folds_on_a_phone_and_opens_by_keyboard(
    world: World, live_server: LiveServer, phone: Page
) -> None:
    sign_in(phone, live_server.url, world)
    menu = phone.locator("details.site-menu")
    caseload_link = phone.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My caseload"
    )
    expect(caseload_link).to_be_hidden()
    phone.locator("details.site-menu > summary").focus()
    phone.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    expect(caseload_link).to_be_visible()
    expect(phone.get_by_role("button", name="Sign out")).to_be_visible()
    assert_fits_a_phone(phone)
    phone.keyboard.press("Enter")
    expect(caseload_link).to_be_hidden()


def test_a_wide_screen_shows_the_menu_open(
    world: World, live_server: LiveServer, page: Page
) -> None:
    sign_in(page, live_server.url, world)
    expect(page.locator("details.site-menu > summary")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("locale", ["en-CA", "fr-CA"])  # French labels run longer
def test_a_case_managers_pages_fit_a_phone(
    day_of_work: World, live_server: LiveServer, browser: Browser, locale: str
) -> None:
    world = day_of_work
    base = live_server.url
    context = browser.new_context(locale=locale, viewport=PHONE, has_touch=True, is_mobile=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    sign_in(phone, base, world)
    assert phone.locator("html").get_attribute("lang") == locale[:2]
    assert_fits_a_phone(phone)
    # The caseload is cards: the row's cells carry their column names.
    expect(phone.locator("table.cards td[data-label]").first).to_be_visible()

    phone.locator("details.site-menu > summary").click()
    assert_fits_a_phone(phone)
    phone.locator("details.site-menu > summary").click()

    phone.get_by_role("link", name=world.own_client.display_name).click()
    phone.wait_for_url(re.compile(rf"/clients/{world.own_client.pk}/$"))
    assert_fits_a_phone(phone)

    client_pages = [f"clients/{world.own_client.pk}/{page}/" for page in CLIENT_PAGES]
    for path in [*client_pages, *OWN_PAGES]:
        response = phone.goto(f"{base}/{path}")
        assert response is not None
        assert response.ok, path
        assert_fits_a_phone(phone)
    context.close()


def test_contact_entry_fits_one_screen(
    day_of_work: World, live_server: LiveServer, phone: Page
) -> None:
    world = day_of_work
    sign_in(phone, live_server.url, world)
    phone.goto(f"{live_server.url}/clients/{world.own_client.pk}/contacts/")
    assert_fits_a_phone(phone)
    save = phone.get_by_role("button", name="Save contact")
    box = save.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= PHONE["height"], "the save button is below the fold"
    form = phone.locator("form.quick-entry").bounding_box()
    assert form is not None
    assert form["y"] + form["height"] <= PHONE["height"], "contact entry needs scrolling"

    phone.get_by_text("Phone", exact=True).click()
    phone.get_by_text("Visit the animal shelter").click()
    save.click()
    expect(phone.locator("table.cards td[data-label='Mode']").first).to_have_text("Phone")
    assert_fits_a_phone(phone)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_self_report_page_fits_a_phone(
    world: World, live_server: LiveServer, phone: Page, language: str
) -> None:
    world.own_client.preferred_language = language
    world.own_client.save()
    administration: Administration = due_rprs(world.own_client.episodes.get())
    issued = issue_link(
        actor=world.case_manager,
        administration=administration,
        channel="in_person",
        build_url=lambda token: f"{live_server.url}/r/{token}/",
    )
    phone.set_extra_http_headers({"Accept-Language": language})
    phone.goto(f"{live_server.url}/r/{issued.token}/")
    assert phone.locator("html").get_attribute("lang") == language
    expect(phone.locator("main form button[type=submit]").last).to_be_attached()
    assert_fits_a_phone(phone)
    # The answer is saved as it is given: wait for that save, so that no request is still
    # writing when the test's database is emptied after it.
    with phone.expect_response(lambda r: r.request.method == "POST" and "/r/" in r.url):
        phone.locator("main input[type=radio]").first.check()
    assert_fits_a_phone(phone)
