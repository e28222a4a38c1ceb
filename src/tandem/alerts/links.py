"""Where an alert leads: the page of what it is about, as the reader may reach it."""

from __future__ import annotations

from django.urls import reverse

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.alerts.models import Alert, AlertRule


def alert_about_url(alert: Alert, user: User) -> str:
    """The page of what ``alert`` is about for ``user``, or "" when there is none they may open.

    A late measure leads to its wave; another client alert to the client; an alert about a
    worker's caseload to the team's caseload (the worker's own caseload for a case manager);
    supervision not held to the supervision sessions of those who run them.
    """
    administration = alert.reason.get("administration") if isinstance(alert.reason, dict) else None
    if alert.rule == AlertRule.MEASURE_OVERDUE and isinstance(administration, int):
        return reverse("measures:administration", args=[administration])
    if alert.client_id is not None:
        return reverse("clients:client_detail", args=[alert.client_id])
    runs_team = alert.team_id in scope_for(user).team_ids(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
    if alert.rule == AlertRule.SUPERVISION_NOT_HELD:
        return reverse("practice:supervision") if runs_team else ""
    if runs_team:
        return reverse("clients:team_detail", args=[alert.team_id])
    if alert.rule == AlertRule.CASELOAD_ABOVE_TARGET and alert.worker_id == user.pk:
        return reverse("practice:caseload")
    return ""
