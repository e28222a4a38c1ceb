"""Writes of analysis runs: queue one, void one, and the quarterly schedule.

A run is queued by a member of the study or an administrator of its agency (or, with no
actor, by the quarterly schedule); the task that runs it is enqueued once the row is
committed, so that a worker never looks for a run that a rolled-back transaction never wrote.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.research.analysis.settings import AnalysisSettings
from tandem.research.models import AnalysisRun, Study, StudyStatus
from tandem.research.runs.execute import software_version
from tandem.research.runs.selectors import may_run
from tandem.research.runs.tasks import run_analysis_task
from tandem.research.spec import analysis_settings

logger = logging.getLogger(__name__)

MONTHS_PER_QUARTER = 3


def queue_run(
    *,
    actor: User | None,
    study: Study,
    settings: AnalysisSettings,
    scheduled: bool = False,
    enqueue: bool = True,
) -> AnalysisRun:
    """Queue a run of ``settings`` on the study's data set; its task starts once committed.

    ``actor`` None is the quarterly schedule. With ``enqueue`` False the caller runs it
    (the command line runs it at once, in its own process).
    """
    if actor is None:
        if not scheduled:
            raise PermissionDenied
    elif not may_run(actor, study):
        raise PermissionDenied
    if study.status == StudyStatus.CLOSED:
        raise ValidationError(_("The study is closed: no new run."))
    with transaction.atomic():
        locked = Study.objects.select_for_update().get(pk=study.pk)
        last = AnalysisRun.objects.filter(study=locked).aggregate(n=Max("number"))["n"] or 0
        run = AnalysisRun.objects.create(
            study=locked,
            number=last + 1,
            requested_by=actor,
            scheduled=scheduled,
            settings=settings.to_dict(),
            data_version=locked.data_version,
            software_version=software_version(),
        )
        record_event(actor=actor, action=Action.CREATE, obj=run, agency_id=locked.agency_id)
        if enqueue:
            transaction.on_commit(lambda: run_analysis_task.enqueue(run.pk))
    return run


def void_run(*, actor: User, run: AnalysisRun, reason: str) -> AnalysisRun:
    """Void a run with a reason: it stays listed, struck out, and leaves the chart over time."""
    if not may_run(actor, run.study):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the run is voided.")})
    if run.is_voided:
        raise ValidationError(_("This run is already voided."))
    with transaction.atomic():
        run.is_voided = True
        run.void_reason = reason[:500]
        run.voided_by = actor
        run.voided_at = timezone.now()
        run.save(update_fields=["is_voided", "void_reason", "voided_by", "voided_at"])
        record_event(actor=actor, action=Action.UPDATE, obj=run, agency_id=run.study.agency_id)
    return run


def _quarter_after(day: date) -> date:
    month = day.month - 1 + MONTHS_PER_QUARTER
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_for_quarterly_run(study: Study, today: date) -> bool:
    """Whether the study's last scheduled run (voided or not) is a quarter old or more."""
    last = (
        AnalysisRun.objects.filter(study=study, scheduled=True)
        .order_by("-requested_at")
        .values_list("requested_at", flat=True)
        .first()
    )
    if last is None:
        return True
    return _quarter_after(timezone.localdate(last)) <= today


def queue_quarterly_runs(*, today: date | None = None) -> int:
    """Queue the default analysis of every active study that asks for quarterly runs and whose
    last scheduled run is a quarter old; returns how many were queued.

    A study whose protocol does not name a mediator and an outcome yet is skipped (logged by
    its id only).
    """
    today = today or timezone.localdate()
    queued = 0
    studies = Study.objects.filter(status=StudyStatus.ACTIVE, run_quarterly=True).order_by("pk")
    for study in studies:
        if not due_for_quarterly_run(study, today):
            continue
        try:
            settings = analysis_settings(study)
        except (TypeError, ValueError):
            logger.warning("study %s: no quarterly run, the protocol is incomplete", study.pk)
            continue
        queue_run(actor=None, study=study, settings=settings, scheduled=True)
        queued += 1
    return queued


def on_nightly(**_kwargs: object) -> None:
    """Receiver of the nightly job's hook (``measures.signals.nightly_done``)."""
    queue_quarterly_runs()
