"""Case consultation notes and their follow-ups, refused while they identify a client.

Every text is checked on save against the names, e-mail addresses and phone numbers of the
clients of every agency of the cohort, through the clients app's selector: the writer learns
which of their own words to remove, and nothing about any client record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.clients.selectors import IdentifierFound, client_identifiers_in
from tandem.training.models import (
    ChangeKind,
    Cohort,
    ConsultationNote,
    FollowUp,
    Presentation,
    PresentationStatus,
    Principle,
    TrainingSession,
)
from tandem.training.selectors import manages
from tandem.training.services._common import (
    audit,
    claim,
    record_change,
    require_reason,
    snapshot,
    void,
)

NOTE_FIELDS = ["presenting_question", "case_summary", "suggestions", "principles"]
FOLLOW_UP_FIELDS = ["session", "what_i_tried", "what_happened"]


def _describe(found: list[IdentifierFound]) -> str:
    templates = {
        "name": _("the name “%(text)s”"),
        "email": _("the e-mail address “%(text)s”"),
        "phone": _("the phone number “%(text)s”"),
    }
    parts = [templates[f.kind] % {"text": f.text} for f in found]
    return _(
        "This text identifies a client. Remove %(what)s, and write a role or initials instead "
        "(for example “my client” or “J.”)."
    ) % {"what": ", ".join(parts)}


def check_deidentified(cohort: Cohort, texts: Mapping[str, str]) -> None:
    """Refuse (by field) any text holding a name, e-mail or phone of a client of the cohort's
    agencies."""
    agency_ids = list(cohort.agencies.values_list("pk", flat=True))
    errors: dict[str, ValidationError] = {}
    for field_name, text in texts.items():
        found = client_identifiers_in(text, agency_ids=agency_ids) if text.strip() else []
        if found:
            errors[field_name] = ValidationError(_describe(found), code="identifies_client")
    if errors:
        raise ValidationError(errors)


def _may_write(actor: User, presentation: Presentation) -> bool:
    return presentation.participant.user_id == actor.pk or manages(
        actor, presentation.session.cohort
    )


def _check_principles(cohort: Cohort, principles: Sequence[Principle]) -> None:
    if any(p.cohort_id != cohort.pk for p in principles):
        raise ValidationError({"principles": _("Choose principles of this cohort.")})


def write_note(
    *,
    actor: User,
    presentation: Presentation,
    presenting_question: str,
    case_summary: str,
    principles: Sequence[Principle],
    suggestions: str,
) -> ConsultationNote:
    """Write the consultation note of a presentation given (the presenter or a trainer)."""
    cohort = presentation.session.cohort
    if not _may_write(actor, presentation):
        raise PermissionDenied
    if presentation.status != PresentationStatus.GIVEN:
        raise ValidationError(
            _("A note is written for a presentation given: take the session's attendance first.")
        )
    if ConsultationNote.objects.filter(presentation=presentation).exists():
        raise ValidationError(_("This presentation already has its note: correct it instead."))
    _check_principles(cohort, principles)
    texts = {
        "presenting_question": presenting_question,
        "case_summary": case_summary,
        "suggestions": suggestions,
    }
    check_deidentified(cohort, texts)
    note = ConsultationNote(presentation=presentation, written_by=actor, **texts)
    note.full_clean()
    with transaction.atomic():
        note.save()
        note.principles.set(principles)
        audit(actor, Action.CREATE, note, cohort)
    return note


def correct_note(
    *,
    actor: User,
    note: ConsultationNote,
    expected_version: int,
    reason: str,
    presenting_question: str,
    case_summary: str,
    principles: Sequence[Principle],
    suggestions: str,
) -> ConsultationNote:
    """Correct a note (its writer, the presenter or a trainer), with the reason."""
    cohort = note.presentation.session.cohort
    if note.written_by_id != actor.pk and not _may_write(actor, note.presentation):
        raise PermissionDenied
    reason = require_reason(reason)
    _check_principles(cohort, principles)
    texts = {
        "presenting_question": presenting_question,
        "case_summary": case_summary,
        "suggestions": suggestions,
    }
    check_deidentified(cohort, texts)
    with transaction.atomic():
        note = claim(note, expected_version)
        before = snapshot(note, NOTE_FIELDS)
        for name, value in texts.items():
            setattr(note, name, value)
        note.full_clean()
        note.save(update_fields=[*texts, "updated_at"])
        note.principles.set(principles)
        record_change(
            actor=actor,
            cohort=cohort,
            obj=note,
            kind=ChangeKind.CORRECTED,
            reason=reason,
            previous=before,
            current=snapshot(note, NOTE_FIELDS),
        )
        audit(actor, Action.UPDATE, note, cohort)
    return note


def void_note(
    *, actor: User, note: ConsultationNote, expected_version: int, reason: str
) -> ConsultationNote:
    """Void a note written in error: it leaves the cohort's notes, the row stays."""
    cohort = note.presentation.session.cohort
    if note.written_by_id != actor.pk and not _may_write(actor, note.presentation):
        raise PermissionDenied
    with transaction.atomic():
        note = claim(note, expected_version)
        void(note, actor, reason)
        record_change(
            actor=actor,
            cohort=cohort,
            obj=note,
            kind=ChangeKind.VOIDED,
            reason=note.void_reason,
            previous={},
        )
        audit(actor, Action.DELETE, note, cohort)
    return note


