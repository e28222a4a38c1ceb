"""Answers: saved as a client gives them on a link, submitted by the client or a worker, scored."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode
from tandem.measures.answers import clean_answers, is_scorable, missing_items, scores_for
from tandem.measures.models import (
    Administration,
    AdministrationStatus,
    EnteredVia,
    Invitation,
    InvitationStatus,
    Response,
    ResponseCorrection,
    SelfReportLink,
)
from tandem.measures.registry import Instrument, get_instrument
from tandem.measures.services._common import (
    agency_id_of,
    field_error,
    require_episode_access,
)
from tandem.measures.signals import response_completed


def completed_at_for(
    completed_on: date | None, *, administration: Administration | None, now: datetime | None = None
) -> datetime:
    """The moment a form filled in on ``completed_on`` is stored as completed.

    Today is now; an earlier day is its noon (local time), so that the date shown back is the
    date entered in every time zone of the installation.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if completed_on is None or completed_on == today:
        return now
    if completed_on > today:
        raise field_error("completed_on", _("The date cannot be in the future."), "future")
    if administration is not None and completed_on < administration.window_opens:
        raise field_error(
            "completed_on",
            _("The date cannot be before this wave's window opened on %(day)s.")
            % {"day": date_format(administration.window_opens, "SHORT_DATE_FORMAT")},
            "before_window",
        )
    return timezone.make_aware(datetime.combine(completed_on, time(12)))


# ---- answering -----------------------------------------------------------------------------------
def save_self_report_progress(
    *, link: SelfReportLink, answers: Mapping[str, Any], language: str
) -> Response:
    """Keep the answers given so far on a link (merged item by item); raise on a bad value."""
    administration = link.administration
    instrument = get_instrument(administration.instrument_code)
    cleaned, errors = clean_answers(instrument, answers)
    if errors:
        raise ValidationError(errors, code="invalid_answer")
    with transaction.atomic():
        locked = SelfReportLink.objects.select_for_update().get(pk=link.pk)
        if locked.used_at is not None or locked.cancelled_at is not None:
            raise field_error("link", _("This link can no longer be used."), "used")
        draft = locked.response
        if draft is None:
            draft = Response.objects.create(
                administration=administration,
                client_id=administration.client_id,
                episode_id=administration.episode_id,
                instrument_code=instrument.code,
                instrument_version=instrument.version,
                language=language,
                answers=cleaned,
                entered_via=EnteredVia.SELF_REPORT_LINK,
            )
            locked.response = draft
            locked.save(update_fields=["response"])
        else:
            draft.answers = {**draft.answers, **cleaned}
            draft.language = language
            draft.version = F("version") + 1
            draft.save(update_fields=["answers", "language", "version", "updated_at"])
            draft.refresh_from_db(fields=["version"])
        record_event(
            actor=None, action=Action.UPDATE, obj=draft, agency_id=agency_id_of(administration)
        )
    link.response = draft
    return draft


def _complete(
    *,
    actor: User | None,
    administration: Administration | None,
    response: Response,
    instrument: Instrument,
    answers: dict[str, Any],
    now: datetime,
) -> Response:
    response.answers = answers
    response.scores = scores_for(instrument, answers)
    response.completed_at = now
    response.full_clean(exclude=["administration", "client", "episode", "entered_by"])
    response.save()
    if administration is not None:
        administration.status = AdministrationStatus.COMPLETED
        administration.completed_at = now
        administration.save(update_fields=["status", "completed_at"])
        # The answer came: no reminder for it may go out any more.
        Invitation.objects.filter(
            link__administration=administration, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.CANCELLED, cancelled_at=now)
    record_event(
        actor=actor, action=Action.CREATE, obj=response, agency_id=response.client.agency_id
    )
    response_id, episode_id = response.pk, response.episode_id
    # Robust: a listener's failure (alert evaluation) must not undo or fail a stored answer.
    transaction.on_commit(
        lambda: response_completed.send(
            sender=Response, response_id=response_id, episode_id=episode_id
        ),
        robust=True,
    )
    return response


