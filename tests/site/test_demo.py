"""The synthetic demo agency: its shape, its logins, and loading it twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.clients.models import Client, Episode
from tandem.orgs.models import Programme, ProgrammeModel, Team
from tandem.practice import demo as practice_demo
from tandem.practice.models import Contact, DomainEntry, Goal, Step
from tandem.site.demo import DEMO_PASSWORD, DEMO_SLUG, load_demo
from tandem.training.models import (
    Cohort,
    ConsultationNote,
    EfficacyResponse,
    FollowUp,
    Presentation,
    PresentationStatus,
)
from tandem.training.report import efficacy_report

pytestmark = pytest.mark.demo


@pytest.mark.usefixtures("demo_db")
def test_demo_has_the_promised_shape() -> None:
    load_demo()
    assert set(Programme.objects.values_list("model", flat=True)) == {
        ProgrammeModel.SMCM,
        ProgrammeModel.STCM,
    }
    assert Team.objects.count() == 4
    riverbend = User.objects.filter(
        memberships__role=Role.CASE_MANAGER, memberships__agency__slug=DEMO_SLUG
    )
    assert riverbend.distinct().count() == 12
    assert Client.objects.count() == 300
    assert Episode.objects.filter(status="open").count() > 200


@pytest.mark.usefixtures("demo_db")
def test_loading_twice_does_not_duplicate(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--no-serve")
    call_command("demo", "--no-serve")
    assert Client.objects.count() == 300
    assert User.objects.filter(email="cm11@riverbend.example").count() == 1


@pytest.mark.django_db(transaction=True)  # flush cannot run inside a test's transaction
def test_reset_starts_over(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--no-serve")
    Client.objects.filter(pk=Client.objects.first().pk).update(given_name="Changed")  # type: ignore[union-attr]  # the demo has clients
    call_command("demo", "--no-serve", "--reset")
    assert Client.objects.count() == 300
    assert not Client.objects.filter(given_name="Changed").exists()


@pytest.mark.usefixtures("demo_db")
def test_every_printed_login_signs_in(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--no-serve")
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("login: ")]
    roles = {ln.split()[1] for ln in lines}
    assert roles == {role.value for role in Role}
    case_managers = [ln.split()[2] for ln in lines if ln.split()[1] == Role.CASE_MANAGER]
    # Two Riverbend case managers, one of each programme's teams, and a partner-agency
    # participant of the training cohort.
    assert len(case_managers) == 4
    assert sum(email.endswith("@lakeside.example") for email in case_managers) == 1
    for line in lines:
        _label, role, email, password, *_programme = line.split(maxsplit=4)
        assert password == DEMO_PASSWORD
        http = HttpClient()
        response = http.post("/accounts/login/", {"username": email, "password": password})
        assert response.status_code == 302, (role, email)
        assert http.get("/").status_code in (200, 302)


@pytest.mark.usefixtures("demo_db")
def test_the_logins_cover_each_programmes_clinical_roles_and_both_assessors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("demo", "--no-serve")
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("login: ")]
    for role in (Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER):
        for programme in Programme.objects.all():
            email = next(
                ln.split()[2]
                for ln in lines
                if ln.split()[1] == role and ln.endswith(f"({programme.name})")
            )
            membership = User.objects.get(email=email).memberships.get(role=role)
            assert membership.programme_id == programme.pk
    assessors = [ln.split()[2] for ln in lines if ln.split()[1] == Role.ASSESSOR]
    assert len(set(assessors)) == 2


@pytest.mark.usefixtures("demo_db")
def test_french_speaking_clients_have_their_record_in_french() -> None:
    load_demo()
    french_wants = {wants for wants, _now in practice_demo.WANTS_FR.values()}
    english_wants = {wants for wants, _now in practice_demo.WANTS.values()}
    for language, wants, steps, notes in (
        ("fr", french_wants, practice_demo.STEPS_FR, practice_demo.NOTES_FR),
        ("en", english_wants, practice_demo.STEPS, practice_demo.NOTES),
    ):
        goals = Goal.objects.filter(plan__client__preferred_language=language)
        assert goals.exists(), language
        assert set(goals.values_list("own_words", flat=True)) <= wants
        step_actions = Step.objects.filter(goal__in=goals).values_list("action", flat=True)
        assert set(step_actions) <= set(steps)
        contact_notes = Contact.objects.filter(client__preferred_language=language)
        assert set(contact_notes.values_list("note", flat=True)) <= set(notes)
        entries = DomainEntry.objects.filter(assessment__client__preferred_language=language)
        assert set(entries.values_list("wants", flat=True)) <= wants


@pytest.mark.usefixtures("demo_db")
def test_the_two_demo_case_managers_are_on_different_teams() -> None:
    load_demo()
    first = User.objects.get(email="cm11@riverbend.example").memberships.get().team_id
    second = User.objects.get(email="cm21@riverbend.example").memberships.get().team_id
    assert first != second


@pytest.mark.usefixtures("demo_db")
def test_demo_measures_are_never_completed_in_the_future() -> None:
    from django.utils import timezone

    from tandem.measures.models import Response

    load_demo()
    assert Response.objects.exists()
    assert not Response.objects.filter(completed_at__gt=timezone.now()).exists()


@pytest.mark.usefixtures("demo_db")
def test_the_demo_training_cohort_spans_two_agencies_with_pre_post_self_efficacy() -> None:
    cohort = Cohort.objects.get()
    today = timezone.localdate()
    places = cohort.participants.filter(is_active=True)
    assert places.count() == 10
    assert places.values("user__agency").distinct().count() == 2
    sessions = cohort.sessions.filter(voided_at__isnull=True)
    assert sessions.count() == 8
    assert all(s.held_on < today and s.attendance.count() == 10 for s in sessions)
    assert Presentation.objects.filter(
        session__cohort=cohort, status=PresentationStatus.GIVEN
    ).exists()
    assert ConsultationNote.objects.filter(presentation__session__cohort=cohort).count() == 2
    assert FollowUp.objects.filter(note__presentation__session__cohort=cohort).count() == 1
    for kind in ("baseline", "end"):
        assert EfficacyResponse.objects.filter(wave__cohort=cohort, wave__kind=kind).count() == 10
    report = efficacy_report(cohort)
    assert report.n_pairs == 10
    total = next(s for s in report.scales if s.name == "total")
    assert total.test.mean_diff > 0
    trainer = User.objects.get(email="trainer@riverbend.example")
    http = HttpClient()
    http.force_login(trainer)
    assert http.get(reverse("training:efficacy", args=[cohort.pk])).status_code == 200
