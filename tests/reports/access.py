"""Access rules of the report routes for ``tests/access/test_url_matrix.py``."""

from __future__ import annotations

from datetime import date
from typing import Any

from tandem.reports.models import Report, ReportKind, ReportStatus
from tests.access.grids import every, grid, rel

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "reports:report_list": (
        302,
        grid(
            every(403),
            supervisor=rel(200, 200, 200, 200),
            programme_manager=rel(200, 200, 200, 200),
        ),
    ),
    "reports:report_request": (302, grid(every(405))),  # POST only
    # A finished quarterly report of the relationship's team.
    "reports:report_download": (
        302,
        grid(
            every(403),
            supervisor=rel(200, 200, 404, 404),
            programme_manager=rel(200, 200, 200, 404),
        ),
    ),
}


def _report_path(path: str, objects: dict[str, Any]) -> str:
    team = objects["team"]
    report, _created = Report.objects.get_or_create(
        kind=ReportKind.TEAM_QUARTER,
        team=team,
        programme=team.programme,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        defaults={
            "requested_by": objects["user"],
            "status": ReportStatus.DONE,
            "pdf": b"%PDF-1.7 matrix",
        },
    )
    return path.replace("<int:pk>", str(report.pk))


def reports_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for a report route and one relationship; None if the route is not ours."""
    if key == "reports:report_download":
        return _report_path(path, objects)
    return None
