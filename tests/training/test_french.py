"""The trainer's and the participant's pages, full of records, read in French."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from tandem.accounts.models import User
from tandem.training import services
from tests.conftest import World
from tests.core.french import problems, typed_in_database
from tests.training.factories import (
    accepted_swap,
    baseline_wave,
    efficacy_cohort,
    first_session,
    held_cohort,
)

pytestmark = pytest.mark.django_db


def french(user: User) -> HttpClient:
    http = HttpClient()
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    http.force_login(user)
    return http


def test_training_pages_with_records_show_no_english(world: World) -> None:
    cohort = held_cohort(world.agency)
    session = first_session(cohort)
    turn = session.presentations.get()
    typed = typed_in_database()
    pages = {
        world.trainer: [
            reverse("training:cohort_list"),
            reverse("training:cohort_new"),
            reverse("training:cohort_detail", args=[cohort.pk]),
            reverse("training:cohort_edit", args=[cohort.pk]),
            reverse("training:session_detail", args=[session.pk]),
            reverse("training:note", args=[turn.pk]),
        ],
        world.case_manager: [
            reverse("training:my_training"),
            reverse("training:cohort_detail", args=[cohort.pk]),
            reverse("training:note_search", args=[cohort.pk]),
            reverse("training:follow_up", args=[turn.note.pk]),
            reverse("practice:caseload"),
        ],
    }
    found = {}
    for user, paths in pages.items():
        http = french(user)
        for path in paths:
            response = http.get(path)
            assert response.status_code == 200, path
            page_problems = problems(response.content.decode(), typed=typed)
            if page_problems:
                found[path] = page_problems
    assert found == {}
    caseload = french(world.case_manager).get(reverse("practice:caseload")).content.decode()
    assert "Prochaine séance de formation" in caseload


def test_self_efficacy_pages_with_results_show_no_english(world: World) -> None:
    cohort = efficacy_cohort(world.agency)
    place = cohort.participants.order_by("rota_position").select_related("user").first()
    assert place is not None
    wave = cohort.efficacy_waves.get(kind="end")
    typed = typed_in_database()
    pages = {
        world.trainer: [reverse("training:efficacy", args=[cohort.pk])],
        place.user: [
            reverse("training:my_training"),
            reverse("training:efficacy_answer", args=[wave.pk]),
        ],
    }
    found = {}
    for user, paths in pages.items():
        for path in paths:
            response = french(user).get(path)
            assert response.status_code == 200, path
            page_problems = problems(response.content.decode(), typed=typed)
            if page_problems:
                found[path] = page_problems
    assert found == {}
    report = french(world.trainer).get(reverse("training:efficacy", args=[cohort.pk]))
    assert "Test t apparié" in report.content.decode()


def test_seeded_principles_read_in_the_readers_language(world: World) -> None:
    """A cohort started in English keeps its seeded principles' stored names, yet a French
    reader reads them in French; a principle the cohort added reads as typed."""
    from tandem.training.models import Principle

    cohort = held_cohort(world.agency)
    Principle.objects.create(cohort=cohort, name="Acceptance and commitment therapy", position=9)
    assert cohort.principles.filter(name="Interpersonal therapy").exists()
    session = first_session(cohort)
    for url in (
        reverse("training:cohort_detail", args=[cohort.pk]),
        reverse("training:session_detail", args=[session.pk]),
        reverse("training:note_search", args=[cohort.pk]),
    ):
        html = french(world.trainer).get(url).content.decode()
        assert "Thérapie interpersonnelle" in html, url
        assert "Interpersonal therapy" not in html, url
    page = french(world.trainer).get(reverse("training:cohort_detail", args=[cohort.pk]))
    assert "Acceptance and commitment therapy" in page.content.decode()


def test_correction_pages_with_history_show_no_english(world: World) -> None:
    cohort = held_cohort(world.agency)
    wave = baseline_wave(cohort)
    services.correct_wave(
        actor=world.trainer,
        wave=wave,
        expected_version=wave.version,
        reason="Deux jours de plus",
        opens_on=wave.opens_on,
        closes_on=wave.closes_on + timedelta(days=2),
    )
    session = first_session(cohort)
    statuses = {p.pk: "present" for p in cohort.participants.all()}
    statuses[cohort.participants.get(user=world.teammate).pk] = "excused"
    services.record_attendance(
        actor=world.trainer, session=session, statuses=statuses, reason="Avait prévenu"
    )
    swap = accepted_swap(cohort)
    typed = typed_in_database()
    found = {}
    http = french(world.trainer)
    for path in (
        reverse("training:wave_edit", args=[wave.pk]),
        reverse("training:swap_undo", args=[swap.pk]),
        reverse("training:session_detail", args=[session.pk]),
        reverse("training:efficacy", args=[cohort.pk]),
    ):
        response = http.get(path)
        assert response.status_code == 200, path
        page_problems = problems(response.content.decode(), typed=typed)
        if page_problems:
            found[path] = page_problems
    assert found == {}
