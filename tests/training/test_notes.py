"""Consultation notes: refused while they identify a client of any agency of the cohort."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.training import services
from tandem.training.models import Cohort, ConsultationNote, Presentation
from tests.conftest import World
from tests.factories import ClientFactory, MembershipFactory
from tests.training.factories import first_session, make_cohort, trainer_of

pytestmark = pytest.mark.django_db

CLEAN = {
    "presenting_question": "How do I support someone who keeps cancelling?",
    "case_summary": "A woman in her thirties, two children, recently moved.",
    "suggestions": "Meet where she feels at ease.",
}


@pytest.fixture
def two_agency_cohort(world: World) -> Cohort:
    """A cohort of agencies A and Z, its first session held, with a client in each agency."""
    trainer = trainer_of(world.other_agency)
    MembershipFactory.create(user=trainer, role="trainer", agency=world.agency)
    cohort = make_cohort(
        trainer=trainer,
        participants=[world.case_manager, world.other_agency_case_manager],
        agencies=[world.agency, world.other_agency],
    )
    services.record_attendance(
        actor=trainer,
        session=first_session(cohort),
        statuses={p.pk: "present" for p in cohort.participants.all()},
    )
    ClientFactory.create(
        agency=world.agency,
        given_name="Roxanne",
        family_name="Tremblay-Ouellet",
        email="roxanne.t@mail.example",
        phone="514-555-0142",
    )
    ClientFactory.create(
        agency=world.other_agency,
        given_name="Gwendolyn",
        family_name="Abernathy",
        email="gwen.a@mail.example",
        phone="+1 (438) 555-0199",
    )
    return cohort


def given_turn(cohort: Cohort) -> Presentation:
    return first_session(cohort).presentations.get()


def write(cohort: Cohort, **texts: str) -> ConsultationNote:
    presentation = given_turn(cohort)
    return services.write_note(
        actor=presentation.participant.user,
        presentation=presentation,
        principles=list(cohort.principles.all()[:1]),
        **{**CLEAN, **texts},
    )


@pytest.mark.parametrize(
    ("field", "text", "shown"),
    [
        ("case_summary", "Roxanne has missed three meetings.", "Roxanne"),
        ("case_summary", "Ms ABERNATHY lives alone.", "ABERNATHY"),
        (
            "presenting_question",
            "Should I write to gwen.a@mail.example again?",
            "gwen.a@mail.example",
        ),
        ("suggestions", "Call her at 438 555 0199 on Monday.", "438 555 0199"),
        ("case_summary", "Her number is 5145550142.", "5145550142"),
        ("case_summary", "Mrs tremblay-ouellet asked for help.", "tremblay-ouellet"),
    ],
)
def test_a_note_naming_a_client_of_either_agency_is_refused_saying_what_to_remove(
    two_agency_cohort: Cohort, field: str, text: str, shown: str
) -> None:
    with pytest.raises(ValidationError) as error:
        write(two_agency_cohort, **{field: text})
    assert error.value.error_dict[field][0].code == "identifies_client"
    assert shown in error.value.message_dict[field][0]
    assert not ConsultationNote.objects.exists()


def test_a_de_identified_note_is_kept_with_its_principles(two_agency_cohort: Cohort) -> None:
    note = write(two_agency_cohort)
    assert note.principles.count() == 1
    assert note.written_by == given_turn(two_agency_cohort).participant.user


def test_a_client_of_an_agency_outside_the_cohort_is_not_checked(
    world: World, two_agency_cohort: Cohort
) -> None:
    ClientFactory.create(given_name="Philomena")  # a third agency
    note = write(two_agency_cohort, case_summary="Philomena is a character in a novel.")
    assert note.pk is not None


def test_a_correction_is_checked_too(two_agency_cohort: Cohort) -> None:
    note = write(two_agency_cohort)
    with pytest.raises(ValidationError):
        services.correct_note(
            actor=note.written_by,
            note=note,
            expected_version=note.version,
            reason="More detail",
            principles=[],
            **{**CLEAN, "case_summary": "Gwendolyn came back."},
        )


def test_a_follow_up_is_written_by_the_presenter_at_a_later_session(
    world: World, two_agency_cohort: Cohort
) -> None:
    note = write(two_agency_cohort)
    later = two_agency_cohort.sessions.order_by("held_on")[1]
    with pytest.raises(PermissionDenied):
        services.record_follow_up(
            actor=world.other_agency_case_manager,
            note=note,
            session=later,
            what_i_tried="x",
            what_happened="y",
        )
    with pytest.raises(ValidationError) as error:
        services.record_follow_up(
            actor=note.written_by,
            note=note,
            session=first_session(two_agency_cohort),
            what_i_tried="Met at the park.",
            what_happened="She came.",
        )
    assert "session" in error.value.message_dict
    follow_up = services.record_follow_up(
        actor=note.written_by,
        note=note,
        session=later,
        what_i_tried="Met at the park.",
        what_happened="She came, and talked about work.",
    )
    assert follow_up.note == note


def test_a_note_is_voided_with_its_reason_and_leaves_the_search(
    two_agency_cohort: Cohort,
) -> None:
    from tandem.training.selectors import notes_of_cohort

    note = write(two_agency_cohort)
    assert list(notes_of_cohort(two_agency_cohort)) == [note]
    services.void_note(
        actor=note.written_by, note=note, expected_version=note.version, reason="Wrong session"
    )
    assert list(notes_of_cohort(two_agency_cohort)) == []


def test_notes_are_found_by_principle(two_agency_cohort: Cohort, **_: Any) -> None:
    from tandem.training.selectors import notes_of_cohort

    note = write(two_agency_cohort)
    tagged, other = list(two_agency_cohort.principles.all()[:2])
    assert list(notes_of_cohort(two_agency_cohort, tagged)) == [note]
    assert list(notes_of_cohort(two_agency_cohort, other)) == []
