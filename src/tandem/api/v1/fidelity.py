"""Fidelity reviews with their scores, and a team's continuous fidelity indicators."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router

from tandem.accounts.models import Role
from tandem.api.auth import acting_user
from tandem.api.conventions import (
    check_query,
    ordering_of,
    paginate,
)
from tandem.api.schemas import (
    ReviewDetailOut,
    ReviewPage,
    TeamIndicatorsOut,
)
from tandem.api.v1.common import PROBLEMS, Id, one_of
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.display import Cell
from tandem.fidelity import selectors as fidelity_selectors
from tandem.fidelity.indicators.team import IndicatorPoint, team_indicators_for
from tandem.fidelity.models import FidelityReview, ReviewStatus

router = Router()


# ---- reviews -------------------------------------------------------------------------------------
REVIEW_FILTERS = {"team", "status", "date_from", "date_to"}
REVIEW_ORDERINGS = ("review_date", "id")


def _scores(review: FidelityReview) -> dict[str, Any]:
    # As on the review page: scores are shown once the review is final, never while open.
    return review.scores if review.status == ReviewStatus.FINAL else {}


def _review_out(review: FidelityReview) -> dict[str, Any]:
    scores = _scores(review)
    return {
        "id": review.pk,
        "team_id": review.team_id,
        "scale_id": review.scale_id,
        "review_date": review.review_date,
        "status": review.status,
        "total": scores.get("total"),
        "is_high_fidelity": scores.get("is_high"),
        "domain_means": dict(scores.get("domains", {})),
        "finalised_at": review.finalised_at,
        "version": review.version,
    }


@router.get(
    "/fidelity/reviews",
    response={200: ReviewPage, **PROBLEMS},
    url_name="fidelity_review_list",
    tags=["fidelity"],
)
def review_list(
    request: HttpRequest,
    team: int | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Any:
    """Fidelity reviews the person sees on the reviews page, newest first.

    A programme manager sees every review of their programmes' teams, a supervisor the final
    reviews of their teams, an assessor the reviews they are on. Scores appear once a review
    is final. Filters: ``team``, ``status``, ``date_from`` and ``date_to`` (review date,
    inclusive); a filter narrows, never widens.
    """
    user = acting_user(request, "read:fidelity")
    check_query(request, REVIEW_FILTERS)
    reviews = fidelity_selectors.reviews_visible_to(user)
    if team is not None:
        reviews = reviews.filter(team_id=team)
    wanted_status = one_of("status", status, ReviewStatus.values)
    if wanted_status:
        reviews = reviews.filter(status=wanted_status)
    if date_from is not None:
        reviews = reviews.filter(review_date__gte=date_from)
    if date_to is not None:
        reviews = reviews.filter(review_date__lte=date_to)
    page = paginate(
        reviews,
        ordering=ordering_of(ordering, REVIEW_ORDERINGS, "-review_date"),
        cursor=cursor,
        limit=limit,
    )
    record_event(
        actor=user, action=Action.LIST, object_type=fidelity_selectors.REVIEW_TYPE, object_id="api"
    )
    return {"items": [_review_out(row) for row in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/fidelity/reviews/{int:pk}",
    response={200: ReviewDetailOut, **PROBLEMS},
    url_name="fidelity_review_detail",
    tags=["fidelity"],
)
def review_detail(request: HttpRequest, pk: Id) -> Any:
    """One review: its panel's progress and, once final, the total, its range, each domain's
    mean agreed rating and the assessors' agreement. The ratings themselves stay on the page."""
    user = acting_user(request, "read:fidelity")
    review = fidelity_selectors.get_review_for(user, pk)
    record_event(
        actor=user, action=Action.VIEW, obj=review, agency_id=review.team.programme.agency_id
    )
    scores = _scores(review)
    means = scores.get("domains", {})
    found = _review_out(review)
    found.update(
        {
            "range_low": scores.get("range_low"),
            "range_high": scores.get("range_high"),
            "domains": [
                {"code": domain.code, "name": domain.name, "mean": means.get(domain.code)}
                for domain in fidelity_selectors.included_domains(review)
            ],
            "excluded_domains": sorted(domain.code for domain in review.excluded_domains.all()),
            "agreement": scores.get("agreement"),
            "panel": [
                {"assessor_id": member.assessor_id, "submitted": member.submitted_at is not None}
                for member in fidelity_selectors.panel_of(review)
            ],
        }
    )
    return found


# ---- team indicators -----------------------------------------------------------------------------
def _number(value: Cell) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _point(point: IndicatorPoint) -> dict[str, Any]:
    return {
        "day": point.day,
        "value": _number(point.value),
        "suppressed": isinstance(point.value, str),
    }


@router.get(
    "/teams/{int:pk}/fidelity-indicators",
    response={200: TeamIndicatorsOut, **PROBLEMS},
    url_name="team_fidelity_indicators",
    tags=["fidelity"],
)
def team_fidelity_indicators(request: HttpRequest, pk: Id) -> Any:
    """The team's continuous fidelity indicators from routine data, as on its indicators page:
    each one's latest value, target and the twelve weeks before, and each worker's caseload.

    For the team's supervisors and its programme's managers. A value resting on fewer than
    five open clients is left out and marked ``suppressed``.
    """
    user = acting_user(request, "read:fidelity", roles=(Role.SUPERVISOR, Role.PROGRAMME_MANAGER))
    result = team_indicators_for(user, pk)
    record_event(
        actor=user,
        action=Action.VIEW,
        object_type="fidelity.indicatorvalue",
        object_id=f"team:{result.team.pk}",
        agency_id=result.team.programme.agency_id,
    )
    return {
        "team_id": result.team.pk,
        "day": result.day,
        "indicators": [
            {
                "code": row.definition.code,
                "domain": row.definition.domain_code,
                "label": str(row.definition.label),
                "unit": str(row.definition.unit),
                "higher_is_better": row.definition.higher_is_better,
                "value": _number(row.latest.value),
                "suppressed": isinstance(row.latest.value, str),
                "text": row.latest.text,
                "target": row.target,
                "history": [_point(point) for point in row.points],
            }
            for row in result.indicators
        ],
        "workers": [
            {
                "worker_id": worker.worker.pk,
                "caseload": worker.caseload,
                "caseload_target": worker.caseload_target,
                "individual_sessions": worker.individual_sessions,
            }
            for worker in result.workers
        ],
    }