def submit_self_report(
    *, link: SelfReportLink, answers: Mapping[str, Any], language: str, confirmed: bool = False
) -> Response:
    """The client finishes on their link: score, complete, and use the link up.

    With items unanswered the response is completed only if it can still be scored (each score
    within its prorating rule) or the client ``confirmed`` sending it as is after being shown
    the missing items; otherwise it is refused with code ``incomplete`` and the link stays
    usable. The page asks before sending whenever an item is missing.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = (
            SelfReportLink.objects.select_for_update(of=("self",))
            .select_related("administration__client", "response")
            .get(pk=link.pk)
        )
        if (
            locked.used_at is not None
            or locked.cancelled_at is not None
            or locked.expires_at <= now
        ):
            raise field_error("link", _("This link can no longer be used."), "used")
        administration = locked.administration
        if not administration.is_answerable:
            raise field_error("link", _("This link can no longer be used."), "used")
        instrument = get_instrument(administration.instrument_code)
        given = {**(locked.response.answers if locked.response else {}), **answers}
        cleaned, errors = clean_answers(instrument, given)
        if errors:
            raise ValidationError(errors, code="invalid_answer")
        missing = missing_items(instrument, cleaned)
        if missing and not confirmed and not is_scorable(instrument, cleaned):
            raise ValidationError(
                {
                    "answers": ValidationError(
                        _("Some items are not answered yet."), code="incomplete"
                    )
                }
            )
        response = locked.response or Response(
            administration=administration,
            client_id=administration.client_id,
            episode_id=administration.episode_id,
            instrument_code=instrument.code,
            instrument_version=instrument.version,
            entered_via=EnteredVia.SELF_REPORT_LINK,
        )
        response.language = language
        response.sent_incomplete = bool(missing)
        _complete(
            actor=None,
            administration=administration,
            response=response,
            instrument=instrument,
            answers=cleaned,
            now=now,
        )
        locked.used_at = now
        locked.response = response
        locked.save(update_fields=["used_at", "response"])
        record_event(
            actor=None, action=Action.UPDATE, obj=locked, agency_id=agency_id_of(administration)
        )
    return response


def _draft_of(administration: Administration) -> Response | None:
    return (
        Response.objects.select_for_update()
        .filter(administration=administration, completed_at__isnull=True)
        .order_by("-pk")
        .first()
    )


def draft_for(administration: Administration) -> Response | None:
    """The answers a client has given so far on a link for this administration, if any."""
    return (
        Response.objects.filter(administration=administration, completed_at__isnull=True)
        .order_by("-pk")
        .first()
    )


def submit_response(
    *,
    actor: User,
    answers: Mapping[str, Any],
    administration: Administration | None = None,
    episode: Episode | None = None,
    instrument_code: str = "",
    language: str = "en",
    expected_version: int | None = None,
    completed_on: date | None = None,
) -> Response:
    """A worker enters a completed form (clinician-rated or paper) and it is scored.

    ``completed_on`` is the day the form was filled in (default today): never in the future,
    never before the wave's window opened (code ``completed_on``).

    With ``administration`` it completes that occasion; otherwise it is an ad-hoc response in
    ``episode`` for ``instrument_code``. If the client has started answering on a link, the
    worker's page showed that draft at ``expected_version``; should the client have answered
    more since, the save is refused (code ``stale``) rather than silently overwriting them.
    """
    if administration is not None:
        episode = administration.episode
        instrument_code = administration.instrument_code
    if episode is None or not instrument_code:
        raise field_error(
            "instrument_code", _("Choose the episode and the instrument."), "required"
        )
    require_episode_access(actor, episode)
    instrument = get_instrument(instrument_code)
    cleaned, errors = clean_answers(instrument, answers)
    if errors:
        raise ValidationError(errors, code="invalid_answer")
    if not cleaned:
        raise field_error("answers", _("Enter at least one answer."), "empty")
    now = completed_at_for(completed_on, administration=administration)
    with transaction.atomic():
        if administration is not None:
            locked = Administration.objects.select_for_update().get(pk=administration.pk)
            if not locked.is_answerable:
                raise field_error(
                    "administration",
                    _("This measure was completed or cancelled meanwhile."),
                    "stale",
                )
            administration = locked
        draft = _draft_of(administration) if administration is not None else None
        if draft is not None and draft.version != expected_version:
            raise ValidationError(
                {
                    "answers": ValidationError(
                        _(
                            "The client changed these answers meanwhile. "
                            "Review them and save again."
                        ),
                        code="stale",
                    )
                }
            )
        if draft is not None:
            draft.entered_via = EnteredVia.WORKER
            draft.entered_by = actor
            draft.language = language
            draft.version += 1
            SelfReportLink.objects.filter(response=draft, used_at__isnull=True).update(
                cancelled_at=now
            )
            return _complete(
                actor=actor,
                administration=administration,
                response=draft,
                instrument=instrument,
                answers=cleaned,
                now=now,
            )
        response = Response(
            administration=administration,
            client=episode.client,
            episode=episode,
            instrument_code=instrument.code,
            instrument_version=instrument.version,
            language=language,
            entered_via=EnteredVia.WORKER,
            entered_by=actor,
        )
        return _complete(
            actor=actor,
            administration=administration,
            response=response,
            instrument=instrument,
            answers=cleaned,
            now=now,
        )


# ---- corrections ---------------------------------------------------------------------------------
def correct_response(
    *,
    actor: User,
    response: Response,
    answers: Mapping[str, Any],
    reason: str,
    expected_version: int,
    completed_on: date | None = None,
) -> ResponseCorrection:
    """A worker corrects a completed response: new answers (and date), rescored, with a reason.

    The answers and scores before and after are kept in a ``ResponseCorrection`` (the audit
    event names it); a response changed since the form was drawn is refused (code ``stale``).
    """
    if response.completed_at is None or response.episode is None:
        raise field_error(
            "answers", _("Only a completed response can be corrected."), "not_completed"
        )
    require_episode_access(actor, response.episode)
    reason = reason.strip()
    if not reason:
        raise field_error("reason", _("Say why the answers are corrected."), "required")
    instrument = get_instrument(response.instrument_code)
    cleaned, errors = clean_answers(instrument, answers)
    if errors:
        raise ValidationError(errors, code="invalid_answer")
    if not cleaned:
        raise field_error("answers", _("Enter at least one answer."), "empty")
    with transaction.atomic():
        locked = (
            Response.objects.select_for_update(of=("self",))
            .select_related("administration", "client")
            .get(pk=response.pk)
        )
        if locked.version != expected_version:
            raise ValidationError(
                {
                    "answers": ValidationError(
                        _(
                            "These answers were changed by someone else while you were "
                            "correcting them. Review them and correct again."
                        ),
                        code="stale",
                    )
                }
            )
        completed_at = locked.completed_at
        if (
            completed_on is not None
            and completed_at is not None
            and completed_on != timezone.localdate(completed_at)
        ):
            completed_at = completed_at_for(completed_on, administration=locked.administration)
        scores = scores_for(instrument, cleaned)
        if cleaned == locked.answers and completed_at == locked.completed_at:
            raise field_error(
                "answers", _("Nothing was changed: change an answer or the date."), "unchanged"
            )
        correction = ResponseCorrection(
            response=locked,
            revision=locked.corrections.count() + 1,
            answers_before=locked.answers,
            answers_after=cleaned,
            scores_before=locked.scores,
            scores_after=scores,
            completed_at_before=locked.completed_at,
            completed_at_after=completed_at,
            reason=reason,
            corrected_by=actor,
        )
        correction.save()
        locked.answers = cleaned
        locked.scores = scores
        locked.completed_at = completed_at
        locked.version += 1
        locked.save(update_fields=["answers", "scores", "completed_at", "version", "updated_at"])
        agency_id = locked.client.agency_id
        record_event(actor=actor, action=Action.CREATE, obj=correction, agency_id=agency_id)
        record_event(actor=actor, action=Action.UPDATE, obj=locked, agency_id=agency_id)
        response_id, episode_id = locked.pk, locked.episode_id
        transaction.on_commit(
            lambda: response_completed.send(
                sender=Response, response_id=response_id, episode_id=episode_id
            ),
            robust=True,
        )
    response.refresh_from_db()
    return correction


def client_first_name(client: Client) -> str:
    """The only thing about the client a link page may reveal."""
    return client.preferred_name or client.given_name
