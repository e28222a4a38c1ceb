"""Writes of reports: a person asks for one; ``build.run_report`` fills it in, in the background."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.orgs.models import Programme, Team
from tandem.orgs.selectors import programmes_managed_by, teams_supervised_by
from tandem.reports.models import Report, ReportKind
from tandem.reports.tasks import generate_report


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
    with transaction.atomic():
        report.save()
        record_event(actor=actor, action=Action.CREATE, obj=report, agency_id=programme.agency_id)
        transaction.on_commit(lambda: generate_report.enqueue(report.pk))
    return report
