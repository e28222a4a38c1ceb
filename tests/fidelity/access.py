"""Access rules of the fidelity routes for ``tests/access/test_url_matrix.py``.

The grid vocabulary comes from ``tests/access/grids.py``, as in every rule module.
Relationships: "own" and "team" are team A1, "other_team" is A2 (same programme P1),
"other_agency" is agency Z's team. The world's assessor is on every review made here in
agency A; a supervisor reaches only the final reviews of their team.
"""

from __future__ import annotations

from typing import Any

from tandem.accounts.models import Membership, Role, User
from tandem.fidelity.models import FidelityItem, ReviewStatus, ScaleStatus
from tests.access.grids import (
    ANON,
    OWN_AGENCY_ONLY,
    STAFF_ONLY,
    admin_model_rules,
    every,
    grid,
    rel,
)
from tests.fidelity.factories import assessor_in, items_of, make_review, make_scale

IN_AGENCY = rel(200, 200, 200, 404)


def _admin_rules(model: str) -> dict[str, tuple[int, dict[str, dict[str, int]]]]:
    """A fidelity model agency administrators fully manage."""
    return admin_model_rules(
        "fidelity", model, add=STAFF_ONLY, change=OWN_AGENCY_ONLY, delete=OWN_AGENCY_ONLY
    )


REVIEW_READERS = grid(
    every(403),
    programme_manager=every(200),
    supervisor=every(200),
    assessor=every(200),
)
SCALE_EDITORS = grid(every(403), programme_manager=every(200), agency_admin=every(200))

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
REVIEW_EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "fidelity:review_list": (ANON, REVIEW_READERS),
    "fidelity:review_new": (ANON, grid(every(403), programme_manager=every(200))),
    # A final review: the programme manager, the team's supervisor and the assessors on it.
    "fidelity:review_detail": (
        ANON,
        grid(
            every(403),
            programme_manager=IN_AGENCY,
            supervisor=rel(200, 200, 404, 404),
            assessor=IN_AGENCY,
        ),
    ),
    # A review being rated: only an assessor on its panel.
    "fidelity:review_rate": (ANON, grid(every(403), assessor=IN_AGENCY)),
    # A review being reconciled: the assessors on it and the programme manager.
    "fidelity:review_reconcile": (
        ANON,
        grid(every(403), programme_manager=IN_AGENCY, assessor=IN_AGENCY),
    ),
    "fidelity:scale_list": (ANON, SCALE_EDITORS),
    "fidelity:scale_new": (ANON, SCALE_EDITORS),
    # A draft scale of the relationship's programme.
    "fidelity:scale_detail": (
        ANON,
        grid(every(403), programme_manager=IN_AGENCY, agency_admin=IN_AGENCY),
    ),
    "fidelity:scale_item": (
        ANON,
        grid(every(403), programme_manager=IN_AGENCY, agency_admin=IN_AGENCY),
    ),
    **_admin_rules("fidelityscale"),
    **_admin_rules("fidelityitem"),
}

# A team's indicators: as clients:team_detail (its supervisors, its programme's managers).
INDICATOR_EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "fidelity:team_indicators": (
        ANON,
        grid(
            every(403),
            supervisor=rel(200, 200, 404, 404),
            programme_manager=rel(200, 200, 200, 404),
        ),
    ),
    # POST only: a GET is refused before anything is looked up.
    "fidelity:indicators_refresh": (ANON, grid(every(405))),
}

EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    **REVIEW_EXPECTED,
    **INDICATOR_EXPECTED,
}

REVIEW_STATUS_FOR = {
    "fidelity:review_detail": ReviewStatus.FINAL,
    "fidelity:review_rate": ReviewStatus.RATING,
    "fidelity:review_reconcile": ReviewStatus.RECONCILING,
}


def _panel_for(objects: dict[str, Any]) -> list[User]:
    """The agency's existing assessor (the world's, in agency A) plus a new one."""
    agency = objects["agency"]
    existing = (
        Membership.objects.filter(role=Role.ASSESSOR, agency=agency, programme__isnull=True)
        .order_by("pk")
        .first()
    )
    first = existing.user if existing is not None else assessor_in(agency)
    return [first, assessor_in(agency)]


def _draft_scale(objects: dict[str, Any], *, programme: bool = True) -> Any:
    return make_scale(
        objects["agency"],
        programme=objects["programme"] if programme else None,
        status=ScaleStatus.DRAFT,
    )


def fidelity_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for a fidelity route and one relationship; None if the route is not ours."""
    if "<path:object_id>" in path and "/admin/fidelity/fidelityscale/" in path:
        return path.replace("<path:object_id>", str(_draft_scale(objects, programme=False).pk))
    if "<path:object_id>" in path and "/admin/fidelity/fidelityitem/" in path:
        item: FidelityItem = items_of(_draft_scale(objects, programme=False))[0]
        return path.replace("<path:object_id>", str(item.pk))
    if key in REVIEW_STATUS_FOR:
        review = make_review(
            objects["team"], assessors=_panel_for(objects), status=REVIEW_STATUS_FOR[key]
        )
        return path.replace("<int:pk>", str(review.pk))
    if key == "fidelity:scale_detail":
        return path.replace("<int:pk>", str(_draft_scale(objects).pk))
    if key == "fidelity:scale_item":
        return path.replace("<int:pk>", str(items_of(_draft_scale(objects))[0].pk))
    if key in INDICATOR_EXPECTED:
        return path.replace("<int:pk>", str(objects["team"].pk))
    return None
