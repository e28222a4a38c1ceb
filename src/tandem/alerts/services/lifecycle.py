"""People move an alert forward: discussed, action agreed, resolved; each step says who and when."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.alerts.models import Alert, AlertStatus
from tandem.alerts.services._common import (
    NEXT_STATUSES,
    AlertChangedError,
    alert_agency_id,
    append_alert_step,
    can_act_on,
)
from tandem.audit.models import Action
from tandem.audit.services import record_event


def move_alert(
    *, actor: User, alert: Alert, status: str, expected_version: int, note: str = ""
) -> Alert:
    """Move ``alert`` to ``status`` if it still is at ``expected_version``, with a step.

    Raises ``PermissionDenied`` for someone who may not act on it, ``ValidationError`` for a
    backward move, and ``AlertChangedError`` when someone else moved it first.
    """
    if not can_act_on(actor, alert):
        raise PermissionDenied
    status = AlertStatus(status)
    note = note.strip()
    if alert.version != expected_version:
        raise AlertChangedError
    if status not in NEXT_STATUSES[alert.status]:
        raise ValidationError(
            {
                "status": ValidationError(
                    _("An alert moves forward only: this step is no longer possible."),
                    code="backward",
                )
            }
        )
    if status == AlertStatus.ACTION_AGREED and not note:
        raise ValidationError({"note": ValidationError(_("Say what was agreed."), code="required")})
    now = timezone.now()
    resolved_at = now if status == AlertStatus.RESOLVED else None
    with transaction.atomic():
        moved = Alert.objects.filter(pk=alert.pk, version=expected_version).update(
            status=status, resolved_at=resolved_at, version=F("version") + 1, updated_at=now
        )
        if not moved:
            raise AlertChangedError
        alert.refresh_from_db()
        agency_id = alert_agency_id(alert)
        record_event(actor=actor, action=Action.UPDATE, obj=alert, agency_id=agency_id)
        append_alert_step(alert, status, actor, note, agency_id=agency_id)
    return alert


def mark_discussed(*, actor: User, alert: Alert, expected_version: int, note: str = "") -> Alert:
    """The alert has been talked through (with the client, or in supervision)."""
    return move_alert(
        actor=actor,
        alert=alert,
        status=AlertStatus.DISCUSSED,
        expected_version=expected_version,
        note=note,
    )


def agree_action(*, actor: User, alert: Alert, expected_version: int, note: str) -> Alert:
    """An action was agreed; ``note`` says what."""
    return move_alert(
        actor=actor,
        alert=alert,
        status=AlertStatus.ACTION_AGREED,
        expected_version=expected_version,
        note=note,
    )


def resolve_alert(*, actor: User, alert: Alert, expected_version: int, note: str = "") -> Alert:
    """Close the alert, from any unresolved status."""
    return move_alert(
        actor=actor,
        alert=alert,
        status=AlertStatus.RESOLVED,
        expected_version=expected_version,
        note=note,
    )
