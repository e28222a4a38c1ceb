"""Every write of the alerts: evaluation, lifecycle, agenda and thresholds."""

from tandem.alerts.services._common import AlertChangedError, can_act_on, can_put_on_agenda
from tandem.alerts.services.agenda import put_on_agenda, record_agenda_decision
from tandem.alerts.services.evaluation import evaluate_alerts
from tandem.alerts.services.lifecycle import (
    agree_action,
    mark_discussed,
    move_alert,
    resolve_alert,
)
from tandem.alerts.services.policy import save_alert_policy

__all__ = [
    "AlertChangedError",
    "agree_action",
    "can_act_on",
    "can_put_on_agenda",
    "evaluate_alerts",
    "mark_discussed",
    "move_alert",
    "put_on_agenda",
    "record_agenda_decision",
    "resolve_alert",
    "save_alert_policy",
]
