"""Background generation of PDF reports (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from tandem.reports.build import run_report


@task()
def generate_report(report_id: int) -> str:
    """Render report ``report_id`` to PDF; returns its final status ("done" or "failed")."""
    return run_report(report_id)
