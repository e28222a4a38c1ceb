"""Background work of the measurement workflow (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from tandem.measures.services import refresh_administration_statuses, send_due_reminders


@task()
def nightly_measures() -> dict[str, int]:
    """Turn due into overdue into missed as days pass, then send or cancel reminders.

    Enqueued once a night (``tandem measures nightly`` from cron or a systemd timer); safe to
    run twice, as both steps only act on what is still pending.
    """
    changed = refresh_administration_statuses()
    sent, cancelled = send_due_reminders()
    return {"statuses_changed": changed, "reminders_sent": sent, "reminders_cancelled": cancelled}
