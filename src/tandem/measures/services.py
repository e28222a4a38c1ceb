"""Writes of the measurement workflow: due administrations, links, reminders and responses.

Each public function takes the acting user first (``None`` for the nightly task and for a client
answering on a link), checks permission, validates, and writes with its audit event in one
transaction. Emails leave on commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode, EpisodeStatus
from tandem.clients.selectors import episodes_visible_to
from tandem.measures.answers import clean_answers, scores_for
from tandem.measures.models import (
    OPEN_STATUSES,
    Administration,
    AdministrationStatus,
    EnteredVia,
    Invitation,
    InvitationChannel,
    InvitationKind,
    InvitationStatus,
    Response,
    Schedule,
    ScheduleRule,
    SelfReportLink,
    status_on,
)
from tandem.measures.registry import Instrument, get_instrument

LINK_LIFETIME_DAYS = 14
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits


def hash_token(token: str) -> str:
    """SHA-256 of a link token; the only form in which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _require_episode_access(actor: User, episode: Episode) -> None:
    if not episodes_visible_to(actor).filter(pk=episode.pk).exists():
        raise PermissionDenied


def _agency_id(administration: Administration) -> int:
    return administration.client.agency_id


# ---- due administrations ------------------------------------------------------------------------
def _administration(
    *,
    episode: Episode,
    schedule: Schedule,
    instrument: Instrument,
    wave: str,
    due: date,
    today: date,
) -> Administration:
    opens, closes = Administration.window_for(due, schedule)
    return Administration(
        client_id=episode.client_id,
        episode=episode,
        schedule=schedule,
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        wave=wave,
        due_date=due,
        window_opens=opens,
        window_closes=closes,
        status=status_on(today, window_opens=opens, due_date=due, window_closes=closes),
    )


def _create(
    actor: User | None, episode: Episode, rows: list[Administration]
) -> list[Administration]:
    created = []
    for row in rows:
        row.full_clean(exclude=["client", "episode", "schedule"], validate_constraints=False)
        exists = Administration.objects.filter(
            episode=episode, schedule=row.schedule, wave=row.wave
        ).exists()
        if exists:
            continue
        row.save()
        record_event(actor=actor, action=Action.CREATE, obj=row, agency_id=episode.client.agency_id)
        created.append(row)
    return created


def create_due_administrations(
    *, actor: User | None, episode: Episode, today: date | None = None
) -> list[Administration]:
    """Create the administrations the programme's schedules make due for a newly opened episode.

    Called by ``clients.services.open_episode`` inside its transaction, after its own permission
    check: intake waves and relative waves counted from the episode start.
    """
    today = today or timezone.localdate()
    rows = []
    schedules = Schedule.objects.filter(
        programme_id=episode.programme_id,
        is_active=True,
        rule__in=[ScheduleRule.INTAKE, ScheduleRule.WAVES],
    )
    for schedule in schedules:
        instrument = get_instrument(schedule.instrument_code)
        offsets = (
            [("intake", 0)]
            if schedule.rule == ScheduleRule.INTAKE
            else schedule.wave_offsets_days()
        )
        for wave, days in offsets:
            due = episode.start_date + timedelta(days=days)
            rows.append(
                _administration(
                    episode=episode,
                    schedule=schedule,
                    instrument=instrument,
                    wave=wave,
                    due=due,
                    today=today,
                )
            )
    with transaction.atomic():
        return _create(actor, episode, rows)


def create_contact_administrations(
    *, actor: User | None, episode: Episode, contact_count: int, today: date | None = None
) -> list[Administration]:
    """After the episode's ``contact_count``-th contact: administrations of every-Nth schedules."""
    today = today or timezone.localdate()
    rows = []
    for schedule in Schedule.objects.filter(
        programme_id=episode.programme_id, is_active=True, rule=ScheduleRule.EVERY_NTH_CONTACT
    ):
        if schedule.every_n_contacts and contact_count % schedule.every_n_contacts == 0:
            rows.append(
                _administration(
                    episode=episode,
                    schedule=schedule,
                    instrument=get_instrument(schedule.instrument_code),
                    wave=f"contact {contact_count}",
                    due=today,
                    today=today,
                )
            )
    with transaction.atomic():
        return _create(actor, episode, rows)


