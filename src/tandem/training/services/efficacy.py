"""Self-efficacy waves: the trainer opens a wave, each participant answers it signed in, and
may correct their answers, with a reason, until the wave closes.

Items, validation and scoring are the measurement module's, so that the COSE is checked and
scored here exactly as anywhere else in Tandem (prorated within the instrument's missing-item
rule; beyond it a score is not scored and the answers are refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.measures.answers import clean_answers, missing_items, scores_for
from tandem.measures.registry import Instrument, get_instrument
from tandem.training.models import ChangeKind, Cohort, EfficacyResponse, EfficacyWave, WaveKind
from tandem.training.selectors import participant_of, trains
from tandem.training.services._common import (
    audit,
    claim,
    record_change,
    require_reason,
    snapshot,
    void,
)

WAVE_FIELDS = ["opens_on", "closes_on"]

EFFICACY_INSTRUMENT = "cose"


def open_wave(
    *,
    actor: User,
    cohort: Cohort,
    kind: str,
    closes_on: date,
    opens_on: date | None = None,
) -> EfficacyWave:
    """Open a wave of the self-efficacy questionnaire for every participant of the cohort."""
    if not trains(actor, cohort):
        raise PermissionDenied
    if kind not in WaveKind.values:
        raise ValidationError({"kind": _("Choose baseline, mid-point or end.")})
    if cohort.efficacy_waves.filter(kind=kind, voided_at__isnull=True).exists():
        raise ValidationError({"kind": _("This cohort already has this wave.")})
    instrument = get_instrument(EFFICACY_INSTRUMENT)
    wave = EfficacyWave(
        cohort=cohort,
        kind=kind,
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        opens_on=opens_on or timezone.localdate(),
        closes_on=closes_on,
        opened_by=actor,
    )
    wave.full_clean()
    with transaction.atomic():
        wave.save()
        audit(actor, Action.CREATE, wave, cohort)
    return wave


def _item_numbers(instrument: Instrument, item_ids: list[str]) -> str:
    numbers = {item.id: n for n, item in enumerate(instrument.items, start=1)}
    return ", ".join(str(numbers[i]) for i in item_ids)


def checked_answers(
    instrument: Instrument, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, float | None], int]:
    """The stored answers, their scores and the number of items left blank; raise a
    ``ValidationError`` keyed by item id for a bad answer, or naming the blank items when a
    score cannot be computed."""
    cleaned, errors = clean_answers(instrument, answers)
    if errors:
        raise ValidationError(errors)
    missing = missing_items(instrument, cleaned)
    scores = scores_for(instrument, cleaned)
    if any(value is None for value in scores.values()):
        raise ValidationError(
            _("Too many items are blank to score the questionnaire. Answer items %(items)s.")
            % {"items": _item_numbers(instrument, missing)}
        )
    return cleaned, scores, len(missing)


def _participant_wave(actor: User, wave: EfficacyWave, today: date | None) -> Any:
    place = participant_of(actor, wave.cohort)
    if place is None:
        raise PermissionDenied
    if not wave.is_open_on(today or timezone.localdate()):
        raise ValidationError(_("This wave is closed: answers can no longer be given or changed."))
    return place


def submit_efficacy(
    *, actor: User, wave: EfficacyWave, answers: Mapping[str, Any], today: date | None = None
) -> EfficacyResponse:
    """A participant's own answers to an open wave, scored (total and subscales)."""
    place = _participant_wave(actor, wave, today)
    instrument = get_instrument(wave.instrument_code)
    cleaned, scores, n_missing = checked_answers(instrument, answers)
    with transaction.atomic():
        if EfficacyResponse.objects.filter(wave=wave, participant=place).exists():
            raise ValidationError(
                _("You have already answered this wave: correct your answers instead.")
            )
        response = EfficacyResponse.objects.create(
            wave=wave, participant=place, answers=cleaned, scores=scores, n_missing=n_missing
        )
        audit(actor, Action.CREATE, response, wave.cohort)
    return response


def correct_efficacy(
    *,
    actor: User,
    response: EfficacyResponse,
    expected_version: int,
    answers: Mapping[str, Any],
    reason: str,
    today: date | None = None,
) -> EfficacyResponse:
    """A participant corrects their own answers, with the reason, while the wave is open."""
    wave = response.wave
    place = _participant_wave(actor, wave, today)
    if response.participant_id != place.pk:
        raise PermissionDenied
    reason = require_reason(reason)
    instrument = get_instrument(wave.instrument_code)
    cleaned, scores, n_missing = checked_answers(instrument, answers)
    with transaction.atomic():
        response = claim(response, expected_version)
        response.answers, response.scores, response.n_missing = cleaned, scores, n_missing
        response.correction_reason = reason[:500]
        response.save(
            update_fields=["answers", "scores", "n_missing", "correction_reason", "updated_at"]
        )
        audit(actor, Action.UPDATE, response, wave.cohort)
    return response


def correct_wave(
    *,
    actor: User,
    wave: EfficacyWave,
    expected_version: int,
    reason: str,
    opens_on: date,
    closes_on: date,
) -> EfficacyWave:
    """The trainer corrects a wave's window (its dates), with the reason."""
    cohort = wave.cohort
    if not trains(actor, cohort):
        raise PermissionDenied
    reason = require_reason(reason)
    with transaction.atomic():
        wave = claim(wave, expected_version)
        before = snapshot(wave, WAVE_FIELDS)
        wave.opens_on, wave.closes_on = opens_on, closes_on
        wave.full_clean()
        wave.save(update_fields=WAVE_FIELDS)
        record_change(
            actor=actor,
            cohort=cohort,
            obj=wave,
            kind=ChangeKind.CORRECTED,
            reason=reason,
            previous=before,
            current=snapshot(wave, WAVE_FIELDS),
        )
        audit(actor, Action.UPDATE, wave, cohort)
    return wave


def void_wave(
    *, actor: User, wave: EfficacyWave, expected_version: int, reason: str
) -> EfficacyWave:
    """The trainer voids a wave opened in error: it takes no more answers, the answers given
    stay but leave the cohort's report, and a wave of its kind can be opened again.

    A wave's questionnaires are answered by staff in the training app, not administered through
    the measurement module, so there is no outstanding administration to close."""
    cohort = wave.cohort
    if not trains(actor, cohort):
        raise PermissionDenied
    with transaction.atomic():
        wave = claim(wave, expected_version)
        void(wave, actor, reason)
        record_change(
            actor=actor,
            cohort=cohort,
            obj=wave,
            kind=ChangeKind.VOIDED,
            reason=wave.void_reason,
            previous={},
        )
        audit(actor, Action.DELETE, wave, cohort)
    return wave
