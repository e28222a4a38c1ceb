"""Background work of the training app (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from tandem.training.services import send_presenter_reminders


@task()
def presenter_reminders() -> dict[str, int]:
    """Remind each presenter a few days before their turn.

    Enqueued once a day (``tandem training reminders`` from cron or a systemd timer); safe to
    run twice, as each reminder is marked sent.
    """
    return {"reminders_sent": send_presenter_reminders()}
