"""Alerts and the steps they moved along."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from tandem.alerts import selectors as alert_selectors
from tandem.alerts import services as alert_services
from tandem.alerts.models import Alert, AlertRule, AlertStatus, AlertStep
from tandem.api.auth import acting_user
from tandem.api.conventions import (
    ProblemError,
    check_query,
    etag_of,
    expected_version,
    ordering_of,
    paginate,
)
from tandem.api.schemas import (
    AlertDetailOut,
    AlertPage,
    AlertStepIn,
    ProblemOut,
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
def alert_detail(request: HttpRequest, pk: Id, response: HttpResponse) -> Any:
    """One alert with the steps it has moved along, and its ETag for moving it on."""
    user = acting_user(request, "read:feedback")
    alert = alert_selectors.get_alert_for(user, pk)
    response["ETag"] = etag_of(alert, alert.version)
    return _alert_out(alert, alert_selectors.steps_of(alert))


@router.post(
    "/alerts/{int:pk}/steps",
    response={200: AlertDetailOut, 412: ProblemOut, 428: ProblemOut, **PROBLEMS},
    url_name="alert_step",
    tags=["feedback"],
)
def alert_step(request: HttpRequest, pk: Id, payload: AlertStepIn, response: HttpResponse) -> Any:
    """Move an alert one step on, as its page does: discussed, action agreed (saying what in
    ``note``), or resolved from any step; never backward. Send ``If-Match`` with the alert's
    ETag: 428 without it, 412 if someone moved the alert since it was read.

    Only the client's case manager, the team's supervisors and (for an alert on a client) the
    programme manager may move an alert: others get 403, as on the page.
    """
    user = acting_user(request, "write:feedback")
    alert = alert_selectors.get_alert_for(user, pk)
    if not alert_services.can_act_on(user, alert):
        raise PermissionDenied
    version = expected_version(request, etag_of(alert, alert.version), alert.version)
    try:
        alert = alert_services.move_alert(
            actor=user,
            alert=alert,
            status=payload.status,
            expected_version=version,
            note=payload.note,
        )
    except alert_services.AlertChangedError as error:
        # Moved between the If-Match check and the write: the same answer as a stale ETag.
        raise ProblemError(
            status=412,
            title=_("The resource was changed meanwhile."),
            detail=_("Read it again and send its new ETag in If-Match."),
            code="stale",
        ) from error
    response["ETag"] = etag_of(alert, alert.version)
    return _alert_out(alert, alert_selectors.steps_of(alert))
