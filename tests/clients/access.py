"""Access rules of the correction and hand-over routes of clients, for the URL matrix."""

from __future__ import annotations

from typing import Any

from tests.access.grids import every, grid, rel

CLIENT_RECORD = grid(
    every(404),
    case_manager=rel(200, 404, 404, 404),
    supervisor=rel(200, 200, 404, 404),
    programme_manager=rel(200, 200, 200, 404),
)

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    # Whoever may open the record may correct it and read its history.
    "clients:client_edit": (302, CLIENT_RECORD),
    "clients:client_history": (302, CLIENT_RECORD),
    # Hand-overs: supervisors and programme managers of the episode's team.
    "clients:episode_handover": (
        302,
        grid(
            every(403),
            supervisor=rel(200, 200, 404, 404),
            programme_manager=rel(200, 200, 200, 404),
        ),
    ),
}


def clients_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for these routes and one relationship; None if the route is not one of them."""
    client = objects["client"]
    if key in ("clients:client_edit", "clients:client_history"):
        return path.replace("<int:pk>", str(client.pk))
    if key == "clients:episode_handover":
        return path.replace("<int:pk>", str(client.episodes.order_by("pk").first().pk))
    return None