def record_follow_up(
    *,
    actor: User,
    note: ConsultationNote,
    session: TrainingSession,
    what_i_tried: str,
    what_happened: str,
) -> FollowUp:
    """The presenter's follow-up at a later session: what they tried, what happened."""
    cohort = note.presentation.session.cohort
    if note.presentation.participant.user_id != actor.pk:
        raise PermissionDenied
    if note.is_voided:
        raise ValidationError(_("This note is voided: it takes no follow-up."))
    if session.cohort_id != cohort.pk or session.held_on <= note.presentation.session.held_on:
        raise ValidationError({"session": _("Choose a later session of this cohort.")})
    texts = {"what_i_tried": what_i_tried, "what_happened": what_happened}
    check_deidentified(cohort, texts)
    follow_up = FollowUp(note=note, session=session, written_by=actor, **texts)
    follow_up.full_clean()
    with transaction.atomic():
        follow_up.save()
        audit(actor, Action.CREATE, follow_up, cohort)
    return follow_up


def _own_follow_up(actor: User, follow_up: FollowUp) -> Cohort:
    if follow_up.written_by_id != actor.pk:
        raise PermissionDenied
    return follow_up.note.presentation.session.cohort


def correct_follow_up(
    *,
    actor: User,
    follow_up: FollowUp,
    expected_version: int,
    reason: str,
    session: TrainingSession,
    what_i_tried: str,
    what_happened: str,
) -> FollowUp:
    """Correct one's follow-up (its session or texts), with the reason; checked as on writing."""
    cohort = _own_follow_up(actor, follow_up)
    reason = require_reason(reason)
    presented_on = follow_up.note.presentation.session.held_on
    if session.cohort_id != cohort.pk or session.held_on <= presented_on:
        raise ValidationError({"session": _("Choose a later session of this cohort.")})
    texts = {"what_i_tried": what_i_tried, "what_happened": what_happened}
    check_deidentified(cohort, texts)
    with transaction.atomic():
        follow_up = claim(follow_up, expected_version)
        before = snapshot(follow_up, FOLLOW_UP_FIELDS)
        follow_up.session = session
        for name, value in texts.items():
            setattr(follow_up, name, value)
        follow_up.full_clean()
        follow_up.save(update_fields=["session", *texts])
        record_change(
            actor=actor,
            cohort=cohort,
            obj=follow_up,
            kind=ChangeKind.CORRECTED,
            reason=reason,
            previous=before,
            current=snapshot(follow_up, FOLLOW_UP_FIELDS),
        )
        audit(actor, Action.UPDATE, follow_up, cohort)
    return follow_up


def void_follow_up(
    *, actor: User, follow_up: FollowUp, expected_version: int, reason: str
) -> FollowUp:
    """Void a follow-up written in error: it leaves the note, the row stays."""
    cohort = _own_follow_up(actor, follow_up)
    with transaction.atomic():
        follow_up = claim(follow_up, expected_version)
        void(follow_up, actor, reason)
        record_change(
            actor=actor,
            cohort=cohort,
            obj=follow_up,
            kind=ChangeKind.VOIDED,
            reason=follow_up.void_reason,
            previous={},
        )
        audit(actor, Action.DELETE, follow_up, cohort)
    return follow_up
