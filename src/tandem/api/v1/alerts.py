"""Alerts and the steps they moved along."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tandem.alerts import selectors as alert_selectors
from tandem.alerts.models import Alert, AlertRule, AlertStatus, AlertStep
from tandem.api.auth import acting_user
from tandem.api.conventions import (
    check_query,
    ordering_of,
    paginate,
)
from tandem.api.schemas import (
    AlertDetailOut,
    AlertPage,
)
from tandem.api.v1.common import PROBLEMS, Id, one_of
from tandem.audit.models import Action
from tandem.audit.services import record_event

router = Router()


# ---- alerts --------------------------------------------------------------------------------------
ALERT_FILTERS = {"status", "rule"}
ALERT_ORDERINGS = ("opened_on", "id")


def _alert_out(alert: Alert, steps: list[AlertStep] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": alert.pk,
        "rule": alert.rule,
        "status": alert.status,
        "team_id": alert.team_id,
        "episode_id": alert.episode_id,
        "client_id": alert.client_id,
        "worker_id": alert.worker_id,
        "opened_on": alert.opened_on,
        "escalated_at": alert.escalated_at,
        "resolved_at": alert.resolved_at,
        "reason": alert.reason,
        "version": alert.version,
    }
    if steps is not None:
        found["steps"] = [
            {"status": step.status, "actor_id": step.actor_id, "note": step.note, "at": step.at}
            for step in steps
        ]
    return found


@router.get(
    "/alerts",
    response={200: AlertPage, **PROBLEMS},
    url_name="alert_list",
    tags=["feedback"],
)
def alert_list(
    request: HttpRequest,
    status: str | None = None,
    rule: str | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Any:
    """Alerts the person sees on the alerts page, newest first, every status unless filtered."""
    user = acting_user(request, "read:feedback")
    check_query(request, ALERT_FILTERS)
    alerts = alert_selectors.alerts_visible_to(user)
    wanted_status = one_of("status", status, AlertStatus.values)
    if wanted_status:
        alerts = alerts.filter(status=wanted_status)
    wanted_rule = one_of("rule", rule, AlertRule.values)
    if wanted_rule:
        alerts = alerts.filter(rule=wanted_rule)
    page = paginate(
        alerts,
        ordering=ordering_of(ordering, ALERT_ORDERINGS, "-opened_on"),
        cursor=cursor,
        limit=limit,
    )
    record_event(actor=user, action=Action.LIST, object_type="alerts.alert", object_id="api")
    return {"items": [_alert_out(alert) for alert in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/alerts/{int:pk}",
    response={200: AlertDetailOut, **PROBLEMS},
    url_name="alert_detail",
    tags=["feedback"],
)
def alert_detail(request: HttpRequest, pk: Id) -> Any:
    """One alert with the steps it has moved along."""
    user = acting_user(request, "read:feedback")
    alert = alert_selectors.get_alert_for(user, pk)
    return _alert_out(alert, alert_selectors.steps_of(alert))
