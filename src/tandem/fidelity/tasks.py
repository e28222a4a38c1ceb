"""Background work of the fidelity app (django-tasks)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django_tasks import task

from tandem.fidelity.indicators import backfill_indicators, compute_indicators


@task()
def nightly_indicators(day: str | None = None, backfill_days: int = 0) -> dict[str, int | str]:
    """Compute every team's fidelity indicators for ``day`` (ISO date; today when None).

    With ``backfill_days`` N, also recompute the N days before it, one week apart. Enqueued
    once a night (``tandem fidelity indicators --enqueue`` from cron or a systemd timer); safe
    to run twice, as each day's rows are replaced.
    """
    target = timezone.localdate() if day is None else date.fromisoformat(day)
    if backfill_days > 0:
        written = backfill_indicators(
            start=target - timedelta(days=backfill_days), end=target, step_days=7
        )
    else:
        written = compute_indicators(day=target)
    return {"day": target.isoformat(), "rows_written": written}
