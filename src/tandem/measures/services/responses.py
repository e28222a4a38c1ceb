"""Answers: saved as a client gives them on a link, submitted by the client or a worker, scored."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode
from tandem.measures.answers import clean_answers, scores_for
from tandem.measures.models import (
    Administration,
    AdministrationStatus,
    EnteredVia,
    Invitation,
    InvitationStatus,
    Response,
    SelfReportLink,
)
from tandem.measures.registry import Instrument, get_instrument
from tandem.measures.services._common import (
    agency_id_of,
    require_episode_access,
)
from tandem.measures.signals import response_completed


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
            raise ValidationError({"link": _("This link can no longer be used.")}, code="used")
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
    *, link: SelfReportLink, answers: Mapping[str, Any], language: str
) -> Response:
    """The client finishes on their link: score, complete, and use the link up."""
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
            raise ValidationError({"link": _("This link can no longer be used.")}, code="used")
        administration = locked.administration
        if not administration.is_answerable:
            raise ValidationError({"link": _("This link can no longer be used.")}, code="used")
        instrument = get_instrument(administration.instrument_code)
        given = {**(locked.response.answers if locked.response else {}), **answers}
        cleaned, errors = clean_answers(instrument, given)
        if errors:
            raise ValidationError(errors, code="invalid_answer")
        response = locked.response or Response(
            administration=administration,
            client_id=administration.client_id,
            episode_id=administration.episode_id,
            instrument_code=instrument.code,
            instrument_version=instrument.version,
            entered_via=EnteredVia.SELF_REPORT_LINK,
        )
        response.language = language
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
) -> Response:
    """A worker enters a completed form (clinician-rated or paper) and it is scored.

    With ``administration`` it completes that occasion; otherwise it is an ad-hoc response in
    ``episode`` for ``instrument_code``. If the client has started answering on a link, the
    worker's page showed that draft at ``expected_version``; should the client have answered
    more since, the save is refused (code ``stale``) rather than silently overwriting them.
    """
    if administration is not None:
        episode = administration.episode
        instrument_code = administration.instrument_code
    if episode is None or not instrument_code:
        raise ValidationError(
            {"instrument_code": _("Choose the episode and the instrument.")}, code="required"
        )
    require_episode_access(actor, episode)
    instrument = get_instrument(instrument_code)
    cleaned, errors = clean_answers(instrument, answers)
    if errors:
        raise ValidationError(errors, code="invalid_answer")
    if not cleaned:
        raise ValidationError({"answers": _("Enter at least one answer.")}, code="empty")
    now = timezone.now()
    with transaction.atomic():
        if administration is not None:
            locked = Administration.objects.select_for_update().get(pk=administration.pk)
            if not locked.is_answerable:
                raise ValidationError(
                    {"administration": _("This measure was completed or cancelled meanwhile.")},
                    code="stale",
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


def client_first_name(client: Client) -> str:
    """The only thing about the client a link page may reveal."""
    return client.preferred_name or client.given_name
