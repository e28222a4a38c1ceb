"""Training pages: who reaches what, forms in one post, conflicts, and list pages' queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.training.models import (
    Attendance,
    Cohort,
    ConsultationNote,
    Participant,
    PresentationStatus,
    SwapRequest,
    SwapStatus,
)
from tests.conftest import LoginAs, World
from tests.factories import ClientFactory, EpisodeFactory, MembershipFactory, UserFactory
from tests.training.factories import (
    PDF,
    case_managers_of,
    first_session,
    held_cohort,
    make_cohort,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(world: World) -> Cohort:
    return held_cohort(world.agency)


def test_a_participant_sees_the_cohort_and_its_notes(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    http = login_as(world.teammate)
    assert http.get(reverse("training:cohort_detail", args=[cohort.pk])).status_code == 200
    html = http.get(reverse("training:note_search", args=[cohort.pk])).content.decode()
    assert "Keeping a client engaged" in html


def test_someone_outside_the_cohort_gets_404(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    http = login_as(world.supervisor)
    for name in ("training:cohort_detail", "training:note_search"):
        assert http.get(reverse(name, args=[cohort.pk])).status_code == 404
    session = first_session(cohort)
    assert http.get(reverse("training:session_detail", args=[session.pk])).status_code == 404


def test_another_agencys_cohort_answers_404(world: World, login_as: LoginAs) -> None:
    other = held_cohort(world.other_agency)
    for user in (world.trainer, world.agency_admin, world.case_manager):
        http = login_as(user)
        assert http.get(reverse("training:cohort_detail", args=[other.pk])).status_code == 404


def test_a_trainer_gets_404_on_every_client_page(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    http = login_as(world.trainer)
    client = world.own_client
    for name in (
        "clients:client_detail",
        "practice:strengths",
        "practice:plan",
        "practice:contacts",
    ):
        assert http.get(reverse(name, args=[client.pk])).status_code == 404
    html = http.get(reverse("training:cohort_detail", args=[cohort.pk])).content.decode()
    assert client.family_name not in html


def test_attendance_for_the_whole_list_is_one_post(world: World, login_as: LoginAs) -> None:
    cohort = make_cohort(
        trainer=world.trainer, participants=case_managers_of(world.agency), agencies=[world.agency]
    )
    session = first_session(cohort)
    places = list(cohort.participants.all())
    data: dict[str, Any] = {"action": "attendance"}
    data.update({f"p{p.pk}": "present" for p in places})
    data[f"p{places[0].pk}"] = "excused"
    response = login_as(world.trainer).post(
        reverse("training:session_detail", args=[session.pk]), data
    )
    assert response.status_code == 302
    assert dict(
        Attendance.objects.filter(session=session).values_list("participant", "status")
    ) == {p.pk: ("excused" if p == places[0] else "present") for p in places}
    assert session.presentations.get(participant=places[0]).status == PresentationStatus.MISSED


def test_a_participant_cannot_take_attendance(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    session = first_session(cohort)
    response = login_as(world.teammate).post(
        reverse("training:session_detail", args=[session.pk]), {"action": "attendance"}
    )
    assert response.status_code == 403


def test_a_file_is_uploaded_and_downloaded_by_the_cohort(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    session = first_session(cohort)
    http = login_as(world.trainer)
    upload = SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf")
    response = http.post(
        reverse("training:session_detail", args=[session.pk]),
        {"action": "file", "title": "Slides", "upload": upload},
    )
    assert response.status_code == 302
    material = session.materials.get(title="Slides")
    download = login_as(world.teammate).get(
        reverse("training:material_download", args=[material.pk])
    )
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Disposition"] == 'attachment; filename="notes.pdf"'


def test_a_stale_cohort_correction_answers_409_and_keeps_the_input(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    data = {
        "action": "edit",
        "version": cohort.version,
        "name": "Renamed cohort",
        "ends_on": cohort.ends_on.isoformat(),
        "presenters_per_session": 1,
        "trainers": [world.trainer.pk],
        "participants": [world.case_manager.pk, world.teammate.pk],
        "principles": "Mentalizing",
        "reason": "Typo",
    }
    http = login_as(world.trainer)
    url = reverse("training:cohort_edit", args=[cohort.pk])
    assert http.post(url, data).status_code == 302
    stale = http.post(url, {**data, "name": "Another name"})
    assert stale.status_code == 409
    assert "Another name" in stale.content.decode()
    cohort.refresh_from_db()
    assert cohort.name == "Renamed cohort"


def test_a_participant_may_not_correct_the_cohort(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    url = reverse("training:cohort_edit", args=[cohort.pk])
    assert login_as(world.teammate).get(url).status_code == 403


def test_a_note_holding_a_clients_name_comes_back_with_what_to_remove(
    world: World, login_as: LoginAs
) -> None:
    cohort = make_cohort(
        trainer=world.trainer, participants=case_managers_of(world.agency), agencies=[world.agency]
    )
    session = first_session(cohort)
    from tandem.training import services

    services.record_attendance(
        actor=world.trainer,
        session=session,
        statuses={p.pk: "present" for p in cohort.participants.all()},
    )
    ClientFactory.create(agency=world.agency, given_name="Octavia", family_name="Lindqvist")
    turn = session.presentations.get()
    response = login_as(turn.participant.user).post(
        reverse("training:note", args=[turn.pk]),
        {
            "presenting_question": "What next?",
            "case_summary": "Octavia Lindqvist lives alone.",
            "suggestions": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Octavia" in html
    assert "Lindqvist" in html
    assert not ConsultationNote.objects.exists()


def test_someone_else_in_the_cohort_cannot_write_a_presenters_note(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    turn = first_session(cohort).presentations.get()
    assert turn.participant.user == world.case_manager
    response = login_as(world.teammate).post(
        reverse("training:note", args=[turn.pk]), {"action": "void", "reason": "x", "version": 1}
    )
    assert response.status_code == 403


def test_a_swap_is_asked_and_accepted_through_the_pages(world: World, login_as: LoginAs) -> None:
    cohort = make_cohort(
        trainer=world.trainer,
        participants=case_managers_of(world.agency),
        agencies=[world.agency],
        weeks_before=0,
    )
    partner = Participant.objects.get(cohort=cohort, user=world.teammate)
    http = login_as(world.case_manager)
    response = http.post(
        reverse("training:swap_request", args=[cohort.pk]), {"partner": partner.pk}
    )
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    html = login_as(world.trainer).get(reverse("training:cohort_detail", args=[cohort.pk]))
    assert "Waiting for an answer" in html.content.decode()
    login_as(world.teammate).post(
        reverse("training:swap_answer", args=[swap.pk]), {"answer": "accept"}
    )
    swap.refresh_from_db()
    assert swap.status == SwapStatus.ACCEPTED
    first = first_session(cohort).presentations.get()
    assert first.participant.user == world.teammate


def test_the_next_session_shows_on_a_participants_start_page(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    html = login_as(world.case_manager).get(reverse("practice:caseload")).content.decode()
    assert "Next training session" in html
    assert cohort.name in html
    html = login_as(world.supervisor).get(reverse("clients:team_list")).content.decode()
    assert "Next training session" not in html


def test_my_training_lists_sessions_attended_and_turns(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    html = login_as(world.case_manager).get(reverse("training:my_training")).content.decode()
    assert "Presentations given" in html
    assert reverse("training:note", args=[first_session(cohort).presentations.get().pk]) in html


def test_empty_states_say_what_to_do(world: World, login_as: LoginAs) -> None:
    html = login_as(world.researcher).get(reverse("training:cohort_list")).content.decode()
    assert "adds you to one" in html
    html = login_as(world.trainer).get(reverse("training:cohort_list")).content.decode()
    assert "Start one" in html


def test_a_trainer_starts_a_cohort_from_the_form(world: World, login_as: LoginAs) -> None:
    response = login_as(world.trainer).post(
        reverse("training:cohort_new"),
        {
            "name": "Autumn group",
            "host_agency": world.agency.pk,
            "starts_on": "2026-09-01",
            "ends_on": "2026-10-31",
            "weekday": 1,
            "presenters_per_session": 2,
            "trainers": [world.trainer.pk],
            "participants": [world.case_manager.pk, world.teammate.pk],
            "principles": "Mentalizing\nMotivational interviewing",
        },
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get(name="Autumn group")
    assert cohort.sessions.count() == 9


def _grow(cohort: Cohort, world: World, extra: int) -> None:
    from tandem.training import services

    people = case_managers_of(world.agency)
    for _ in range(extra):
        user = UserFactory.create(agency=world.agency)
        MembershipFactory.create(user=user, role="case_manager", team=world.team)
        EpisodeFactory.create(team=world.team, primary_case_manager=user)
        people.append(user)
    services.correct_cohort(
        actor=world.trainer,
        cohort=cohort,
        expected_version=cohort.version,
        reason="More people",
        name=cohort.name,
        ends_on=cohort.ends_on,
        presenters_per_session=1,
        trainers=[world.trainer],
        participants=people,
        principles=[p.name for p in cohort.principles.all()],
    )


@pytest.mark.parametrize("name", ["training:cohort_detail", "training:note_search"])
def test_cohort_pages_read_as_many_queries_for_ten_people_as_for_three(
    world: World, login_as: LoginAs, cohort: Cohort, name: str
) -> None:
    http = login_as(world.trainer)
    url = reverse(name, args=[cohort.pk])
    http.get(url)
    with CaptureQueriesContext(connection) as small:
        assert http.get(url).status_code == 200
    _grow(cohort, world, extra=7)
    with CaptureQueriesContext(connection) as large:
        assert http.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= 30


def test_my_training_reads_a_fixed_number_of_queries(
    world: World, login_as: LoginAs, cohort: Cohort, django_assert_max_num_queries: Any
) -> None:
    http = login_as(world.case_manager)
    with django_assert_max_num_queries(25):
        assert http.get(reverse("training:my_training")).status_code == 200


def test_a_stale_session_edit_answers_409(world: World, login_as: LoginAs, cohort: Cohort) -> None:
    session = first_session(cohort)
    http = login_as(world.trainer)
    url = reverse("training:session_detail", args=[session.pk])
    data = {"action": "session", "version": session.version, "topic": "Ambivalence"}
    assert http.post(url, data).status_code == 302
    stale = http.post(url, {**data, "topic": "Engagement"})
    assert stale.status_code == 409
    session.refresh_from_db()
    assert session.topic == "Ambivalence"


def test_a_stale_note_correction_answers_409(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    turn = first_session(cohort).presentations.get()
    note = turn.note
    http = login_as(world.case_manager)
    url = reverse("training:note", args=[turn.pk])
    data = {
        "action": "edit",
        "version": note.version,
        "presenting_question": note.presenting_question,
        "case_summary": "A man in his fifties, living alone.",
        "suggestions": note.suggestions,
        "reason": "Age corrected",
    }
    assert http.post(url, data).status_code == 302
    assert http.post(url, {**data, "case_summary": "Other"}).status_code == 409
    note.refresh_from_db()
    assert note.case_summary == "A man in his fifties, living alone."
    assert note.version == 2


def test_a_follow_up_is_corrected_then_voided_by_its_writer(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    from tandem.audit.models import AuditEvent
    from tests.training.factories import a_follow_up

    follow_up = a_follow_up(cohort)
    note_url = reverse("training:note", args=[follow_up.note.presentation_id])
    url = reverse("training:follow_up_edit", args=[follow_up.pk])
    http = login_as(world.case_manager)
    assert url in http.get(note_url).content.decode()
    data = {
        "action": "edit",
        "version": follow_up.version,
        "session": follow_up.session_id,
        "what_i_tried": "Asked what mattered most, then a short walk.",
        "what_happened": follow_up.what_happened,
        "reason": "",
    }
    refused = http.post(url, data)
    assert refused.status_code == 400
    assert "Asked what mattered most, then a short walk." in refused.content.decode()
    assert http.post(url, {**data, "reason": "Added the walk"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.what_i_tried == "Asked what mattered most, then a short walk."
    stale = http.post(url, {**data, "reason": "Again", "what_i_tried": "Other"})
    assert stale.status_code == 409
    assert "Other" in stale.content.decode()
    void = {"action": "void", "version": follow_up.version, "reason": "Wrong note"}
    assert http.post(url, void).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.is_voided
    assert follow_up.void_reason == "Wrong note"
    assert "Asked what mattered most" not in http.get(note_url).content.decode()
    assert http.get(url).status_code == 404
    actions = set(
        AuditEvent.objects.filter(
            object_type="training.followup", object_id=str(follow_up.pk)
        ).values_list("action", flat=True)
    )
    assert {"update", "delete"} <= actions


def test_only_its_writer_reaches_a_follow_up_correction(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    from tests.training.factories import a_follow_up

    url = reverse("training:follow_up_edit", args=[a_follow_up(cohort).pk])
    assert login_as(world.teammate).get(url).status_code == 404
    assert login_as(world.trainer).get(url).status_code == 404


def test_the_wave_form_offers_only_waves_not_yet_open(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    from tandem.training.models import WaveKind
    from tests.training.factories import baseline_wave

    baseline_wave(cohort)
    http = login_as(world.trainer)
    url = reverse("training:efficacy", args=[cohort.pk])
    html = http.get(url).content.decode()
    assert 'value="baseline"' not in html
    assert 'value="midpoint"' in html
    today = first_session(cohort).held_on.isoformat()
    for kind in (WaveKind.MIDPOINT, WaveKind.END):
        data = {"kind": kind, "opens_on": today, "closes_on": today}
        assert http.post(url, data).status_code == 302
    html = http.get(url).content.decode()
    assert 'name="kind"' not in html
    assert "are all open" in html


def test_self_efficacy_tables_read_as_cards_on_a_phone(world: World, login_as: LoginAs) -> None:
    """Every table of the report and of a participant's own change stacks into cards on a
    narrow screen: French headers and scale names made them wider than a phone."""
    import re

    from tests.training.factories import efficacy_cohort

    cohort = efficacy_cohort(world.agency)
    trainer = cohort.trainers.get()
    report = login_as(trainer).get(reverse("training:efficacy", args=[cohort.pk]))
    tables = re.findall(r"<table[^>]*>", report.content.decode())
    assert len(tables) == 3, tables  # waves, tests, participants
    assert all("cards" in t for t in tables), tables
    place = cohort.participants.select_related("user").first()
    assert place is not None
    own = login_as(place.user).get(reverse("training:my_training")).content.decode()
    assert re.search(r'<table class="[^"]*own-efficacy[^"]*cards', own) or re.search(
        r'<table class="[^"]*cards[^"]*own-efficacy', own
    )
