"""Writes of reports: a request by a person, and the background run that fills in the PDF."""

from __future__ import annotations

import logging
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.feedback.models import Report, ReportKind, ReportStatus
from tandem.feedback.reports import build
from tandem.orgs.models import Programme, Team
from tandem.orgs.selectors import programmes_managed_by, teams_supervised_by

logger = logging.getLogger(__name__)


def request_report(
    *,
    actor: User,
    kind: str,
    start: date,
    end: date,
    language: str,
    team: Team | None = None,
    programme: Programme | None = None,
) -> Report:
    """Queue a report for a team the actor supervises or a programme they manage.

    The task that renders it is enqueued once the row is committed, so a worker never looks
    for a report that a rolled-back transaction never wrote.
    """
    if kind == ReportKind.TEAM_QUARTER:
        if team is None or not teams_supervised_by(actor).filter(pk=team.pk).exists():
            raise PermissionDenied
        programme = team.programme
    elif kind == ReportKind.PROGRAMME:
        if programme is None or not programmes_managed_by(actor).filter(pk=programme.pk).exists():
            raise PermissionDenied
        team = None
    else:
        raise PermissionDenied
    report = Report(
        kind=kind,
        programme=programme,
        team=team,
        period_start=start,
        period_end=end,
        language=language,
        requested_by=actor,
    )
    report.full_clean()
    from tandem.feedback.reports.tasks import generate_report  # the task module imports us

    with transaction.atomic():
        report.save()
        record_event(actor=actor, action=Action.CREATE, obj=report, agency_id=programme.agency_id)
        transaction.on_commit(lambda: generate_report.enqueue(report.pk))
    return report


def run_report(report_id: int) -> str:
    """Render one queued report to PDF and store it; on failure keep a short, impersonal error.

    The error names only the kind of failure (the exception's class), never its message, which
    could quote a name or a value from the data.
    """
    report = (
        Report.objects.select_related("team", "programme", "requested_by")
        .defer("pdf")
        .get(pk=report_id)
    )
    agency_id = report.programme.agency_id
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, error="")
    try:
        pdf = build.render_report_pdf(report)
    except Exception as exc:  # any failure must end as a failed report, not a stuck one
        logger.warning("report %s failed: %s", report.pk, type(exc).__name__)
        with transaction.atomic():
            Report.objects.filter(pk=report.pk).update(
                status=ReportStatus.FAILED,
                error=f"{type(exc).__name__}"[:300],
                finished_at=timezone.now(),
            )
            record_event(
                actor=None,
                action=Action.UPDATE,
                obj=report,
                agency_id=agency_id,
                outcome=Outcome.FAILED,
            )
        return ReportStatus.FAILED
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.DONE, pdf=pdf, error="", finished_at=timezone.now()
        )
        record_event(actor=None, action=Action.UPDATE, obj=report, agency_id=agency_id)
    return ReportStatus.DONE
