"""Building a queued report in the background: the dashboards' panels as HTML with print CSS,
then A4 PDF (WeasyPrint), stored in the report's row.

The report is built with the permissions of the person who asked for it, checked again when it
runs: someone who has lost access to the team or programme since gets a failed report, not the
data. Reports hold aggregates only (no client is named) with small cells suppressed, exactly as
the dashboards show them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.dashboards.periods import default_period, quarter_label
from tandem.dashboards.programme import programme_dashboard
from tandem.dashboards.team import team_dashboard
from tandem.orgs.selectors import get_programme_for_manager, get_team_for, teams_supervised_by
from tandem.reports.models import Report, ReportKind, ReportStatus

logger = logging.getLogger(__name__)


def render_report_pdf(report: Report) -> bytes:
    """The report as PDF bytes, in the language it was requested in."""
    with translation.override(report.language):
        html = render_report_html(report)
    from weasyprint import HTML  # loads Pango and its fonts: only where a PDF is made

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def render_report_html(report: Report) -> str:
    """The report as one self-contained HTML document with print CSS."""
    if report.kind == ReportKind.TEAM_QUARTER:
        return render_to_string("reports/team.html", _team_context(report))
    return render_to_string("reports/programme.html", _programme_context(report))


def _team_context(report: Report) -> dict[str, Any]:
    user = report.requested_by
    if report.team_id is None:
        raise ValueError("a team report needs its team")
    team = get_team_for(user, report.team_id)
    # The quarter in the context of the two years before it: one quarter holds one review at
    # most, while drift and outcome trends need the quarters before.
    start, end = default_period(report.period_end)
    dashboard = team_dashboard(user, team, start=start, end=end)
    year, quarter = report.period_start.year, (report.period_start.month - 1) // 3 + 1
    return {
        "report": report,
        "team": team,
        "dashboard": dashboard,
        "quarter": quarter_label(year, quarter),
        "generated": timezone.localtime(),
    }


def _programme_context(report: Report) -> dict[str, Any]:
    """The programme dashboard, then each team's fidelity over the same period."""
    user = report.requested_by
    programme = get_programme_for_manager(user, report.programme_id)
    start, end = report.period_start, report.period_end
    dashboard = programme_dashboard(user, programme, start=start, end=end)
    teams = teams_supervised_by(user).filter(programme=programme).order_by("name", "pk")
    fidelity = [(team, team_dashboard(user, team, start=start, end=end).fidelity) for team in teams]
    return {
        "report": report,
        "programme": programme,
        "dashboard": dashboard,
        "team_fidelity": fidelity,
        "generated": timezone.localtime(),
    }


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
        pdf = render_report_pdf(report)
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
