"""The whole path of short-term case management in a real browser: referral, screen, waitlist,
assignment, Strengths Assessment, recovery plan, contacts, group supervision and discharge."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tandem.clients.models import Episode, EpisodeStatus, Referral
from tandem.orgs.models import ProgrammeModel
from tandem.practice.models import ClientPresentation, Contact, ContactMode, Goal, Step
from tests.browser.conftest import main_menu
from tests.conftest import World
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser: Browser, base: str, email: str) -> Page:
    context = browser.new_context(locale="en-CA", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def test_short_term_path_from_referral_to_discharge(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    world.programme.model = ProgrammeModel.STCM
    world.programme.time_limit_days = 84
    world.programme.save()
    base = live_server.url

    # The supervisor enters the referral, screens it and puts the person on the waitlist.
    lead = sign_in(browser, base, world.supervisor.email)
    main_menu(lead).get_by_role("link", name="Referrals").click()
    lead.get_by_role("link", name="Enter a referral").click()
    lead.get_by_label("Programme").select_option(label="P1")
    lead.get_by_label("Given name").fill("Rowan")
    lead.get_by_label("Family name").fill("Testperson")
    lead.get_by_label("Date of birth").fill("1990-04-01")
    lead.get_by_label("Reason for referral").fill("Needs help finding housing and a doctor.")
    lead.get_by_label("Current supports").fill("A sister who visits weekly.")
    lead.get_by_label("Risks").fill("None known.")
    lead.get_by_label("Consent to share information").check()
    lead.get_by_label("Referral source").select_option("hospital")
    lead.get_by_role("button", name="Save referral").click()
    lead.wait_for_url(re.compile(r"/referrals/\d+/$"))

    for question, answer in (
        ("Needs help navigating", "Yes"),
        ("Motivated to work on goals", "Yes"),
        ("Has some supports in place", "Yes"),
        ("Substance use is the primary need", "No"),
    ):
        lead.get_by_role("group", name=re.compile(question)).get_by_label(answer).check()
    lead.get_by_role("button", name="Save screen").click()
    lead.wait_for_load_state()
    expect(lead.get_by_text("likely mismatch")).to_have_count(0)
    lead.get_by_label("Accept to the waitlist").check()
    lead.get_by_role("button", name="Record decision").click()
    lead.wait_for_load_state()
    assert lead.locator("#referral-status").inner_text() == "On the waitlist"

    main_menu(lead).get_by_role("link", name="Waitlist").click()
    lead.get_by_role("link", name="Rowan Testperson").click()
    lead.get_by_label("Case manager", exact=True).select_option(
        f"{world.team.pk}:{world.case_manager.pk}"
    )
    lead.get_by_role("button", name="Assign and open the episode").click()
    lead.wait_for_url(re.compile(r"/clients/\d+/$"))
    referral = Referral.objects.get()
    assert referral.episode is not None
    client_pk: int = referral.client_id  # type: ignore[assignment]  # the referral has its client once assigned

    # The case manager finds the new client on the caseload and does the Strengths work.
    worker = sign_in(browser, base, world.case_manager.email)
    worker.get_by_role("link", name="Rowan Testperson").click()
    worker.get_by_role("link", name="Strengths Assessment").click()
    worker.fill("#id_daily_living__current_status", "Staying on a friend's couch.")
    worker.fill("#id_daily_living__wants", "A small apartment near the river.")
    worker.fill("#id_daily_living__own_words", "I just want my own door key.")
    worker.fill("#id_social__past_resources", "Used to sing in a choir.")
    worker.get_by_role("button", name="Save Strengths Assessment").click()
    worker.wait_for_load_state()
    expect(worker.get_by_text("I just want my own door key.").first).to_be_visible()

    worker.get_by_role("link", name="Recovery plan").click()
    for domain, words in (
        ("daily_living", "Get my own place by spring"),
        ("social", "Sing with other people again"),
    ):
        worker.locator("#id_domain").select_option(domain)
        worker.locator("#id_own_words").fill(words)
        worker.get_by_role("button", name="Add goal").click()
        worker.wait_for_load_state()
    for goal_words, step in (
        ("Get my own place by spring", "Fill in the housing application"),
        ("Sing with other people again", "Visit the community choir rehearsal"),
    ):
        worker.locator("#id_goal").select_option(label=goal_words)
        worker.locator("#id_what").fill(step)
        worker.locator("#id_responsible").fill("Rowan with the case manager")
        worker.locator("#id_due_on").fill("2099-01-15")
        worker.get_by_role("button", name="Add step").click()
        worker.wait_for_load_state()
    assert Goal.objects.filter(plan__client_id=client_pk).count() == 2
    assert Step.objects.filter(goal__plan__client_id=client_pk).count() == 2

    worker.get_by_role("link", name="Contacts").first.click()
    for mode, note in (
        ("In person, in the community", "Walked to the housing office together."),
        ("Phone", "Checked the application status."),
        ("Text message", "Reminder about the choir rehearsal."),
    ):
        worker.get_by_label(mode).check()
        worker.get_by_label("Minutes").fill("30")
        worker.get_by_label("Short note").fill(note)
        worker.get_by_role("button", name="Save contact").click()
        worker.wait_for_load_state()
    assert Contact.objects.filter(client_id=client_pk).count() == 3
    assert Contact.objects.filter(client_id=client_pk, mode=ContactMode.COMMUNITY).count() == 1

    # The supervisor presents the client in group supervision.
    main_menu(lead).get_by_role("link", name="Supervision").click()
    assert lead.get_by_role("link", name="Rowan Testperson").count() == 1  # never presented
    lead.get_by_role("link", name="Record a supervision session").click()
    lead.get_by_label("Team").select_option(label="A1")
    lead.locator(f'input[name="attendees"][value="{world.case_manager.pk}"]').check()
    lead.get_by_role("button", name="Save session").click()
    lead.wait_for_url(re.compile(r"/supervision/sessions/\d+/$"))
    lead.get_by_label("Client presented").select_option(
        label=f"Rowan Testperson ({world.case_manager.full_name})"
    )
    lead.get_by_label("Suggestions from the group").fill("Ask the choir lead about a buddy.")
    lead.get_by_role("button", name="Save presentation").click()
    lead.wait_for_load_state()
    assert ClientPresentation.objects.filter(client_id=client_pk).exists()

    # The time-limited episode shows its remaining weeks, and discharge closes it.
    worker.goto(f"{base}/clients/{client_pk}/")
    worker.get_by_role("link", name=re.compile("Transition and discharge")).click()
    assert worker.locator("#weeks-remaining").inner_text() == "12"
    worker.get_by_role("textbox", name="Transition plan").fill(
        "Peer choir weekly; family doctor follows up."
    )
    worker.get_by_role("button", name="Save transition plan").click()
    worker.wait_for_load_state()
    worker.get_by_label("Discharge reason").select_option("goals_met")
    worker.get_by_label("Where the client goes next").fill("Family doctor and community choir")
    worker.get_by_role("button", name="Discharge and close the episode").click()
    worker.wait_for_url(re.compile(rf"/clients/{client_pk}/$"))
    episode = Episode.objects.get(pk=referral.episode.pk)
    assert episode.status == EpisodeStatus.CLOSED
    assert episode.discharge_destination == "Family doctor and community choir"
