"""Background work of the alerts (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from tandem.feedback.services import evaluate_alerts


@task()
def nightly_alerts() -> dict[str, int]:
    """Open, resolve and escalate alerts for every team.

    Enqueued once a night after ``tandem measures nightly`` (so that overdue measures are
    current), by ``tandem feedback alerts --enqueue`` from cron or a systemd timer; safe to run
    twice, as a second run finds nothing new.
    """
    return evaluate_alerts()
