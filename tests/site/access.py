"""Access rules of the configuration routes for ``tests/access/test_url_matrix.py``.

Programme managers configure the programmes they manage, agency administrators every
programme of their agency; everyone else is refused (403), and another agency's programme
answers 404 as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from tests.access.grids import ANON, every, grid, rel

CONFIGURING = grid(
    every(403),
    programme_manager=rel(200, 200, 200, 404),
    agency_admin=rel(200, 200, 200, 404),
)

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "site:configuration": (
        ANON,
        grid(every(403), programme_manager=every(200), agency_admin=every(200)),
    ),
    "site:programme_configuration": (ANON, CONFIGURING),
    "measures:schedule_new": (ANON, CONFIGURING),
    "measures:schedule_edit": (ANON, CONFIGURING),
    "measures:schedule_active": (ANON, CONFIGURING),
    "clients:intake_configuration": (ANON, CONFIGURING),
    "fidelity:indicator_targets": (ANON, CONFIGURING),
}

_BY_PROGRAMME = {
    "site:programme_configuration",
    "measures:schedule_new",
    "clients:intake_configuration",
    "fidelity:indicator_targets",
}


def configuration_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for a configuration route and one relationship; None if not ours."""
    if key in _BY_PROGRAMME:
        return path.replace("<int:pk>", str(objects["programme"].pk))
    if key in {"measures:schedule_edit", "measures:schedule_active"}:
        return path.replace("<int:pk>", str(objects["schedule"].pk))
    if key == "site:configuration":
        return path
    return None
