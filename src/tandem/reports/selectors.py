"""Reads of reports: supervisors see their teams' reports, programme managers their programmes'."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import deny_read
from tandem.orgs.selectors import programmes_managed_by
from tandem.reports.models import Report, ReportKind, ReportStatus


def reports_visible_to(user: User | AnonymousUser) -> QuerySet[Report]:
    """Team reports of the teams the user supervises, and every report of a managed programme.

    The PDF bytes are deferred: a list never loads them.
    """
    scope = scope_for(user)
    managed = programmes_managed_by(user).values("pk")
    visible = Q(kind=ReportKind.TEAM_QUARTER, team_id__in=scope.team_ids(Role.SUPERVISOR)) | Q(
        programme_id__in=managed
    )
    return (
        Report.objects.filter(visible)
        .defer("pdf")
        .select_related("team", "programme", "requested_by")
    )


def get_report_pdf_for(user: User, pk: int) -> Report:
    """A finished report's row with its PDF, audited as an export; 404 if hidden or not ready."""
    report = (
        reports_visible_to(user)
        .filter(pk=pk, status=ReportStatus.DONE, pdf__isnull=False)
        .defer(None)
        .first()
    )
    if report is None:
        deny_read(user, "reports.report", pk)
    record_event(actor=user, action=Action.EXPORT, obj=report, agency_id=report.programme.agency_id)
    return report
