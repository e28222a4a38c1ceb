"""Tandem's pages live under their Content-Security-Policy: Chromium reports no violation.

The policy forbids inline scripts and inline styles, so anything a page or a library injects
inline (htmx's indicator style, matplotlib's chart styles, an admin widget) would show here as a
``securitypolicyviolation`` event or a console message, on the demo agency's real pages.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from playwright.sync_api import Browser, ConsoleMessage, Page
from pytest_django.live_server_helper import LiveServer

from tandem.accounts.models import User
from tandem.clients.models import Episode, EpisodeStatus
from tandem.measures.models import Administration, Response
from tandem.measures.services import issue_link
from tandem.orgs.models import Programme, Team
from tandem.site.demo import DEMO_DOMAIN, DEMO_PASSWORD, load_demo
from tests.conftest import World
from tests.measures.factories import due_rprs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every document before its own scripts; the events land where the test can read them.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Visitor:
    """One browser context that signs in, opens pages and keeps every violation it saw."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.base = base
        self.context = browser.new_context(locale="en-CA")
        self.context.add_init_script(COLLECT_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.violations: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        # Chromium also names any feature of the Permissions-Policy header it does not know.
        if re.search(r"Content Security Policy|Permissions.Policy", message.text, re.IGNORECASE):
            self.violations.append(f"console: {message.text}")

    def open(self, path: str) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), path
        self.page.wait_for_load_state("networkidle")
        self.collect(path)

    def collect(self, path: str) -> None:
        found = self.page.evaluate("window.__cspViolations || []")
        self.violations.extend(f"{path}: {v}" for v in found)

    def sign_in(self, name: str) -> None:
        self.open("/accounts/login/")
        self.page.get_by_label("Email").fill(f"{name}@{DEMO_DOMAIN}")
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("networkidle")
        self.collect("after sign-in")

    def close(self) -> None:
        self.context.close()


def _scored_client_of(user: User) -> int:
    response = (
        Response.objects.filter(
            administration__episode__primary_case_manager=user,
            administration__episode__status=EpisodeStatus.OPEN,
            completed_at__isnull=False,
        )
        .order_by("pk")
        .first()
    )
    assert response is not None, "the demo gives every case manager scored clients"
    return response.administration.client_id  # type: ignore[union-attr]  # a scored response comes from an administration


def _open_self_report(user: User) -> Administration:
    """A due RPRS (answered by the client) in one of ``user``'s open episodes."""
    episode = Episode.objects.filter(primary_case_manager=user, status=EpisodeStatus.OPEN).first()
    assert episode is not None
    return due_rprs(episode, wave="month 9")


def _answer_first_item(page: Page) -> None:
    """Answer the first item of a questionnaire, which htmx saves or checks at once."""
    field = page.locator("main form input:not([type=hidden])").first
    if field.get_attribute("type") == "radio":
        field.check()
    else:
        field.fill("3")
    page.wait_for_load_state("networkidle")


@pytest.mark.demo
def test_key_pages_raise_no_content_security_policy_violation(
    live_server: LiveServer, browser: Browser
) -> None:
    load_demo(n_clients=40)
    base = live_server.url
    case_manager = User.objects.get(email=f"cm11@{DEMO_DOMAIN}")
    client_pk = _scored_client_of(case_manager)
    administration = _open_self_report(case_manager)
    issued = issue_link(
        actor=case_manager,
        administration=administration,
        channel="in_person",
        build_url=lambda token: f"{base}/r/{token}/",
    )
    violations: list[str] = []

    anonymous = Visitor(browser, base)
    anonymous.open("/accounts/login/")
    # The client's own page: answering a question saves it through htmx.
    anonymous.open(f"/r/{issued.token}/")
    _answer_first_item(anonymous.page)
    anonymous.collect("/r/<token>/ after an answer")
    violations += anonymous.violations
    anonymous.close()

    worker = Visitor(browser, base)
    worker.sign_in("cm11")
    for path in (
        "/caseload/",
        f"/clients/{client_pk}/",
        f"/clients/{client_pk}/dashboard/",
        "/dashboard/",
    ):
        worker.open(path)
    assert worker.page.locator("svg").count() > 0, "the dashboard draws its charts"
    # A measure entered by the worker: typing an answer validates it through htmx.
    worker.open(f"/measures/{administration.pk}/")
    _answer_first_item(worker.page)
    worker.collect(f"/measures/{administration.pk}/ after an answer")
    violations += worker.violations
    worker.close()

    supervisor = Visitor(browser, base)
    supervisor.sign_in("supervisor1")
    team = Team.objects.get(name="Riverside")  # supervisor1's team
    supervisor.open(f"/teams/{team.pk}/")
    supervisor.open(f"/teams/{team.pk}/dashboard/")
    violations += supervisor.violations
    supervisor.close()

    manager = Visitor(browser, base)
    manager.sign_in("manager.smcm")
    programme = Programme.objects.get(name="Strengths Case Management")
    manager.open(f"/programmes/{programme.pk}/dashboard/")
    violations += manager.violations
    manager.close()

    admin = Visitor(browser, base)
    admin.sign_in("admin")
    agency_admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    for path in (
        "/admin/",
        "/admin/orgs/team/",
        f"/admin/orgs/team/{team.pk}/change/",
        f"/admin/accounts/user/{agency_admin.pk}/change/",
        "/admin/audit/auditevent/",
    ):
        admin.open(path)
    violations += admin.violations
    admin.close()

    assert violations == []


def test_the_self_report_page_never_sends_its_token_as_a_referrer(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    """The link's address is its token: no request of the page carries it as a Referer, and the
    answers still post (a "no-referrer" page would post them with "Origin: null")."""
    issued = issue_link(
        actor=world.case_manager,
        administration=due_rprs(world.own_client.episodes.get()),
        channel="in_person",
        build_url=lambda token: f"/r/{token}/",
    )
    context = browser.new_context(locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15_000)
    referers: list[str] = []
    page.on("request", lambda request: referers.append(request.headers.get("referer") or ""))
    page.goto(f"{live_server.url}/r/{issued.token}/")
    _answer_first_item(page)
    with page.expect_navigation() as posted:
        page.locator("main form button[type=submit]").click()
    assert posted.value is not None
    assert posted.value.status != 403, "the CSRF check refused the answers"
    context.close()
    assert len(referers) > 2, "the page loads its stylesheet and script, and posts its answers"
    assert [r for r in referers if "/r/" in r] == []
    assert HttpClient().get(f"/r/{issued.token}/")["Referrer-Policy"] == "strict-origin"
