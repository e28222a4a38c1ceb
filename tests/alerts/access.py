"""Access rules of the alerts routes for ``tests/access/test_url_matrix.py``."""

from __future__ import annotations

from typing import Any

from tandem.alerts.models import Alert, AlertRule
from tests.access.grids import every, grid, rel

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "alerts:alert_list": (
        302,
        grid(
            every(403),
            case_manager=rel(200, 200, 200, 200),
            supervisor=rel(200, 200, 200, 200),
            programme_manager=rel(200, 200, 200, 200),
        ),
    ),
    # An alert on the relationship's client: as the client record, 403 for other roles.
    "alerts:alert_detail": (
        302,
        grid(
            every(403),
            case_manager=rel(200, 404, 404, 404),
            supervisor=rel(200, 200, 404, 404),
            programme_manager=rel(200, 200, 200, 404),
        ),
    ),
    "alerts:agenda": (
        302,
        grid(
            every(403),
            supervisor=rel(200, 200, 404, 404),
            programme_manager=rel(200, 200, 200, 404),
        ),
    ),
    # Programme managers of the programme and the agency's administrators (configuration).
    "alerts:thresholds": (
        302,
        grid(
            every(403),
            programme_manager=rel(200, 200, 200, 404),
            agency_admin=rel(200, 200, 200, 404),
        ),
    ),
}


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


_ALERT_OBJECT = {"alerts:agenda": "team", "alerts:thresholds": "programme"}


def alerts_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for an alerts route and one relationship; None if the route is not ours."""
    if key == "alerts:alert_detail":
        return _alert_path(path, objects)
    if key in _ALERT_OBJECT:
        return path.replace("<int:pk>", str(objects[_ALERT_OBJECT[key]].pk))
    return None
