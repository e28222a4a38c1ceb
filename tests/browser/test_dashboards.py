"""On the demo agency, each dashboard opens for its role and shows figures the database holds.

The expected figures are read here straight from the rows (not through the dashboard code), so
the page must carry the same numbers a person would count by hand.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tandem.accounts.models import User
from tandem.clients.models import Episode, EpisodeStatus, Referral, ReferralStatus
from tandem.fidelity.models import FidelityReview, ReviewStatus
from tandem.orgs.models import Programme, ProgrammeModel
from tandem.practice.models import Contact
from tandem.site.demo import DEMO_DOMAIN, DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.demo, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(f"{email}@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def headline(page: Page, label: str) -> str:
    term = page.locator("dl.headlines div").filter(
        has=page.locator("dt", has_text=re.compile(rf"^{re.escape(label)}$"))
    )
    return str(term.locator("dd").inner_text()).strip()


def test_each_dashboard_shows_the_demo_figures_to_its_role(
    live_server: LiveServer, page: Page
) -> None:
    load_demo(n_clients=60)
    base = live_server.url

    # Case manager: their open episodes, from the menu.
    cm = User.objects.get(email=f"cm11@{DEMO_DOMAIN}")
    open_episodes = Episode.objects.filter(primary_case_manager=cm, status=EpisodeStatus.OPEN)
    sign_in(page, base, "cm11")
    page.get_by_role("link", name="My dashboard").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert headline(page, "Open episodes") == str(open_episodes.count())

    # The client dashboard of one of those clients: every contact of this and the previous
    # eleven calendar months, counted in the contacts panel's "Total" column.
    episode = open_episodes.order_by("pk").first()
    assert episode is not None
    client = episode.client
    today = timezone.localdate()
    month = today.year * 12 + today.month - 1 - 11
    since = date(month // 12, month % 12 + 1, 1)
    page.goto(f"{base}/clients/{client.pk}/dashboard/")
    contacts = page.locator(
        "section.panel", has=page.get_by_role("heading", name="Contacts per month")
    )
    monthly_totals = contacts.locator("tbody tr td:last-child").all_inner_texts()
    expected = Contact.objects.filter(client=client, occurred_on__gte=since).count()
    assert expected > 0
    assert sum(int(text) for text in monthly_totals) == expected

    # Supervisor: the team's latest final review total, in the fidelity panel's table.
    sign_in(page, base, "supervisor1")
    supervisor = User.objects.get(email=f"supervisor1@{DEMO_DOMAIN}")
    team = supervisor.memberships.get().team
    assert team is not None
    latest_review = (
        FidelityReview.objects.filter(team=team, status=ReviewStatus.FINAL)
        .order_by("-review_date")
        .first()
    )
    assert latest_review is not None
    assert latest_review.total is not None
    page.goto(f"{base}/teams/{team.pk}/dashboard/")
    fidelity = page.locator(
        "section.panel", has=page.get_by_role("heading", name="Fidelity total over time")
    )
    totals = fidelity.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert f"{latest_review.total:.2f}" in [t.strip() for t in totals]
    # Charts not drawn yet arrive by htmx after the page: every placeholder is replaced.
    expect(fidelity.locator("svg")).to_have_count(1)
    expect(page.locator(".chart-pending")).to_have_count(0)
    expect(page.get_by_role("heading", name="What moved since the last four weeks")).to_be_visible()

    # Programme manager: the waitlist of the strengths programme, suppressed under five.
    sign_in(page, base, "manager.smcm")
    programme = Programme.objects.get(agency__slug="riverbend-demo", model=ProgrammeModel.SMCM)
    waiting = Referral.objects.filter(programme=programme, status=ReferralStatus.WAITLISTED).count()
    assert waiting > 0
    page.goto(f"{base}/programmes/{programme.pk}/dashboard/")
    assert headline(page, "Waiting now") == (str(waiting) if waiting == 0 or waiting >= 5 else "<5")
    # Each chart is drawn, or replaced by a sentence when all it would draw is suppressed.
    drawn = page.locator("section.panel svg").count()
    explained = page.locator("section.panel .chart-empty").count()
    assert drawn >= 1
    assert drawn + explained >= 5
