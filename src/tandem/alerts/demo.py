"""Alerts for the demo agency: today's rules, and a few alerts already worked as casework."""

from __future__ import annotations

from datetime import date

from tandem.accounts.models import User
from tandem.alerts.models import Alert
from tandem.alerts.services.agenda import put_on_agenda
from tandem.alerts.services.evaluation import evaluate_alerts
from tandem.alerts.services.lifecycle import agree_action, mark_discussed
from tandem.orgs.models import Agency, Team
from tandem.practice.models import SupervisionKind


def load_alerts_demo(*, agency: Agency, today: date) -> None:
    """Evaluate every alert rule, then walk some client alerts through their first steps."""
    team_ids = list(Team.objects.filter(programme__agency=agency).values_list("pk", flat=True))
    evaluate_alerts(today=today, team_ids=team_ids)
    client_alerts = list(
        Alert.objects.filter(team_id__in=team_ids, worker__isnull=False, episode__isnull=False)
        .select_related("worker")
        .order_by("pk")
    )
    for n, alert in enumerate(client_alerts[:12]):
        worker: User = alert.worker  # type: ignore[assignment]  # filtered on worker not null
        if n % 3 == 0:
            put_on_agenda(
                actor=worker,
                alert=alert,
                kind=SupervisionKind.GROUP if n % 2 == 0 else SupervisionKind.INDIVIDUAL,
            )
        elif n % 3 == 1:
            alert = mark_discussed(actor=worker, alert=alert, expected_version=alert.version)
            agree_action(
                actor=worker,
                alert=alert,
                expected_version=alert.version,
                note="Meet at the library next week and review the plan together.",
            )
        else:
            mark_discussed(actor=worker, alert=alert, expected_version=alert.version)
