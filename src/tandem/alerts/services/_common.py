"""Who may act on an alert, and the small pieces every alert write shares."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.alerts.models import Alert, AlertStatus, AlertStep
from tandem.audit.models import Action
from tandem.audit.services import record_event

# Forward moves only; resolving is allowed from any unresolved status.
NEXT_STATUSES: dict[str, frozenset[str]] = {
    AlertStatus.OPEN: frozenset(
        {AlertStatus.DISCUSSED, AlertStatus.ACTION_AGREED, AlertStatus.RESOLVED}
    ),
    AlertStatus.DISCUSSED: frozenset({AlertStatus.ACTION_AGREED, AlertStatus.RESOLVED}),
    AlertStatus.ACTION_AGREED: frozenset({AlertStatus.RESOLVED}),
    AlertStatus.RESOLVED: frozenset(),
}

AUTO_RESOLVED_NOTE = _("Resolved by Tandem: the condition no longer holds.")
ESCALATED_NOTE = _("Sent to the team's supervisors: left unresolved for more than %(days)s days.")


class AlertChangedError(Exception):
    """The alert was moved by someone else since the page was opened."""


def can_put_on_agenda(user: User, alert: Alert) -> bool:
    """The case manager (or the worker an alert is about) and the team's supervisors."""
    scope = scope_for(user)
    if alert.team_id in scope.team_ids(Role.SUPERVISOR):
        return True
    if alert.team_id not in scope.team_ids(Role.CASE_MANAGER):
        return False
    if alert.episode is not None:
        return alert.episode.primary_case_manager_id == user.pk
    return alert.worker_id == user.pk


def can_act_on(user: User, alert: Alert) -> bool:
    """Those who may put it on the agenda, and the programme manager for an alert on a client."""
    if can_put_on_agenda(user, alert):
        return True
    return alert.episode_id is not None and alert.team_id in scope_for(user).team_ids(
        Role.PROGRAMME_MANAGER
    )


def alert_agency_id(alert: Alert) -> int:
    return alert.team.programme.agency_id


def append_alert_step(
    alert: Alert, status: str, actor: User | None, note: str, *, agency_id: int
) -> AlertStep:
    """Append one step to the alert's history and audit it."""
    step = AlertStep.objects.create(alert=alert, status=status, actor=actor, note=note)
    record_event(actor=actor, action=Action.CREATE, obj=step, agency_id=agency_id)
    return step
