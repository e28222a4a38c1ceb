"""Cohort, session, rota and reminder services: permission, schedule, attendance, swaps, mail."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.training import services
from tandem.training.models import (
    Cohort,
    Material,
    Presentation,
    PresentationStatus,
    SwapStatus,
    TrainingSession,
)
from tandem.training.services.rota import REMINDER_DAYS_BEFORE
from tandem.training.tasks import presenter_reminders
from tests.conftest import World
from tests.factories import MembershipFactory
from tests.training.factories import PDF, first_session, make_cohort, trainer_of

pytestmark = pytest.mark.django_db


def a_cohort(world: World, **kwargs: Any) -> Cohort:
    people = [world.case_manager, world.teammate, world.other_team_case_manager]
    return make_cohort(
        trainer=world.trainer, participants=people, agencies=[world.agency], **kwargs
    )


def test_a_cohort_gets_a_session_on_each_week_day_from_start_to_end(world: World) -> None:
    cohort = services.create_cohort(
        actor=world.trainer,
        name="Spring group",
        host_agency=world.agency,
        agencies=[world.agency],
        trainers=[world.trainer],
        participants=[world.case_manager],
        starts_on=date(2026, 3, 4),  # a Wednesday
        ends_on=date(2026, 3, 31),
        weekday=3,  # Thursdays
        principles=["Mentalizing", "  Mentalizing ", "Motivational interviewing"],
    )
    days = list(cohort.sessions.values_list("held_on", flat=True))
    expected = [date(2026, 3, 4) + timedelta(days=d) for d in range(28)]
    assert days == [d for d in expected if d.weekday() == 3]
    assert [p.name for p in cohort.principles.all()] == ["Mentalizing", "Motivational interviewing"]
    assert AuditEvent.objects.filter(object_type="training.cohort", action="create").count() == 1


def test_the_five_principles_are_offered_by_default(world: World) -> None:
    cohort = a_cohort(world)
    assert cohort.principles.count() == 5


def test_only_trainers_and_administrators_start_a_cohort(world: World) -> None:
    with pytest.raises(PermissionDenied):
        make_cohort(
            trainer=world.case_manager, participants=[world.teammate], agencies=[world.agency]
        )


def test_a_trainer_cannot_start_a_cohort_for_an_agency_where_they_hold_no_role(
    world: World,
) -> None:
    with pytest.raises(PermissionDenied):
        make_cohort(
            trainer=world.trainer,
            participants=[world.case_manager],
            agencies=[world.agency, world.other_agency],
        )


def test_participants_must_be_staff_of_the_cohorts_agencies(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        make_cohort(
            trainer=world.trainer,
            participants=[world.other_agency_case_manager],
            agencies=[world.agency],
        )
    assert "participants" in error.value.message_dict


def test_a_cohort_may_span_agencies_whose_trainer_holds_a_role_in_both(world: World) -> None:
    trainer = trainer_of(world.other_agency)
    MembershipFactory.create(user=trainer, role="trainer", agency=world.agency)
    cohort = make_cohort(
        trainer=trainer,
        participants=[world.case_manager, world.other_agency_case_manager],
        agencies=[world.agency, world.other_agency],
    )
    assert set(cohort.agencies.all()) == {world.agency, world.other_agency}


def test_the_rota_plans_one_turn_for_each_person_before_any_second(world: World) -> None:
    cohort = a_cohort(world, weeks_before=0, weeks_after=5)
    presenters = [
        p.participant.user
        for p in Presentation.objects.filter(session__cohort=cohort).order_by("session__held_on")
    ]
    people = [world.case_manager, world.teammate, world.other_team_case_manager]
    assert presenters == (people * 2)[: len(presenters)]


def test_an_absent_presenter_moves_to_the_next_session(world: World) -> None:
    cohort = a_cohort(world)
    session = first_session(cohort)
    turn = session.presentations.get()
    assert turn.participant.user == world.case_manager
    places = {p.user_id: p.pk for p in cohort.participants.all()}
    statuses = dict.fromkeys(places.values(), "present")
    statuses[places[world.case_manager.pk]] = "absent"
    services.record_attendance(actor=world.trainer, session=session, statuses=statuses)
    turn.refresh_from_db()
    assert turn.status == PresentationStatus.MISSED
    following = cohort.sessions.order_by("held_on")[1]
    assert [p.participant.user for p in following.presentations.all()] == [world.case_manager]


def test_a_present_presenter_has_given_their_turn(world: World) -> None:
    cohort = a_cohort(world)
    session = first_session(cohort)
    statuses = {p.pk: "present" for p in cohort.participants.all()}
    services.record_attendance(actor=world.trainer, session=session, statuses=statuses)
    assert session.presentations.get().status == PresentationStatus.GIVEN


def test_only_the_cohorts_trainers_take_attendance(world: World) -> None:
    cohort = a_cohort(world)
    with pytest.raises(PermissionDenied):
        services.record_attendance(
            actor=world.case_manager, session=first_session(cohort), statuses={}
        )


def test_a_swap_agreed_by_both_exchanges_their_turns(world: World) -> None:
    cohort = a_cohort(world, weeks_before=0)
    places = {p.user_id: p for p in cohort.participants.all()}
    first, third = places[world.case_manager.pk], places[world.other_team_case_manager.pk]
    swap = services.request_swap(actor=world.case_manager, requester=first, partner=third)
    with pytest.raises(PermissionDenied):
        services.answer_swap(actor=world.teammate, swap=swap, accept=True)
    services.answer_swap(actor=world.other_team_case_manager, swap=swap, accept=True)
    assert swap.status == SwapStatus.ACCEPTED
    order = [
        p.participant.user
        for p in Presentation.objects.filter(session__cohort=cohort).order_by("session__held_on")
    ][:3]
    assert order == [world.other_team_case_manager, world.teammate, world.case_manager]


def test_a_declined_swap_changes_nothing(world: World) -> None:
    cohort = a_cohort(world, weeks_before=0)
    before = list(Presentation.objects.filter(session__cohort=cohort).values_list("participant"))
    places = {p.user_id: p for p in cohort.participants.all()}
    swap = services.request_swap(
        actor=world.case_manager,
        requester=places[world.case_manager.pk],
        partner=places[world.teammate.pk],
    )
    services.answer_swap(actor=world.teammate, swap=swap, accept=False)
    assert swap.status == SwapStatus.DECLINED
    after = list(Presentation.objects.filter(session__cohort=cohort).values_list("participant"))
    assert after == before


def test_a_swap_across_rounds_is_refused(world: World) -> None:
    cohort = a_cohort(world)
    session = first_session(cohort)
    services.record_attendance(
        actor=world.trainer,
        session=session,
        statuses={p.pk: "present" for p in cohort.participants.all()},
    )
    places = {p.user_id: p for p in cohort.participants.all()}
    with pytest.raises(ValidationError) as error:
        services.request_swap(
            actor=world.case_manager,
            requester=places[world.case_manager.pk],
            partner=places[world.teammate.pk],
        )
    assert "partner" in error.value.message_dict


def test_a_reminder_is_sent_a_few_days_before_ones_turn_and_only_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    cohort = make_cohort(
        trainer=world.trainer,
        participants=[world.case_manager, world.teammate],
        agencies=[world.agency],
        weeks_before=0,
    )
    first = first_session(cohort)
    in_reach = today + timedelta(days=REMINDER_DAYS_BEFORE)
    TrainingSession.objects.filter(pk=first.pk).update(held_on=in_reach)
    with django_capture_on_commit_callbacks(execute=True):
        result = presenter_reminders.enqueue()
    assert result.return_value == {"reminders_sent": 1}
    assert [m.to for m in mail.outbox] == [[world.case_manager.email]]
    assert "/training/me/" in mail.outbox[0].body
    assert services.send_presenter_reminders() == 0


def test_a_cohort_correction_needs_the_version_it_was_read_at(world: World) -> None:
    cohort = a_cohort(world)
    fields: dict[str, Any] = {
        "reason": "Renamed",
        "name": "New name",
        "ends_on": cohort.ends_on,
        "presenters_per_session": 1,
        "trainers": [world.trainer],
        "participants": [world.case_manager],
        "principles": ["Mentalizing"],
    }
    services.correct_cohort(actor=world.trainer, cohort=cohort, expected_version=1, **fields)
    with pytest.raises(services.CohortChangedError):
        services.correct_cohort(actor=world.trainer, cohort=cohort, expected_version=1, **fields)


def test_shortening_a_cohort_voids_the_sessions_after_its_end(world: World) -> None:
    cohort = a_cohort(world)
    end = first_session(cohort).held_on + timedelta(days=8)
    services.correct_cohort(
        actor=world.trainer,
        cohort=cohort,
        expected_version=1,
        reason="The group stops early",
        name="Short",
        ends_on=end,
        presenters_per_session=1,
        trainers=[world.trainer],
        participants=[world.case_manager, world.teammate],
        principles=["Mentalizing"],
    )
    assert cohort.sessions.filter(voided_at__isnull=True).count() == 2


def test_a_file_of_another_type_or_too_large_is_refused(world: World) -> None:
    session = first_session(a_cohort(world))
    with pytest.raises(ValidationError) as error:
        services.add_material_file(
            actor=world.trainer,
            session=session,
            title="",
            upload=SimpleUploadedFile("run.exe", b"MZ", content_type="application/pdf"),
        )
    assert "upload" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.add_material_file(
            actor=world.trainer,
            session=session,
            title="",
            upload=SimpleUploadedFile("fake.pdf", b"not a pdf"),
        )
    material = services.add_material_file(
        actor=world.trainer,
        session=session,
        title="",
        upload=SimpleUploadedFile("handout.pdf", PDF),
    )
    assert material.title == "handout.pdf"
    assert material.size_bytes == len(PDF)


def test_a_material_is_voided_with_its_reason(world: World) -> None:
    session = first_session(a_cohort(world))
    link = services.add_link(
        actor=world.trainer, session=session, title="Reading", url="https://example.org/a"
    )
    services.void_material(actor=world.trainer, material=link, reason="Wrong link")
    stored = Material.objects.get(pk=link.pk)
    assert stored.is_voided
    assert stored.void_reason == "Wrong link"


def test_the_daily_command_enqueues_the_reminders(world: World) -> None:
    out = StringIO()
    call_command("training", "reminders", stdout=out)
    assert out.getvalue().startswith("enqueued presenter reminders ")


def test_someone_who_leaves_the_cohort_loses_their_turns_to_come(world: World) -> None:
    cohort = a_cohort(world, weeks_before=0)
    services.correct_cohort(
        actor=world.trainer,
        cohort=cohort,
        expected_version=cohort.version,
        reason="Left the agency",
        name=cohort.name,
        ends_on=cohort.ends_on,
        presenters_per_session=1,
        trainers=[world.trainer],
        participants=[world.teammate, world.other_team_case_manager],
        principles=["Mentalizing"],
    )
    turns = Presentation.objects.filter(session__cohort=cohort).order_by("session__held_on")
    presenters = [t.participant.user for t in turns]
    assert world.case_manager not in presenters
    assert presenters[:2] == [world.teammate, world.other_team_case_manager]


def test_turns_given_stay_when_the_rota_is_planned_again(world: World) -> None:
    cohort = a_cohort(world)
    session = first_session(cohort)
    services.record_attendance(
        actor=world.trainer,
        session=session,
        statuses={p.pk: "present" for p in cohort.participants.all()},
    )
    given = session.presentations.get()
    services.replan_rota(actor=world.trainer, cohort=cohort)
    given.refresh_from_db()
    assert given.status == PresentationStatus.GIVEN
    second = cohort.sessions.order_by("held_on")[1].presentations.get()
    assert second.participant.user == world.teammate


def test_each_write_leaves_an_audit_event_naming_its_record(world: World) -> None:
    cohort = a_cohort(world)
    session = first_session(cohort)
    before = AuditEvent.objects.count()
    services.record_attendance(
        actor=world.trainer,
        session=session,
        statuses={p.pk: "present" for p in cohort.participants.all()},
    )
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.object_type, e.actor_id) for e in events] == [
        ("update", "training.trainingsession", world.trainer.pk),
        ("update", "training.rota", world.trainer.pk),
    ]
    assert all(e.agency_id == world.agency.pk for e in events)
