"""Corrections, voids and undoings of training records: kept with their reason, who, when and
the values before; waves corrected or voided; an accepted swap undone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.training import services
from tandem.training.models import (
    ChangeKind,
    Cohort,
    CorrectionRecord,
    EfficacyWave,
    Presentation,
    SwapStatus,
    WaveKind,
)
from tandem.training.report import efficacy_report
from tests.conftest import LoginAs, World
from tests.training.factories import (
    baseline_wave,
    efficacy_cohort,
    first_session,
    held_cohort,
    make_cohort,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(world: World) -> Cohort:
    return held_cohort(world.agency)


def _changes(obj: Any, object_type: str) -> list[CorrectionRecord]:
    return list(CorrectionRecord.objects.filter(object_type=object_type, object_id=obj.pk))


def _correct_cohort(world: World, cohort: Cohort, **changes: Any) -> Cohort:
    values: dict[str, Any] = {
        "name": cohort.name,
        "ends_on": cohort.ends_on,
        "presenters_per_session": cohort.presenters_per_session,
        "trainers": list(cohort.trainers.all()),
        "participants": [p.user for p in cohort.participants.filter(is_active=True)],
        "principles": [p.name for p in cohort.principles.all()],
        "reason": "A typo in the name",
        **changes,
    }
    return services.correct_cohort(
        actor=world.trainer, cohort=cohort, expected_version=cohort.version, **values
    )


# ---- cohorts, notes, sessions, attendance ----------------------------------------------------
def test_a_cohort_correction_keeps_its_reason_and_the_values_changed(
    world: World, cohort: Cohort
) -> None:
    old_name = cohort.name
    _correct_cohort(world, cohort, name="Renamed group")
    (change,) = _changes(cohort, "cohort")
    assert change.kind == ChangeKind.CORRECTED
    assert change.reason == "A typo in the name"
    assert change.changed_by == world.trainer
    assert change.previous == {"name": old_name}


def test_a_voided_cohort_keeps_its_reason_in_the_history(world: World, cohort: Cohort) -> None:
    services.void_cohort(
        actor=world.trainer, cohort=cohort, expected_version=cohort.version, reason="Duplicate"
    )
    (change,) = _changes(cohort, "cohort")
    assert (change.kind, change.reason) == (ChangeKind.VOIDED, "Duplicate")


def test_a_note_correction_and_void_are_kept_with_the_text_before(
    world: World, cohort: Cohort
) -> None:
    note = first_session(cohort).presentations.get().note
    old = note.case_summary
    note = services.correct_note(
        actor=note.written_by,
        note=note,
        expected_version=note.version,
        reason="Shorter",
        presenting_question=note.presenting_question,
        case_summary="A man in his forties who missed two meetings.",
        principles=list(note.principles.all()),
        suggestions=note.suggestions,
    )
    services.void_note(
        actor=world.trainer, note=note, expected_version=note.version, reason="Wrong session"
    )
    voided, corrected = _changes(note, "consultationnote")
    assert corrected.previous == {"case_summary": old}
    assert corrected.reason == "Shorter"
    assert (voided.kind, voided.reason, voided.changed_by) == (
        ChangeKind.VOIDED,
        "Wrong session",
        world.trainer,
    )


def test_changing_a_sessions_topic_needs_a_reason_and_is_kept(world: World, cohort: Cohort) -> None:
    session = first_session(cohort)
    session = services.correct_session(
        actor=world.trainer,
        session=session,
        expected_version=session.version,
        topic="A",
        principles=[],
    )
    assert _changes(session, "trainingsession") == []  # setting it first is no correction
    with pytest.raises(ValidationError):
        services.correct_session(
            actor=world.trainer,
            session=session,
            expected_version=session.version,
            topic="B",
            principles=[],
        )
    services.correct_session(
        actor=world.trainer,
        session=session,
        expected_version=session.version,
        topic="B",
        principles=[],
        reason="Wrong topic",
    )
    (change,) = _changes(session, "trainingsession")
    assert change.previous == {"topic": "A"}


def test_correcting_attendance_needs_a_reason_and_keeps_the_status_before(
    world: World, cohort: Cohort
) -> None:
    session = first_session(cohort)
    place = cohort.participants.get(user=world.teammate)
    statuses = {p.pk: "present" for p in cohort.participants.all()}
    with pytest.raises(ValidationError):
        services.record_attendance(
            actor=world.trainer, session=session, statuses={**statuses, place.pk: "excused"}
        )
    services.record_attendance(
        actor=world.trainer,
        session=session,
        statuses={**statuses, place.pk: "excused"},
        reason="Had phoned in",
    )
    (change,) = _changes(session, "attendance")
    assert change.previous == {world.teammate.full_name: "present"}
    assert change.reason == "Had phoned in"


# ---- self-efficacy waves ---------------------------------------------------------------------
def test_a_trainer_corrects_a_waves_window_with_a_reason(world: World, cohort: Cohort) -> None:
    wave = baseline_wave(cohort)
    old_close = wave.closes_on
    with pytest.raises(PermissionDenied):
        services.correct_wave(
            actor=world.case_manager,
            wave=wave,
            expected_version=wave.version,
            reason="Later",
            opens_on=wave.opens_on,
            closes_on=old_close + timedelta(days=3),
        )
    wave = services.correct_wave(
        actor=world.trainer,
        wave=wave,
        expected_version=wave.version,
        reason="Give a week more",
        opens_on=wave.opens_on,
        closes_on=old_close + timedelta(days=7),
    )
    assert wave.closes_on == old_close + timedelta(days=7)
    (change,) = _changes(wave, "efficacywave")
    assert change.previous == {"closes_on": old_close.isoformat()}
    with pytest.raises(services.CohortChangedError):
        services.correct_wave(
            actor=world.trainer,
            wave=wave,
            expected_version=wave.version - 1,
            reason="Stale",
            opens_on=wave.opens_on,
            closes_on=wave.closes_on,
        )


def test_a_voided_wave_takes_no_answers_and_its_kind_can_be_opened_again(
    world: World, cohort: Cohort
) -> None:
    wave = baseline_wave(cohort)
    wave = services.void_wave(
        actor=world.trainer, wave=wave, expected_version=wave.version, reason="Opened too early"
    )
    assert not wave.is_open_on(timezone.localdate())
    assert AuditEvent.objects.filter(object_type="training.efficacywave", action="delete").exists()
    with pytest.raises(ValidationError):
        services.submit_efficacy(actor=world.case_manager, wave=wave, answers={})
    today = timezone.localdate()
    again = services.open_wave(
        actor=world.trainer, cohort=cohort, kind=WaveKind.BASELINE, opens_on=today, closes_on=today
    )
    assert again.pk != wave.pk


def test_a_voided_wave_is_left_out_of_the_report(world: World) -> None:
    cohort = efficacy_cohort(world.agency)
    assert efficacy_report(cohort).has_enough
    end = EfficacyWave.objects.get(cohort=cohort, kind=WaveKind.END)
    services.void_wave(
        actor=cohort.trainers.get(), wave=end, expected_version=end.version, reason="Wrong form"
    )
    report = efficacy_report(cohort)
    assert report.later is None
    assert not report.has_enough


# ---- undoing a swap --------------------------------------------------------------------------
def _turn_order(cohort: Cohort) -> list[int]:
    return list(
        Presentation.objects.filter(session__cohort=cohort)
        .order_by("session__held_on")
        .values_list("participant__user_id", flat=True)[:3]
    )


def _swapped(world: World) -> tuple[Cohort, Any, list[int]]:
    cohort = make_cohort(
        trainer=world.trainer,
        participants=[world.case_manager, world.teammate, world.other_team_case_manager],
        agencies=[world.agency],
        weeks_before=0,
    )
    before = _turn_order(cohort)
    places = {p.user_id: p for p in cohort.participants.all()}
    swap = services.request_swap(
        actor=world.case_manager,
        requester=places[world.case_manager.pk],
        partner=places[world.other_team_case_manager.pk],
    )
    services.answer_swap(actor=world.other_team_case_manager, swap=swap, accept=True)
    assert _turn_order(cohort) != before
    return cohort, swap, before


def test_undoing_a_swap_returns_the_rota_to_its_order_before(world: World) -> None:
    cohort, swap, before = _swapped(world)
    with pytest.raises(PermissionDenied):  # not one of the two
        services.undo_swap(actor=world.teammate, swap=swap, reason="No")
    with pytest.raises(ValidationError):
        services.undo_swap(actor=world.trainer, swap=swap, reason=" ")
    services.undo_swap(actor=world.trainer, swap=swap, reason="Agreed by mistake")
    swap.refresh_from_db()
    assert swap.status == SwapStatus.UNDONE
    assert _turn_order(cohort) == before
    (change,) = _changes(swap, "swap")
    assert (change.kind, change.reason) == (ChangeKind.UNDONE, "Agreed by mistake")
    with pytest.raises(ValidationError):
        services.undo_swap(actor=world.trainer, swap=swap, reason="Again")


def test_either_participant_may_undo_before_the_session(world: World) -> None:
    cohort, swap, before = _swapped(world)
    assert services.may_undo_swap(world.case_manager, swap)
    assert not services.may_undo_swap(
        world.case_manager, swap, today=timezone.localdate() + timedelta(weeks=9)
    )
    services.undo_swap(actor=world.other_team_case_manager, swap=swap, reason="Changed my mind")
    assert _turn_order(cohort) == before


# ---- pages -----------------------------------------------------------------------------------
def test_the_trainer_sees_the_cohorts_history_and_a_participant_does_not(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    _correct_cohort(world, cohort, name="Renamed group", reason="Spelling of the name")
    url = reverse("training:cohort_detail", args=[cohort.pk])
    assert "Spelling of the name" in login_as(world.trainer).get(url).content.decode()
    assert "Spelling of the name" not in login_as(world.teammate).get(url).content.decode()


def test_the_notes_author_sees_its_history(world: World, login_as: LoginAs, cohort: Cohort) -> None:
    presentation = first_session(cohort).presentations.get()
    note = presentation.note
    services.correct_note(
        actor=note.written_by,
        note=note,
        expected_version=note.version,
        reason="Clearer question",
        presenting_question="Keeping a client engaged",
        case_summary=note.case_summary,
        principles=list(note.principles.all()),
        suggestions=note.suggestions,
    )
    url = reverse("training:note", args=[presentation.pk])
    assert "Clearer question" in login_as(note.written_by).get(url).content.decode()


def test_the_wave_page_corrects_voids_and_refuses_a_stale_form(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    wave = baseline_wave(cohort)
    http = login_as(world.trainer)
    url = reverse("training:wave_edit", args=[wave.pk])
    data = {
        "action": "edit",
        "version": wave.version,
        "opens_on": wave.opens_on.isoformat(),
        "closes_on": (wave.closes_on + timedelta(days=2)).isoformat(),
        "reason": "Two more days",
    }
    assert http.post(url, data).status_code == 302
    stale = http.post(url, {**data, "reason": "Kept text"})
    assert stale.status_code == 409
    assert "Kept text" in stale.content.decode()
    wave.refresh_from_db()
    void = {"action": "void", "version": wave.version, "reason": "Opened in error"}
    assert http.post(url, void).status_code == 302
    wave.refresh_from_db()
    assert wave.is_voided
    page = http.get(reverse("training:efficacy", args=[cohort.pk])).content.decode()
    assert "A voided wave is left out of the report." in page
    assert "Two more days" in http.get(url).content.decode()


def test_the_trainer_undoes_a_swap_from_the_cohort_page(world: World, login_as: LoginAs) -> None:
    cohort, swap, before = _swapped(world)
    http = login_as(world.trainer)
    page = http.get(reverse("training:cohort_detail", args=[cohort.pk])).content.decode()
    url = reverse("training:swap_undo", args=[swap.pk])
    assert url in page
    assert http.post(url, {"reason": ""}).status_code == 400
    assert http.post(url, {"reason": "By mistake"}).status_code == 302
    assert _turn_order(cohort) == before
    assert login_as(world.teammate).get(url).status_code == 403
