"""Background work of analysis runs (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from tandem.research.runs.execute import execute_run


@task()
def run_analysis_task(run_id: int) -> str:
    """Run queued analysis ``run_id``; returns its final status ("done" or "failed")."""
    return execute_run(run_id)
