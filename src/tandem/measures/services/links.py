"""One-time self-report links and the invitation log: issue, cancel, re-send, remind."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import EpisodeStatus
from tandem.measures.models import (
    OPEN_STATUSES,
    Administration,
    Invitation,
    InvitationChannel,
    InvitationKind,
    InvitationStatus,
    SelfReportLink,
)
from tandem.measures.registry import get_instrument
from tandem.measures.services._common import (
    LINK_LIFETIME_DAYS,
    TOKEN_BYTES,
    agency_id_of,
    hash_token,
    require_episode_access,
)


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
                agency_id=agency_id_of(invitation.link.administration),
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
    require_episode_access(actor, administration.episode)
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
    agency_id = agency_id_of(administration)
    reminder_days = administration.schedule.reminder_after_days if administration.schedule else 7
    with transaction.atomic():
        # One live link per wave: a fresh link replaces the earlier ones (they stop working and
        # their reminders are cancelled), and takes over the answers given on them so far.
        replaced = list(
            SelfReportLink.objects.select_for_update().filter(
                administration=administration, used_at__isnull=True, cancelled_at__isnull=True
            )
        )
        draft = next((old.response for old in replaced if old.response is not None), None)
        for old in replaced:
            old.cancelled_at = now
            old.response = None
            old.save(update_fields=["cancelled_at", "response"])
            old.invitations.filter(status=InvitationStatus.PENDING).update(
                status=InvitationStatus.CANCELLED, cancelled_at=now
            )
            record_event(actor=actor, action=Action.UPDATE, obj=old, agency_id=agency_id)
        link.response = draft
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
    require_episode_access(actor, link.administration.episode)
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
            actor=actor, action=Action.UPDATE, obj=link, agency_id=agency_id_of(link.administration)
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
