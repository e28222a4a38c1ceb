"""Access rules of the feedback routes for ``tests/access/test_url_matrix.py``."""

from __future__ import annotations

from datetime import date
from typing import Any

from tandem.feedback.models import Alert, AlertRule, Report, ReportKind, ReportStatus
from tests.access.grids import every, grid, rel

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {}

# ---- dashboards (client, case manager, programme) ----------------------------------------------
EXPECTED.update(
    {
        # As the client record: the case manager's own, the supervisor's team, the programme's.
        "feedback:client_dashboard": (
            302,
            grid(
                every(404),
                case_manager=rel(200, 404, 404, 404),
                supervisor=rel(200, 200, 404, 404),
                programme_manager=rel(200, 200, 200, 404),
            ),
        ),
        "feedback:my_dashboard": (302, grid(every(403), case_manager=rel(200, 200, 200, 200))),
        # Managers of the programme only; a programme of another agency does not exist for them.
        "feedback:programme_dashboard": (
            302,
            grid(every(403), programme_manager=rel(200, 200, 200, 404)),
        ),
    }
)

# ---- alerts, the supervision agenda and thresholds ---------------------------------------------
EXPECTED.update(
    {
        "feedback:alert_list": (
            302,
            grid(
                every(403),
                case_manager=rel(200, 200, 200, 200),
                supervisor=rel(200, 200, 200, 200),
                programme_manager=rel(200, 200, 200, 200),
            ),
        ),
        # An alert on the relationship's client: as the client record, 403 for other roles.
        "feedback:alert_detail": (
            302,
            grid(
                every(403),
                case_manager=rel(200, 404, 404, 404),
                supervisor=rel(200, 200, 404, 404),
                programme_manager=rel(200, 200, 200, 404),
            ),
        ),
        "feedback:agenda": (
            302,
            grid(
                every(403),
                supervisor=rel(200, 200, 404, 404),
                programme_manager=rel(200, 200, 200, 404),
            ),
        ),
        "feedback:thresholds": (302, grid(every(403), programme_manager=rel(200, 200, 200, 404))),
    }
)


def _alert_path(path: str, objects: dict[str, Any]) -> str:
    episode = objects["client"].episodes.order_by("pk").first()
    alert, _created = Alert.objects.get_or_create(
        rule=AlertRule.NO_RECENT_CONTACT,
        team=episode.team,
        subject_key=f"episode:{episode.pk}",
        defaults={
            "episode": episode,
            "client": episode.client,
            "worker": episode.primary_case_manager,
            "opened_on": episode.start_date,
            "reason": {"last_contact": None, "days_since_contact": None, "days_in_episode": 30},
        },
    )
    return path.replace("<int:pk>", str(alert.pk))


_ALERT_OBJECT = {"feedback:agenda": "team", "feedback:thresholds": "programme"}

_DASHBOARD_OBJECT = {
    "feedback:client_dashboard": "client",
    "feedback:programme_dashboard": "programme",
}


# ---- the team dashboard and reports --------------------------------------------------------------
_TEAMS_ONLY = grid(
    every(403), supervisor=rel(200, 200, 404, 404), programme_manager=rel(200, 200, 200, 404)
)
EXPECTED.update(
    {
        "feedback:team_dashboard": (302, _TEAMS_ONLY),
        "feedback:report_list": (
            302,
            grid(
                every(403),
                supervisor=rel(200, 200, 200, 200),
                programme_manager=rel(200, 200, 200, 200),
            ),
        ),
        "feedback:report_request": (302, grid(every(405))),  # POST only
        # A finished quarterly report of the relationship's team.
        "feedback:report_download": (302, _TEAMS_ONLY),
    }
)


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


def feedback_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for a feedback route and one relationship; None if the route is not ours."""
    if key == "feedback:team_dashboard":
        return path.replace("<int:pk>", str(objects["team"].pk))
    if key == "feedback:report_download":
        return _report_path(path, objects)
    if key == "feedback:alert_detail":
        return _alert_path(path, objects)
    if key in _ALERT_OBJECT:
        return path.replace("<int:pk>", str(objects[_ALERT_OBJECT[key]].pk))
    if key in _DASHBOARD_OBJECT:
        return path.replace("<int:pk>", str(objects[_DASHBOARD_OBJECT[key]].pk))
    return None
