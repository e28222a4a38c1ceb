"""Rows behind the team dashboard, made directly (not through other apps' services)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import factory
from django.utils import timezone

from tandem.accounts.models import User
from tandem.clients.models import Episode
from tandem.fidelity.models import (
    FidelityDomain,
    FidelityReview,
    FidelityScale,
    IndicatorValue,
    ReviewStatus,
    ScaleStatus,
)
from tandem.measures.models import EnteredVia, Response
from tandem.orgs.models import Team
from tests.factories import AgencyFactory, UserFactory

DOMAIN_CODES = (
    "caseload_size",
    "community_contact",
    "individual_supervision",
    "group_supervision",
    "strengths_assessment",
    "recovery_plan",
    "community_resources",
    "hope",
)


class FidelityScaleFactory(factory.django.DjangoModelFactory[FidelityScale]):
    class Meta:
        model = FidelityScale

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"scale-{n}")
    name = factory.Sequence(lambda n: f"Scale {n}")
    status = ScaleStatus.ACTIVE
    high_fidelity_threshold = Decimal("32")
    created_by = factory.SubFactory(UserFactory)


def scale_with_domains(team: Team, codes: tuple[str, ...] = DOMAIN_CODES) -> FidelityScale:
    """An active scale of the team's agency with one domain per code, named "Domain N"."""
    scale = FidelityScaleFactory.create(agency=team.programme.agency)
    for position, code in enumerate(codes, start=1):
        FidelityDomain.objects.create(
            scale=scale, code=code, name=f"Domain {position}", position=position
        )
    return scale


def final_review(
    team: Team, scale: FidelityScale, on: date, domain_means: dict[str, float]
) -> FidelityReview:
    """A final review with stored scores, as finalisation leaves it."""
    total = round(sum(domain_means.values()), 4)
    threshold = scale.high_fidelity_threshold
    is_high = None if threshold is None else total >= float(threshold)
    return FidelityReview.objects.create(
        team=team,
        scale=scale,
        review_date=on,
        status=ReviewStatus.FINAL,
        scores={"domains": domain_means, "total": total, "is_high": is_high},
        total=total,
        is_high_fidelity=is_high,
        created_by=scale.created_by,
        finalised_by=scale.created_by,
        finalised_at=timezone.now(),
    )


def uniform_review(team: Team, scale: FidelityScale, on: date, mean: float) -> FidelityReview:
    return final_review(team, scale, on, dict.fromkeys(DOMAIN_CODES, mean))


def indicator(
    team: Team,
    day: date,
    code: str,
    value: float | None,
    *,
    domain_code: str = "",
    numerator: float | None = None,
    denominator: float | None = None,
    target: float | None = None,
) -> IndicatorValue:
    return IndicatorValue.objects.create(
        team=team,
        day=day,
        code=code,
        domain_code=domain_code,
        value=value,
        numerator=numerator,
        denominator=denominator,
        target=target,
    )


def caseload(team: Team, day: date, clients: int, workers: int = 2) -> IndicatorValue:
    """The caseload indicator: its numerator is the number of open clients that day."""
    return indicator(
        team,
        day,
        "caseload_per_worker",
        clients / workers,
        domain_code="caseload_size",
        numerator=clients,
        denominator=workers,
        target=20,
    )


def completed_response(
    episode: Episode, instrument_code: str, on: date, score: float, *, by: User | None = None
) -> Response:
    """A completed, scored response in ``episode`` on day ``on`` (noon, local time)."""
    return Response.objects.create(
        client=episode.client,
        episode=episode,
        instrument_code=instrument_code,
        instrument_version="1",
        scores={"total": score},
        entered_via=EnteredVia.WORKER,
        entered_by=by,
        completed_at=timezone.make_aware(datetime.combine(on, time(12))),
    )
