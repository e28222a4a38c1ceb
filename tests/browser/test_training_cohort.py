"""A trainer runs a cohort of 10 case managers from two agencies through 8 weekly sessions in a
real browser: attendance taken on each session's form, the rota read off the cohort page and
checked for fairness, two consultation notes (one first refused for a client's name) and a
follow-up written by the presenters, and the self-efficacy report's paired tests checked against
``scipy.stats.ttest_rel`` and a hand d_z on the stored scores.

To keep the test short, the cohort itself and its two waves are created through the services,
three participants answer both waves through the questionnaire page, and the answers of the
other seven are submitted through ``services.submit_efficacy``. At the end the trainer opens
the cohort's interview project, its participants as cases. Phone width (390x844) is checked on
the participant's page and the attendance form.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer
from scipy import stats as scipy_stats

from tandem.accounts.models import Role, User
from tandem.measures.registry import get_instrument
from tandem.training import services
from tandem.training.models import (
    ConsultationNote,
    EfficacyResponse,
    Presentation,
    PresentationStatus,
    TrainingSession,
    WaveKind,
)
from tests.browser.test_practice_journey import sign_in
from tests.conftest import World
from tests.factories import ClientFactory, MembershipFactory, UserFactory
from tests.training.factories import cose_answers, make_cohort

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "document.scrollingElement.scrollWidth - innerWidth"
PRESENTER = re.compile(r"(Participant \d\d) \((Given|Planned|Missed \(moved on\))\)")


def _status(i: int, s: int) -> str:
    """A varied attendance pattern: participant ``i`` at session ``s``."""
    if (3 * i + s) % 7 == 0:
        return "absent"
    if (i + 2 * s) % 9 == 4:
        return "excused"
    return "present"


def _no_horizontal_scroll(page: Page) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate(OVERFLOW) <= 0, page.url


def _number(text: str) -> float:
    return float(text.replace("\u2212", "-").replace(",", "").strip())


def _close_to(text: str, expected: float, places: int) -> None:
    assert abs(_number(text) - expected) <= 0.5 * 10**-places + 1e-9, (text, expected)


def test_cohort_of_ten_through_eight_sessions(
    world: World, live_server: LiveServer, browser: Browser
) -> None:
    base = live_server.url
    trainer = world.trainer
    MembershipFactory.create(user=trainer, role=Role.TRAINER, agency=world.other_agency)
    people: list[User] = []
    for i in range(10):
        agency = world.agency if i < 5 else world.other_agency
        person = UserFactory.create(full_name=f"Participant {i + 1:02d}", agency=agency)
        MembershipFactory.create(user=person, role=Role.CASE_MANAGER, agency=agency)
        people.append(person)
    # Eight weekly sessions, the last one today; two presenters a session.
    cohort = make_cohort(
        trainer=trainer,
        participants=people,
        agencies=[world.agency, world.other_agency],
        weeks_before=7,
        weeks_after=0,
        presenters_per_session=2,
    )
    ClientFactory.create(agency=world.other_agency, given_name="Gwendolyn", family_name="Abernathy")
    sessions = list(TrainingSession.objects.filter(cohort=cohort).order_by("held_on"))
    assert len(sessions) == 8
    places = list(cohort.participants.select_related("user").order_by("rota_position"))
    pages: list[Page] = []
    try:
        # The trainer takes attendance session by session, on a phone.
        lead = sign_in(browser, base, trainer.email)
        pages.append(lead)
        attendance: list[dict[str, str]] = []
        for s, session in enumerate(sessions):
            lead.goto(f"{base}/training/sessions/{session.pk}/")
            expect(lead.get_by_role("heading", name="Attendance")).to_be_visible()
            if s == 0:
                _no_horizontal_scroll(lead)
                # One row of choices per participant: the whole list fits a few thumb swipes.
                heights = lead.locator("form.attendance fieldset").evaluate_all(
                    "els => els.map(e => e.getBoundingClientRect().height)"
                )
                assert len(heights) == 10
                assert max(heights) < 100, heights
            statuses = {}
            for i, place in enumerate(places):
                status = _status(i, s)
                lead.locator(f"input[name='p{place.pk}'][value='{status}']").check()
                statuses[place.user.full_name] = status
            attendance.append(statuses)
            lead.get_by_role("button", name="Save the attendance").click()
            expect(
                lead.get_by_text("Attendance is saved; the rota is planned again.")
            ).to_be_visible()

        # The rota as the cohort page shows it: the two presenters of each session, given by
        # people present, never a second turn while someone present has not had as many.
        lead.goto(f"{base}/training/cohorts/{cohort.pk}/")
        rows = lead.locator("h2:has-text('Sessions and rota') + * tbody tr")
        expect(rows).to_have_count(8)
        given: Counter[str] = Counter()
        for s in range(8):
            cells = rows.nth(s).locator("td")
            href = cells.nth(0).locator("a").get_attribute("href")
            assert href == f"/training/sessions/{sessions[s].pk}/"
            shown = PRESENTER.findall(cells.nth(2).inner_text())
            present = {n for n, st in attendance[s].items() if st == "present"}
            # Two turns planned a session; a turn is given by a person present, and one who is
            # not keeps their place for the next session they attend.
            assert len(shown) == 2, shown
            assert all((status == "Given") == (name in present) for name, status in shown), shown
            presenters = [name for name, status in shown if status == "Given"]
            others = present - set(presenters)
            if presenters:
                assert max(given[n] for n in presenters) <= min(given[n] for n in others), shown
            given.update(presenters)
            assert cells.nth(3).inner_text().strip() == str(len(present))
        # The page's turns are the stored ones, and someone presented twice only once everyone
        # present at that session had presented.
        assert given == Counter(
            p.participant.user.full_name
            for p in Presentation.objects.filter(
                session__cohort=cohort, status=PresentationStatus.GIVEN
            ).select_related("participant__user")
        )
        assert max(given.values()) == 2

        # The first two presenters write a note each, on a phone.
        turns = Presentation.objects.filter(
            session__cohort=cohort, status=PresentationStatus.GIVEN
        ).order_by("session__held_on", "participant__rota_position")
        writer_places = list(dict.fromkeys(t.participant for t in turns))[:2]
        # The principle as the cohort stores it (named in the language active when it was made).
        principle = cohort.principles.order_by("position")[1].name
        writers = []
        for n, place in enumerate(writer_places):
            writer = sign_in(browser, base, place.user.email)
            pages.append(writer)
            writers.append(writer)
            writer.goto(f"{base}/training/me/")
            expect(writer.get_by_role("heading", name="My training")).to_be_visible()
            _no_horizontal_scroll(writer)
            writer.get_by_role("link", name="Write the consultation note").first.click()
            writer.get_by_label("Presenting question").fill("How to keep contact after a move?")
            summary = "A woman in her thirties who moved twice this year."
            if n == 0:
                writer.get_by_label("De-identified case summary").fill(
                    summary + " Gwendolyn Abernathy says the new flat is far."
                )
            else:
                writer.get_by_label("De-identified case summary").fill(summary)
            writer.get_by_label(principle, exact=True).check()
            writer.get_by_label("The group's suggestions").fill("Agree one small next step.")
            writer.get_by_role("button", name="Save the note").click()
            if n == 0:
                # Refused, saying what to remove; the input is kept.
                alert = writer.get_by_role("alert").first
                expect(alert).to_contain_text("De-identified case summary")
                expect(alert).to_contain_text("This text identifies a client.")
                expect(alert).to_contain_text("the name “Abernathy”")
                expect(alert).to_contain_text("the name “Gwendolyn”")
                expect(writer.get_by_label("Presenting question")).to_have_value(
                    "How to keep contact after a move?"
                )
                writer.get_by_label("De-identified case summary").fill(
                    summary + " G. says the new flat is far."
                )
                writer.get_by_role("button", name="Save the note").click()
            expect(writer.get_by_text("The note is saved.")).to_be_visible()
        notes = list(ConsultationNote.objects.filter(presentation__participant__in=writer_places))
        assert sorted(n.presentation.participant_id for n in notes) == sorted(
            p.pk for p in writer_places
        )
        assert "Abernathy" not in " ".join(n.case_summary for n in notes)

        # The first writer adds a follow-up at a later session.
        follower = writers[0]
        follower.get_by_role("link", name="Add a follow-up").click()
        follower.get_by_label("Session").select_option(value=str(sessions[-1].pk))
        follower.get_by_label("What I tried").fill("Met at the library near her flat.")
        follower.get_by_label("What happened").fill("She came twice and brought questions.")
        follower.get_by_role("button", name="Save the follow-up").click()
        expect(follower.get_by_text("Your follow-up is saved.")).to_be_visible()
        expect(follower.get_by_text("Met at the library near her flat.")).to_be_visible()
        first_note = next(n for n in notes if n.presentation.participant == writer_places[0])
        assert first_note.presentation.session.held_on < sessions[-1].held_on
        assert first_note.follow_ups.get().session_id == sessions[-1].pk

        # Baseline and end waves (both open today); three participants answer on the page.
        today = timezone.localdate()
        waves = {
            kind: services.open_wave(
                actor=trainer,
                cohort=cohort,
                kind=kind,
                opens_on=today,
                closes_on=today + timedelta(days=7),
            )
            for kind in (WaveKind.BASELINE, WaveKind.END)
        }
        rng = np.random.default_rng(2026)
        instrument = get_instrument("cose")
        for i, place in enumerate(places):
            level = rng.uniform(2.3, 4.2)
            respondent = None
            if i < 3:
                respondent = sign_in(browser, base, place.user.email)
                pages.append(respondent)
            for kind, shift in ((WaveKind.BASELINE, 0.0), (WaveKind.END, rng.normal(0.5, 0.5))):
                answers = cose_answers(rng, level + shift)
                if respondent is None:
                    services.submit_efficacy(actor=place.user, wave=waves[kind], answers=answers)
                    continue
                # From the participant's own page, one wave after the other.
                respondent.goto(f"{base}/training/me/")
                respondent.get_by_role(
                    "link", name="Answer your self-efficacy questionnaire"
                ).first.click()
                respondent.wait_for_url(f"**/training/waves/{waves[kind].pk}/")
                for item in instrument.items:
                    respondent.locator(
                        f"input[name='{item.id}'][value='{answers[item.id]}']"
                    ).check()
                respondent.get_by_role("button", name="Send my answers").click()
                expect(respondent.get_by_text("Your answers are saved. Thank you.")).to_be_visible()
                stored = EfficacyResponse.objects.get(wave=waves[kind], participant=place)
                assert stored.answers == answers
        assert EfficacyResponse.objects.filter(wave__cohort=cohort).count() == 20

        # The report, against scipy on the stored scores.
        lead.goto(f"{base}/training/cohorts/{cohort.pk}/self-efficacy/")
        before = {
            r.participant_id: r.scores
            for r in EfficacyResponse.objects.filter(wave=waves[WaveKind.BASELINE])
        }
        after = {
            r.participant_id: r.scores
            for r in EfficacyResponse.objects.filter(wave=waves[WaveKind.END])
        }
        ids = sorted(before)
        for score in instrument.scores:
            b = np.array([float(before[pid][score.name]) for pid in ids])
            a = np.array([float(after[pid][score.name]) for pid in ids])
            expected = scipy_stats.ttest_rel(a, b)
            low, high = expected.confidence_interval(0.95)
            diff = a - b
            d_z = diff.mean() / diff.std(ddof=1)
            row = lead.locator(f"table.efficacy-tests tr[data-scale='{score.name}']")
            cells = row.locator("td")
            expect(cells).to_have_count(9)
            texts = cells.all_inner_texts()
            _close_to(texts[2], diff.mean(), 2)
            ci_low, ci_high = texts[3].split(" to ")
            _close_to(ci_low, low, 2)
            _close_to(ci_high, high, 2)
            _close_to(texts[4], expected.statistic, 2)
            assert int(texts[5]) == expected.df == len(ids) - 1
            if texts[6].startswith("<"):
                assert expected.pvalue < 0.001
            else:
                _close_to(texts[6], expected.pvalue, 3)
            _close_to(texts[7], d_z, 2)
        # The ten-column table of tests reads as one card per scale on the phone.
        _no_horizontal_scroll(lead)

        # The trainer opens the interview project from the cohort page: the ten participants
        # are its cases; a second click goes to the same project.
        lead.goto(f"{base}/training/cohorts/{cohort.pk}/")
        lead.get_by_role("button", name="Open the interview project").click()
        lead.wait_for_url(re.compile(r"/qualitative/\d+/$"))
        expect(lead.get_by_text("The interview project is opened")).to_be_visible()
        project_url = lead.url
        lead.goto(f"{project_url}cases/")
        expect(lead.get_by_role("link", name=re.compile(r"^P\d\d$"))).to_have_count(10)
        lead.goto(f"{base}/training/cohorts/{cohort.pk}/")
        lead.get_by_role("button", name="Go to the interview project").click()
        lead.wait_for_url(project_url)
    finally:
        # Let every page finish its requests before the database is flushed.
        for page in pages:
            page.wait_for_load_state("networkidle")
            page.context.close()
