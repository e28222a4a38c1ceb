"""One administration scheduled by hand: an extra questionnaire for a client's open episode.

The instrument is one the episode's programme measures with (an active schedule names it);
the wave is ``extra``. It is closed as not collected, with a reason, like any other wave.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Episode, EpisodeStatus
from tandem.measures.models import (
    Administration,
    AdministrationStatus,
    InvitationChannel,
    Schedule,
    status_on,
)
from tandem.measures.registry import Respondent, UnknownInstrumentError, get_instrument
from tandem.measures.services._common import field_error, require_episode_access
from tandem.measures.services.links import issue_link

EXTRA_WAVE = "extra"
# How far ahead an extra questionnaire may be planned.
LATEST_DAYS_AHEAD = 366


def programme_instrument_codes(episode: Episode) -> list[str]:
    """Instruments the episode's programme measures with: those its active schedules name."""
    return sorted(
        set(
            Schedule.objects.filter(programme_id=episode.programme_id, is_active=True).values_list(
                "instrument_code", flat=True
            )
        )
    )


def _check_date(episode: Episode, due_date: date, today: date) -> None:
    if due_date < today:
        raise field_error("due_date", _("Choose today or a later day."), "in_past")
    if due_date < episode.start_date:
        raise field_error(
            "due_date", _("Choose a day on or after the episode started."), "before_episode"
        )
    if due_date > today + timedelta(days=LATEST_DAYS_AHEAD):
        raise field_error("due_date", _("Choose a day within a year from today."), "too_far_ahead")


def schedule_administration(
    *,
    actor: User,
    episode: Episode,
    instrument_code: str,
    due_date: date,
    send_invitation: bool = False,
    build_url: Any = None,
    today: date | None = None,
) -> Administration:
    """Schedule one administration of ``instrument_code`` in ``episode`` due on ``due_date``.

    With ``send_invitation`` the client is emailed a one-time link at once (self-reported
    instruments only), with its reminder, as from the administration's page; ``build_url``
    turns the link's token into its address. The same instrument cannot be scheduled twice
    on one day in an episode (cancelled waves aside).
    """
    require_episode_access(actor, episode)
    today = today or timezone.localdate()
    try:
        instrument = get_instrument(instrument_code)
    except UnknownInstrumentError:
        raise field_error("instrument_code", _("No instrument has this code."), "unknown") from None
    if instrument.code not in programme_instrument_codes(episode):
        raise field_error(
            "instrument_code",
            _("This programme does not measure with this instrument."),
            "not_in_programme",
        )
    if send_invitation:
        if instrument.respondent != Respondent.CLIENT:
            raise field_error(
                "send_invitation",
                _("This instrument is rated by a worker: there is no link to send the client."),
                "not_self_report",
            )
        if not episode.client.email:
            raise field_error(
                "send_invitation", _("The client has no email address on file."), "no_email"
            )
        if build_url is None:
            raise ValueError("send_invitation needs build_url")
    _check_date(episode, due_date, today)
    schedule = (
        Schedule.objects.filter(
            programme_id=episode.programme_id, is_active=True, instrument_code=instrument.code
        )
        .order_by("pk")
        .first()
    )
    opens, closes = Administration.window_for(due_date, schedule)
    with transaction.atomic():
        # The episode's row is the lock: two schedulings of the same day wait on each other.
        locked = Episode.objects.select_for_update().get(pk=episode.pk)
        if locked.status != EpisodeStatus.OPEN:
            raise field_error(
                "episode_id", _("The episode is closed: nothing more falls due in it."), "closed"
            )
        duplicate = (
            Administration.objects.filter(
                episode=locked, instrument_code=instrument.code, due_date=due_date
            )
            .exclude(status=AdministrationStatus.CANCELLED)
            .exists()
        )
        if duplicate:
            raise field_error(
                "due_date",
                _("This instrument is already due on this day in this episode."),
                "duplicate",
            )
        row = Administration.objects.create(
            client_id=locked.client_id,
            episode=locked,
            schedule=None,
            instrument_code=instrument.code,
            instrument_version=instrument.version,
            wave=EXTRA_WAVE,
            due_date=due_date,
            window_opens=opens,
            window_closes=closes,
            status=status_on(today, window_opens=opens, due_date=due_date, window_closes=closes),
        )
        record_event(actor=actor, action=Action.CREATE, obj=row, agency_id=episode.client.agency_id)
        if send_invitation:
            issue_link(
                actor=actor,
                administration=row,
                channel=InvitationChannel.EMAIL,
                build_url=build_url,
            )
    return row
