"""A programme manager schedules an instrument on the configuration page; the demo's full set
of measures fills the team dashboard's outcome panel."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tandem.accounts.models import User
from tandem.clients import services as client_services
from tandem.measures.models import Administration, Schedule, ScheduleRule
from tandem.orgs.models import ConfigurationChange, Programme, ProgrammeModel, Team
from tandem.site.demo import DEMO_DOMAIN, DEMO_PASSWORD, load_demo
from tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.demo, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(f"{email}@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_programme_manager_adds_a_qoli_schedule_and_a_new_episode_gets_its_waves(
    live_server: LiveServer, page: Page
) -> None:
    load_demo(n_clients=120)
    base = live_server.url
    programme = Programme.objects.get(agency__slug="riverbend-demo", model=ProgrammeModel.STCM)
    assert not Schedule.objects.filter(programme=programme, instrument_code="qoli20").exists()

    sign_in(page, base, "manager.stcm")
    page.get_by_role("link", name="Configuration", exact=True).click()
    page.get_by_role("link", name=f"Configuration of {programme.name}").click()
    page.get_by_role("link", name="Add a schedule").click()
    page.get_by_label("Instrument").select_option(label="QOLI-20 (quality of life)")
    page.get_by_label("In waves from the episode start").check()
    page.get_by_label("Waves: every ... months").fill("1")
    page.get_by_label("Waves: for ... months").fill("2")
    page.get_by_role("button", name="Add the schedule").click()
    page.wait_for_url(re.compile(rf"/programmes/{programme.pk}/configuration/"))

    schedules = page.locator("#schedules table")
    expect(schedules).to_contain_text("QOLI-20 (quality of life)")
    expect(schedules).to_contain_text("Waves: baseline, month 1, month 2")
    expect(page.locator("#history")).to_contain_text("Measurement schedule added")
    schedule = Schedule.objects.get(programme=programme, instrument_code="qoli20")
    assert schedule.rule == ScheduleRule.WAVES
    assert ConfigurationChange.objects.filter(object_id=str(schedule.pk)).count() == 1

    manager = User.objects.get(email=f"manager.stcm@{DEMO_DOMAIN}")
    team = Team.objects.filter(programme=programme).order_by("pk").first()
    assert team is not None
    case_manager = User.objects.filter(memberships__team=team, memberships__role="case_manager")[0]
    start = timezone.localdate()
    episode = client_services.open_episode(
        actor=manager,
        client=ClientFactory.create(agency=programme.agency),
        programme=programme,
        team=team,
        case_manager=case_manager,
        start_date=start,
    )
    waves = set(
        Administration.objects.filter(episode=episode, schedule=schedule).values_list(
            "wave", flat=True
        )
    )
    assert waves == {"baseline", "month 1", "month 2"}


def test_the_team_dashboard_outcome_panel_shows_the_demo_outcomes(
    live_server: LiveServer, page: Page
) -> None:
    load_demo(n_clients=200)
    base = live_server.url
    team = Team.objects.filter(programme__model=ProgrammeModel.SMCM).order_by("pk").first()
    assert team is not None

    sign_in(page, base, "manager.smcm")
    page.goto(f"{base}/teams/{team.pk}/dashboard/")
    panel = page.locator(
        "section.panel",
        has=page.get_by_role("heading", name="MCAS (community functioning) by quarter"),
    )
    means = [text.strip() for text in panel.locator("tbody tr td:nth-child(3)").all_inner_texts()]
    shown = [text for text in means if re.fullmatch(r"\d+(\.\d+)?", text)]
    assert shown, means
    expect(panel.locator("svg")).to_have_count(1)
    # The page's other panels load after it: let them finish before the server stops.
    page.wait_for_load_state("networkidle")