def on_episode_closed(*, actor: User, episode: Episode, today: date | None = None) -> None:
    """On discharge: cancel what can no longer fall due, stop reminders, add discharge waves.

    Called by ``clients.services.close_episode`` inside its transaction.
    """
    today = today or timezone.localdate()
    assert episode.end_date is not None  # noqa: S101  # close_episode sets it before calling
    with transaction.atomic():
        cancelled = Administration.objects.filter(episode=episode, status__in=OPEN_STATUSES).update(
            status=AdministrationStatus.CANCELLED
        )
        now = timezone.now()
        Invitation.objects.filter(
            link__administration__episode=episode, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.CANCELLED, cancelled_at=now)
        SelfReportLink.objects.filter(
            administration__episode=episode, used_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now)
        if cancelled:
            record_event(
                actor=actor,
                action=Action.UPDATE,
                object_type="measures.administration",
                object_id=f"episode:{episode.pk}:cancelled",
                agency_id=episode.client.agency_id,
            )
        rows = [
            _administration(
                episode=episode,
                schedule=schedule,
                instrument=get_instrument(schedule.instrument_code),
                wave="discharge",
                due=episode.end_date,
                today=today,
            )
            for schedule in Schedule.objects.filter(
                programme_id=episode.programme_id, is_active=True, rule=ScheduleRule.DISCHARGE
            )
        ]
        _create(actor, episode, rows)


# ---- nightly -------------------------------------------------------------------------------------
def refresh_administration_statuses(*, today: date | None = None) -> int:
    """Move open administrations to due, overdue or missed as the calendar turns (4 updates)."""
    today = today or timezone.localdate()
    open_rows = Administration.objects.filter(status__in=OPEN_STATUSES)
    changed = 0
    with transaction.atomic():
        changed += (
            open_rows.filter(window_closes__lt=today)
            .exclude(status=AdministrationStatus.MISSED)
            .update(status=AdministrationStatus.MISSED)
        )
        changed += (
            open_rows.filter(due_date__lt=today, window_closes__gte=today)
            .exclude(status=AdministrationStatus.OVERDUE)
            .update(status=AdministrationStatus.OVERDUE)
        )
        changed += (
            open_rows.filter(window_opens__lte=today, due_date__gte=today)
            .exclude(status=AdministrationStatus.DUE)
            .update(status=AdministrationStatus.DUE)
        )
        changed += (
            open_rows.filter(window_opens__gt=today)
            .exclude(status=AdministrationStatus.SCHEDULED)
            .update(status=AdministrationStatus.SCHEDULED)
        )
        record_event(
            actor=None,
            action=Action.UPDATE,
            object_type="measures.administration",
            object_id=f"nightly:{today.isoformat()}:{changed}",
        )
    return changed


def _reminder_is_still_wanted(invitation: Invitation, now: datetime) -> bool:
    link = invitation.link
    administration = link.administration
    return (
        link.used_at is None
        and link.cancelled_at is None
        and link.expires_at > now
        and administration.status in OPEN_STATUSES
        and administration.episode.status == EpisodeStatus.OPEN
    )


def send_due_reminders(*, now: datetime | None = None) -> tuple[int, int]:
    """Send the reminders whose time has come; cancel those no longer needed. (sent, cancelled)"""
    now = now or timezone.now()
    sent = cancelled = 0
    pending = Invitation.objects.filter(
        status=InvitationStatus.PENDING, send_after__lte=now
    ).select_related("link__administration__episode", "link__administration__client")
    for invitation in pending:
        with transaction.atomic():
            if not _reminder_is_still_wanted(invitation, now):
                invitation.status = InvitationStatus.CANCELLED
                invitation.cancelled_at = now
                cancelled += 1
            else:
                invitation.status = InvitationStatus.SENT
                invitation.sent_at = now
                sent += 1
                if invitation.channel == InvitationChannel.EMAIL:
                    _send_link_email(invitation.link.administration, url=None, reminder=True)
            invitation.save(update_fields=["status", "sent_at", "cancelled_at"])
            record_event(
                actor=None,
                action=Action.UPDATE,
                obj=invitation,
                agency_id=_agency_id(invitation.link.administration),
            )
    return sent, cancelled


# ---- links ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A freshly made link. ``token`` exists only here, in memory, to be shown or sent once."""

    link: SelfReportLink
    token: str


def _send_link_email(administration: Administration, *, url: str | None, reminder: bool) -> None:
    client = administration.client
    with translation.override(client.preferred_language):
        subject = _("A short questionnaire from your care team")
        body = render_to_string(
            "measures/email_link.txt",
            {
                "first_name": client.preferred_name or client.given_name,
                "url": url,
                "reminder": reminder,
            },
        )
    recipient = client.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    )


