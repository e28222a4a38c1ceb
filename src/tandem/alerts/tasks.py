"""Background work of the alerts (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from tandem.alerts.services import evaluate_alerts


@task()
def nightly_alerts() -> dict[str, int]:
    """Open, resolve and escalate alerts for every team.

    Enqueued once a night after ``tandem measures nightly`` (so that overdue measures are
    current), by ``tandem alerts evaluate --enqueue`` from cron or a systemd timer; safe to run
    twice, as a second run finds nothing new.
    """
    return evaluate_alerts()


@task()
def evaluate_score_alerts(team_ids: list[int]) -> dict[str, int]:
    """Re-check the alliance and outcome alerts of these teams (after a bulk import)."""
    from tandem.alerts.rules import SCORE_RULES

    return evaluate_alerts(team_ids=team_ids, rules=SCORE_RULES)
