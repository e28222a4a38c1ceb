"""Running one queued analysis: build the data set, run the pipeline, store the result.

Called by the background task and by ``tandem research run``. The BLAS thread pools are
limited (``RESEARCH_RUN_THREADS``, default 1) so that a run shares the machine with the web
processes, and so that the same seed on the same data gives the same numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

import tandem
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.research.analysis.pipeline import run_analysis
from tandem.research.analysis.settings import AnalysisSettings
from tandem.research.dataset.build import build_dataset
from tandem.research.models import AnalysisRun, RunStatus
from tandem.research.spec import dataset_spec, mediator_scoring

logger = logging.getLogger(__name__)

# A run reports its progress at most this often (a fraction of the whole).
PROGRESS_STEP = 0.02


def software_version() -> str:
    """The installed Tandem's version (the package metadata, else the source's)."""
    try:
        return metadata.version("tandem")
    except metadata.PackageNotFoundError:
        return tandem.__version__


@contextmanager
def limited_threads() -> Iterator[None]:
    """Limit the BLAS and OpenMP thread pools while the block runs (threadpoolctl if there)."""
    limit = int(getattr(django_settings, "RESEARCH_RUN_THREADS", 1))
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]  # no stubs
    except ImportError:  # pragma: no cover  # installed with scikit-learn
        yield
        return
    with threadpool_limits(limits=limit):
        yield


def _failure_text(exc: Exception) -> str:
    """The error to keep: the pipeline's own plain words (column names and counts, never a
    value of a person), else only the kind of failure."""
    if isinstance(exc, ValueError):
        return str(exc)[:500]
    return type(exc).__name__


def execute_run(run_id: int) -> str:
    """Run queued run ``run_id`` and store its result; returns its final status.

    A run that is no longer queued (already running or finished, or voided) is left alone.
    """
    claimed = AnalysisRun.objects.filter(
        pk=run_id, status=RunStatus.QUEUED, is_voided=False
    ).update(status=RunStatus.RUNNING, started_at=timezone.now(), progress=0.0, message="")
    run = AnalysisRun.objects.select_related("study").get(pk=run_id)
    if not claimed:
        return run.status
    study = run.study
    last = [0.0]

    def progress(fraction: float, message: str) -> None:
        if fraction - last[0] < PROGRESS_STEP and fraction < 1.0:
            return
        last[0] = fraction
        AnalysisRun.objects.filter(pk=run_id).update(
            progress=round(0.2 + 0.8 * fraction, 3), message=message[:200]
        )

    try:
        chosen = AnalysisSettings.from_dict(run.settings)
        AnalysisRun.objects.filter(pk=run_id).update(message="Building the data set")
        data_version = study.data_version
        dataset = build_dataset(dataset_spec(study))
        AnalysisRun.objects.filter(pk=run_id).update(
            dataset_sha256=dataset.sha256, data_version=data_version, progress=0.2
        )
        with limited_threads():
            result = run_analysis(
                dataset.frame,
                chosen,
                mediator_scoring=mediator_scoring(chosen.mediator_instrument),
                progress=progress,
            )
    except Exception as exc:  # any failure must end as a failed run, not a stuck one
        logger.warning("analysis run %s failed: %s", run_id, type(exc).__name__)
        with transaction.atomic():
            AnalysisRun.objects.filter(pk=run_id).update(
                status=RunStatus.FAILED,
                error=_failure_text(exc),
                finished_at=timezone.now(),
            )
            record_event(
                actor=None,
                action=Action.UPDATE,
                obj=run,
                agency_id=study.agency_id,
                outcome=Outcome.FAILED,
            )
        return RunStatus.FAILED
    with transaction.atomic():
        AnalysisRun.objects.filter(pk=run_id).update(
            status=RunStatus.DONE,
            result=result.to_dict(),
            progress=1.0,
            message="",
            error="",
            finished_at=timezone.now(),
        )
        record_event(actor=None, action=Action.UPDATE, obj=run, agency_id=study.agency_id)
    return RunStatus.DONE
