"""Access rules of the dashboard routes for ``tests/access/test_url_matrix.py``."""

from __future__ import annotations

from typing import Any

from tests.access.grids import every, grid, rel

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    # As the client record: the case manager's own, the supervisor's team, the programme's.
    "dashboards:client_dashboard": (
        302,
        grid(
            every(404),
            case_manager=rel(200, 404, 404, 404),
            supervisor=rel(200, 200, 404, 404),
            programme_manager=rel(200, 200, 200, 404),
        ),
    ),
    "dashboards:my_dashboard": (302, grid(every(403), case_manager=rel(200, 200, 200, 200))),
    "dashboards:team_dashboard": (
        302,
        grid(
            every(403),
            supervisor=rel(200, 200, 404, 404),
            programme_manager=rel(200, 200, 200, 404),
        ),
    ),
    # One chart of the team dashboard, drawn on its own: as the dashboard.
    "dashboards:team_dashboard_chart": (
        302,
        grid(
            every(403),
            supervisor=rel(200, 200, 404, 404),
            programme_manager=rel(200, 200, 200, 404),
        ),
    ),
    # Managers of the programme only; a programme of another agency does not exist for them.
    "dashboards:programme_dashboard": (
        302,
        grid(every(403), programme_manager=rel(200, 200, 200, 404)),
    ),
}

_DASHBOARD_OBJECT = {
    "dashboards:client_dashboard": "client",
    "dashboards:team_dashboard": "team",
    "dashboards:team_dashboard_chart": "team",
    "dashboards:programme_dashboard": "programme",
}


def dashboards_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for a dashboard route and one relationship; None if the route is not ours."""
    if key in _DASHBOARD_OBJECT:
        return path.replace("<int:pk>", str(objects[_DASHBOARD_OBJECT[key]].pk))
    return None
