"""The demo agency carries fidelity reviews, indicators and alerts worked as casework."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tandem.accounts.models import User
from tandem.alerts.models import AgendaItem, Alert, AlertStatus
from tandem.fidelity.models import (
    FidelityReview,
    FidelityScale,
    IndicatorValue,
    ReviewStatus,
    ScaleStatus,
)
from tandem.fidelity.scoring import score_review
from tandem.orgs.models import ProgrammeModel
from tandem.site.demo import DEMO_DOMAIN, load_demo

pytestmark = [pytest.mark.demo, pytest.mark.usefixtures("demo_db")]


def signed_in(email: str) -> HttpClient:
    http = HttpClient()
    http.force_login(User.objects.get(email=f"{email}@{DEMO_DOMAIN}"))
    return http


def test_demo_has_fidelity_indicators_and_alerts_and_their_pages_answer() -> None:
    load_demo(n_clients=60)

    finals = FidelityReview.objects.filter(status=ReviewStatus.FINAL)
    assert finals.count() == 8
    assert FidelityReview.objects.filter(status=ReviewStatus.RECONCILING).count() == 1
    for review in finals:
        assert review.total == pytest.approx(sum(review.scores["domains"].values()))
        assert 8 <= review.total <= 40  # type: ignore[operator]  # a final review has its total
    # The strengths teams climb towards high fidelity, as in the study.
    first, *_, last = finals.filter(team__name="Riverside").order_by("review_date")
    assert last.total is not None
    assert first.total is not None
    assert last.total > first.total
    assert FidelityScale.objects.filter(
        programme__model=ProgrammeModel.STCM, status=ScaleStatus.DRAFT
    ).exists()

    assert IndicatorValue.objects.values("day").distinct().count() >= 50
    assert IndicatorValue.objects.filter(worker__isnull=False).exists()

    statuses = set(Alert.objects.values_list("status", flat=True))
    assert {AlertStatus.OPEN, AlertStatus.DISCUSSED, AlertStatus.ACTION_AGREED} <= statuses
    assert AgendaItem.objects.filter(decided_at__isnull=True).exists()

    supervisor = signed_in("supervisor1")
    team_id = User.objects.get(email=f"supervisor1@{DEMO_DOMAIN}").memberships.get().team_id
    for path in (
        f"/teams/{team_id}/dashboard/",
        f"/teams/{team_id}/agenda/",
        "/alerts/",
        "/fidelity/reviews/",
    ):
        assert supervisor.get(path).status_code == 200, path
    assessor = signed_in("assessor")
    assert assessor.get("/fidelity/reviews/").status_code == 200


def test_scores_stored_by_the_demo_match_a_fresh_scoring() -> None:
    load_demo(n_clients=12)
    review = FidelityReview.objects.filter(status=ReviewStatus.FINAL).first()
    assert review is not None
    ratings: dict[str, list[int]] = {}
    for row in review.consensus.select_related("item__domain"):
        ratings.setdefault(row.item.domain.code, []).append(row.rating)
    result = score_review(ratings, high_fidelity_threshold=32.0, threshold_domain_count=8)
    assert result.total == pytest.approx(review.total)
    assert result.is_high == review.is_high_fidelity
