"""Background work of the measurement workflow (django-tasks)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from tandem.measures.services import refresh_administration_statuses, send_due_reminders
from tandem.measures.signals import nightly_done

logger = logging.getLogger(__name__)


@task()
def nightly_measures() -> dict[str, int]:
    """Turn due into overdue into missed as days pass, then send or cancel reminders, then let
    the apps above do their nightly work (``signals.nightly_done``).

    Enqueued once a night (``tandem measures nightly`` from cron or a systemd timer); safe to
    run twice, as both steps only act on what is still pending.
    """
    changed = refresh_administration_statuses()
    sent, cancelled = send_due_reminders()
    failed = 0
    for receiver, outcome in nightly_done.send_robust(sender=None, today=timezone.localdate()):
        if isinstance(outcome, Exception):
            failed += 1
            logger.error(
                "nightly hook %s failed: %s",
                getattr(receiver, "__qualname__", "?"),
                type(outcome).__name__,
            )
    return {
        "statuses_changed": changed,
        "reminders_sent": sent,
        "reminders_cancelled": cancelled,
        "nightly_hooks_failed": failed,
    }
