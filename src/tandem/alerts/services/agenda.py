"""Alerts on the agenda of the next group or individual supervision, and what was decided."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import scope_for
from tandem.accounts.models import User
from tandem.alerts.models import AgendaItem, Alert, AlertStatus
from tandem.alerts.services._common import (
    NEXT_STATUSES,
    AlertChangedError,
    alert_agency_id,
    can_put_on_agenda,
)
from tandem.alerts.services.lifecycle import move_alert
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.orgs.selectors import SUPERVISING_ROLES
from tandem.practice.models import SupervisionKind, SupervisionSession


def put_on_agenda(*, actor: User, alert: Alert, kind: str) -> AgendaItem:
    """Put an unresolved alert on the agenda of the team's next supervision of ``kind``."""
    if not can_put_on_agenda(actor, alert):
        raise PermissionDenied
    if alert.is_resolved:
        raise ValidationError(
            {"kind": ValidationError(_("This alert is resolved."), code="resolved")}
        )
    kind = SupervisionKind(kind)
    item = AgendaItem(alert=alert, kind=kind, team_id=alert.team_id, added_by=actor)
    item.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            item.save()
            record_event(
                actor=actor, action=Action.CREATE, obj=item, agency_id=alert_agency_id(alert)
            )
    except IntegrityError:
        raise ValidationError(
            {
                "kind": ValidationError(
                    _("This alert is already on the agenda of that supervision."), code="duplicate"
                )
            }
        ) from None
    return item


def record_agenda_decision(
    *,
    actor: User,
    item: AgendaItem,
    decision: str,
    outcome: str,
    session: SupervisionSession | None = None,
    expected_version: int,
) -> AgendaItem:
    """Record what supervision decided on an agenda item, and move its alert forward.

    ``outcome`` is ``discussed`` or ``action_agreed``; an alert already further along keeps its
    status (moves are forward only), and the decision is still recorded.
    """
    if item.team_id not in scope_for(actor).team_ids(*SUPERVISING_ROLES):
        raise PermissionDenied
    decision = decision.strip()
    if not decision:
        raise ValidationError(
            {"decision": ValidationError(_("Say what was decided."), code="required")}
        )
    if item.decided_at is not None:
        raise ValidationError(
            {"decision": ValidationError(_("A decision is already recorded."), code="decided")}
        )
    if outcome not in (AlertStatus.DISCUSSED, AlertStatus.ACTION_AGREED):
        raise ValidationError(
            {"outcome": ValidationError(_("Choose discussed or action agreed."), code="invalid")}
        )
    if session is not None and session.team_id != item.team_id:
        raise ValidationError(
            {
                "session": ValidationError(
                    _("This session belongs to another team."), code="other_team"
                )
            }
        )
    alert = item.alert
    if alert.version != expected_version:
        raise AlertChangedError
    with transaction.atomic():
        if outcome in NEXT_STATUSES[alert.status]:
            move_alert(
                actor=actor,
                alert=alert,
                status=outcome,
                expected_version=expected_version,
                note=decision,
            )
        item.decision = decision
        item.decided_by = actor
        item.decided_at = timezone.now()
        item.session = session
        item.save(update_fields=["decision", "decided_by", "decided_at", "session"])
        record_event(actor=actor, action=Action.UPDATE, obj=item, agency_id=alert_agency_id(alert))
    return item
