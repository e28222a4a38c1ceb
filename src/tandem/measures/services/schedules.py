"""Programme managers and agency administrators set when each instrument falls due.

A schedule is never deleted: it is deactivated with a reason, so that the administrations it
made keep their origin. Every change is kept in the programme's configuration history.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.measures.models import Schedule, ScheduleRule
from tandem.measures.registry import get_instrument
from tandem.orgs.models import ConfigurationKind, Programme
from tandem.orgs.selectors import may_configure
from tandem.orgs.services import check_unchanged, record_configuration_change

# What a programme manager sets on a schedule (the scope stays "programme": study schedules
# belong to the research pages).
SCHEDULE_FIELDS = (
    "instrument_code",
    "rule",
    "include_baseline",
    "interval_months",
    "interval_days",
    "span_months",
    "every_n_contacts",
    "window_before_days",
    "window_after_days",
    "reminder_after_days",
)


def schedule_settings(schedule: Schedule) -> dict[str, Any]:
    """The settings of a schedule, by field name: what its history and fingerprint compare."""
    return {
        **{name: getattr(schedule, name) for name in SCHEDULE_FIELDS},
        "is_active": schedule.is_active,
    }


def _subject(schedule: Schedule) -> str:
    return get_instrument(schedule.instrument_code).title


def _apply(schedule: Schedule, values: dict[str, Any]) -> None:
    """Set the values, clearing those the rule does not use (an interval on an intake
    schedule), so that the schedule and its history say only what applies."""
    for name in SCHEDULE_FIELDS:
        if name in values:
            setattr(schedule, name, values[name])
    if schedule.rule != ScheduleRule.WAVES:
        schedule.interval_months = schedule.interval_days = schedule.span_months = None
    if schedule.rule != ScheduleRule.EVERY_NTH_CONTACT:
        schedule.every_n_contacts = None


def _require(actor: User, programme: Programme) -> None:
    if not may_configure(actor, programme):
        raise PermissionDenied


def create_schedule(*, actor: User, programme: Programme, values: dict[str, Any]) -> Schedule:
    """Add a schedule to the programme; episodes opened from now on get its waves."""
    _require(actor, programme)
    schedule = Schedule(programme=programme)
    _apply(schedule, values)
    schedule.full_clean()
    with transaction.atomic():
        schedule.save()
        record_configuration_change(
            actor=actor,
            programme=programme,
            obj=schedule,
            kind=ConfigurationKind.SCHEDULE_ADDED,
            subject=_subject(schedule),
            before=None,
            after=schedule_settings(schedule),
        )
    return schedule


def update_schedule(
    *,
    actor: User,
    schedule: Schedule,
    values: dict[str, Any],
    expected_fingerprint: str | None = None,
    reason: str = "",
) -> Schedule:
    """Change a schedule; waves already made keep their dates, new episodes follow the change."""
    _require(actor, schedule.programme)
    with transaction.atomic():
        stored = Schedule.objects.select_for_update().get(pk=schedule.pk)
        before = schedule_settings(stored)
        check_unchanged(before, expected_fingerprint)
        _apply(stored, values)
        stored.full_clean()
        stored.save()
        record_configuration_change(
            actor=actor,
            programme=stored.programme,
            obj=stored,
            kind=ConfigurationKind.SCHEDULE_CHANGED,
            subject=_subject(stored),
            before=before,
            after=schedule_settings(stored),
            reason=reason,
        )
    return stored


def set_schedule_active(
    *,
    actor: User,
    schedule: Schedule,
    is_active: bool,
    reason: str,
    expected_fingerprint: str | None = None,
) -> Schedule:
    """Deactivate a schedule (it makes no more waves; open ones stay) or activate it again.

    A reason is required to deactivate; it is kept in the configuration history.
    """
    _require(actor, schedule.programme)
    if not is_active and not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Say why the schedule stops."), code="required")}
        )
    with transaction.atomic():
        stored = Schedule.objects.select_for_update().get(pk=schedule.pk)
        before = schedule_settings(stored)
        check_unchanged(before, expected_fingerprint)
        stored.is_active = is_active
        stored.save(update_fields=["is_active"])
        record_configuration_change(
            actor=actor,
            programme=stored.programme,
            obj=stored,
            kind=ConfigurationKind.SCHEDULE_REACTIVATED
            if is_active
            else ConfigurationKind.SCHEDULE_DEACTIVATED,
            subject=_subject(stored),
            before=before,
            after=schedule_settings(stored),
            reason=reason,
        )
    return stored