def issue_link(
    *,
    actor: User,
    administration: Administration,
    channel: InvitationChannel | str,
    build_url: Any,
    now: datetime | None = None,
    lifetime_days: int = LINK_LIFETIME_DAYS,
) -> IssuedLink:
    """Make a one-time link for the client to answer ``administration``.

    ``build_url(token)`` turns the token into the absolute address. Only the token's SHA-256 is
    stored. The link is handed over by ``channel``: email (sent on commit) or in person (QR
    code); one reminder follows by the same route unless the answer comes first.
    """
    now = now or timezone.now()
    _require_episode_access(actor, administration.episode)
    channel = InvitationChannel(channel)
    if not administration.is_open:
        raise ValidationError(
            {"administration": _("This measure is no longer open.")}, code="not_open"
        )
    if get_instrument(administration.instrument_code).respondent != "client":
        raise ValidationError(
            {"administration": _("This instrument is not answered by the client.")},
            code="not_self_report",
        )
    if channel == InvitationChannel.EMAIL and not administration.client.email:
        raise ValidationError(
            {"channel": _("The client has no email address on file.")}, code="no_email"
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = SelfReportLink(
        administration=administration,
        token_hash=hash_token(token),
        created_by=actor,
        expires_at=now + timedelta(days=lifetime_days),
    )
    agency_id = _agency_id(administration)
    reminder_days = administration.schedule.reminder_after_days if administration.schedule else 7
    with transaction.atomic():
        link.save()
        record_event(actor=actor, action=Action.CREATE, obj=link, agency_id=agency_id)
        Invitation.objects.create(
            link=link,
            kind=InvitationKind.LINK,
            channel=channel,
            status=InvitationStatus.SENT,
            send_after=now,
            sent_at=now,
        )
        Invitation.objects.create(
            link=link,
            kind=InvitationKind.REMINDER,
            channel=InvitationChannel.EMAIL
            if channel == InvitationChannel.EMAIL
            else InvitationChannel.CASELOAD_NOTE,
            send_after=now + timedelta(days=reminder_days),
        )
        if channel == InvitationChannel.EMAIL:
            _send_link_email(administration, url=build_url(token), reminder=False)
    return IssuedLink(link=link, token=token)


def cancel_invitation(*, actor: User, link: SelfReportLink) -> SelfReportLink:
    """Withdraw a link and its pending reminders; the link stops working at once."""
    _require_episode_access(actor, link.administration.episode)
    if link.used_at is not None:
        raise ValidationError({"link": _("This link has already been used.")}, code="used")
    now = timezone.now()
    with transaction.atomic():
        link.cancelled_at = link.cancelled_at or now
        link.save(update_fields=["cancelled_at"])
        link.invitations.filter(status=InvitationStatus.PENDING).update(
            status=InvitationStatus.CANCELLED, cancelled_at=now
        )
        record_event(
            actor=actor, action=Action.UPDATE, obj=link, agency_id=_agency_id(link.administration)
        )
    return link


def resend_invitation(*, actor: User, link: SelfReportLink, build_url: Any) -> IssuedLink:
    """Replace a link by a new one sent the same way; answers already given carry over.

    A stored hash cannot be turned back into its token, so re-sending means a new token.
    """
    first = link.invitations.filter(kind=InvitationKind.LINK).first()
    channel = first.channel if first else InvitationChannel.IN_PERSON
    with transaction.atomic():
        draft = link.response
        cancel_invitation(actor=actor, link=link)
        if draft is not None:
            link.response = None
            link.save(update_fields=["response"])
        issued = issue_link(
            actor=actor, administration=link.administration, channel=channel, build_url=build_url
        )
        if draft is not None:
            issued.link.response = draft
            issued.link.save(update_fields=["response"])
    return issued


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
            actor=None, action=Action.UPDATE, obj=draft, agency_id=_agency_id(administration)
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
    return response


def submit_self_report(
    *, link: SelfReportLink, answers: Mapping[str, Any], language: str
) -> Response:
    """The client finishes on their link: score, complete, and use the link up."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            SelfReportLink.objects.select_for_update()
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
        if not administration.is_open:
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
            actor=None, action=Action.UPDATE, obj=locked, agency_id=_agency_id(administration)
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
    _require_episode_access(actor, episode)
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
            if locked.status not in OPEN_STATUSES and locked.status != AdministrationStatus.MISSED:
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


__all__ = [
    "IssuedLink",
    "cancel_invitation",
    "create_contact_administrations",
    "create_due_administrations",
    "draft_for",
    "hash_token",
    "issue_link",
    "on_episode_closed",
    "refresh_administration_statuses",
    "resend_invitation",
    "save_self_report_progress",
    "send_due_reminders",
    "submit_response",
    "submit_self_report",
]
