"""Background building of data set exports (django-tasks; the demo's worker runs them)."""

from __future__ import annotations

from django_tasks import task

from tandem.research.exports.services import run_export


@task()
def build_export(export_id: int) -> str:
    """Build export ``export_id``'s file; returns its final status ("done" or "failed")."""
    return run_export(export_id)
