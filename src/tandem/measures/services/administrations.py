"""Due administrations: made by schedules when episodes open, close or reach a contact, and
moved through due, overdue and missed by the nightly run."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Episode
from tandem.measures.models import (
    OPEN_STATUSES,
    Administration,
    AdministrationChange,
    AdministrationChangeKind,
    AdministrationStatus,
    Invitation,
    InvitationStatus,
    Schedule,
    ScheduleRule,
    SelfReportLink,
    status_on,
)
from tandem.measures.registry import Instrument, get_instrument
from tandem.measures.services._common import field_error, require_episode_access


# ---- due administrations ------------------------------------------------------------------------
def build_administration(
    *,
    episode: Episode,
    schedule: Schedule,
    instrument: Instrument,
    wave: str,
    due: date,
    today: date,
) -> Administration:
    """An unsaved administration of one wave: its window and its status on ``today``."""
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

    Run on ``clients.signals.episode_opened``, inside ``open_episode``'s transaction and after its
    permission check: intake waves and relative waves counted from the episode start.
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
                build_administration(
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
                build_administration(
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

    Run on ``clients.signals.episode_closed``, inside ``close_episode``'s transaction.
    """
    today = today or timezone.localdate()
    if episode.end_date is None:
        raise ValueError("on_episode_closed needs a closed episode with its end date")
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
            build_administration(
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


# ---- closing a wave by hand ---------------------------------------------------------------------
CLOSABLE_STATUSES = (*OPEN_STATUSES, AdministrationStatus.MISSED)


def _locked_current(administration: Administration, expected_version: int) -> Administration:
    locked = Administration.objects.select_for_update().get(pk=administration.pk)
    if locked.version != expected_version:
        raise ValidationError(
            {
                "__all__": ValidationError(
                    _(
                        "This measure was changed by someone else meanwhile. "
                        "Review it and try again."
                    ),
                    code="stale",
                )
            }
        )
    return locked


def _record_change(
    *,
    actor: User,
    administration: Administration,
    kind: AdministrationChangeKind,
    status_before: str,
    reason_before: str,
) -> AdministrationChange:
    change = AdministrationChange.objects.create(
        administration=administration,
        kind=kind,
        status_before=status_before,
        status_after=administration.status,
        reason_before=reason_before,
        reason_after=administration.closed_reason,
        changed_by=actor,
    )
    agency_id = administration.client.agency_id
    record_event(actor=actor, action=Action.CREATE, obj=change, agency_id=agency_id)
    record_event(actor=actor, action=Action.UPDATE, obj=administration, agency_id=agency_id)
    return change


def close_not_collected(
    *, actor: User, administration: Administration, reason: str, expected_version: int
) -> AdministrationChange:
    """Close an open or missed wave as "not collected", saying why; or correct that reason.

    Live links stop working and pending reminders are cancelled. The status and reason before
    and after are kept in an ``AdministrationChange`` (the audit event names it).
    """
    require_episode_access(actor, administration.episode)
    reason = reason.strip()
    if not reason:
        raise field_error("reason", _("Say why this measure was not collected."), "required")
    with transaction.atomic():
        locked = _locked_current(administration, expected_version)
        status_before, reason_before = locked.status, locked.closed_reason
        if status_before == AdministrationStatus.NOT_COLLECTED:
            if reason == reason_before:
                raise field_error("reason", _("The reason is unchanged."), "unchanged")
            kind = AdministrationChangeKind.REASON_CORRECTED
        elif status_before in CLOSABLE_STATUSES:
            kind = AdministrationChangeKind.CLOSED
        else:
            raise field_error(
                "__all__",
                _("Only a wave that is still open or was missed can be closed."),
                "not_open",
            )
        now = timezone.now()
        locked.status = AdministrationStatus.NOT_COLLECTED
        locked.closed_reason = reason
        locked.closed_by = actor
        locked.closed_at = now
        locked.version += 1
        locked.save(update_fields=["status", "closed_reason", "closed_by", "closed_at", "version"])
        SelfReportLink.objects.filter(
            administration=locked, used_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now)
        Invitation.objects.filter(
            link__administration=locked, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.CANCELLED, cancelled_at=now)
        change = _record_change(
            actor=actor,
            administration=locked,
            kind=kind,
            status_before=status_before,
            reason_before=reason_before,
        )
    administration.refresh_from_db()
    return change


def reopen_administration(
    *,
    actor: User,
    administration: Administration,
    expected_version: int,
    today: date | None = None,
) -> AdministrationChange:
    """Undo "not collected": the wave takes the status its dates give it today again."""
    require_episode_access(actor, administration.episode)
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked_current(administration, expected_version)
        if locked.status != AdministrationStatus.NOT_COLLECTED:
            raise field_error(
                "__all__", _("Only a wave closed as not collected can be reopened."), "not_closed"
            )
        # After discharge only the discharge wave itself is still collected.
        if locked.episode.end_date is not None and locked.wave != "discharge":
            raise field_error(
                "__all__",
                _("The episode is closed: its waves cannot be reopened."),
                "episode_closed",
            )
        status_before, reason_before = locked.status, locked.closed_reason
        locked.status = status_on(
            today,
            window_opens=locked.window_opens,
            due_date=locked.due_date,
            window_closes=locked.window_closes,
        )
        locked.closed_by = None
        locked.closed_at = None
        locked.version += 1
        locked.save(update_fields=["status", "closed_by", "closed_at", "version"])
        change = _record_change(
            actor=actor,
            administration=locked,
            kind=AdministrationChangeKind.REOPENED,
            status_before=status_before,
            reason_before=reason_before,
        )
    administration.refresh_from_db()
    return change
