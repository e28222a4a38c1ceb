"""Team fidelity over time equals tandem.stats called directly on the same review arrays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from numpy.testing import assert_allclose

from tandem import stats
from tandem.clients.models import Episode
from tandem.fidelity.models import FidelityReview, FidelityScale, ReviewStatus
from tandem.fidelity.series import (
    client_exposure,
    exposure_for_responses,
    team_fidelity_series,
    team_series_for,
)
from tandem.measures.models import Administration, EnteredVia, Response
from tandem.orgs.models import Team
from tests.factories import EpisodeFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

REVIEWS = [
    (date(2024, 1, 15), 22.0, 2.5),
    (date(2024, 7, 10), 31.05, 3.75),
    (date(2025, 1, 20), 28.4, 4.0),
]
START = date(2023, 1, 1)
END = date(2025, 6, 30)


def review(
    team: Team,
    on: date,
    total: float | None,
    *,
    status: str = ReviewStatus.FINAL,
    domains: dict[str, float] | None = None,
    scale: FidelityScale | None = None,
) -> FidelityReview:
    user = UserFactory.create()
    if scale is None:
        scale = FidelityScale.objects.get_or_create(
            agency=team.programme.agency,
            code="smcm",
            version="1",
            defaults={"name": "Scale", "created_by": user},
        )[0]
    return FidelityReview.objects.create(
        team=team,
        scale=scale,
        review_date=on,
        status=status,
        total=total,
        scores={"domains": domains or {}, "total": total},
        created_by=user,
        finalised_at=timezone.now() if status == ReviewStatus.FINAL else None,
    )


@pytest.fixture
def team() -> Team:
    reviewed: Team = TeamFactory.create()
    for on, total, hope in REVIEWS:
        review(reviewed, on, total, domains={"hope": hope, "caseload_size": 5.0})
    # Not final: never part of the series.
    review(reviewed, date(2024, 10, 1), 10.0, status=ReviewStatus.RECONCILING)
    return reviewed


def direct(start: date = START, end: date = END, column: int = 1) -> Any:
    return stats.interpolate_daily(
        [r[0] for r in REVIEWS],
        [cast(float, r[column]) for r in REVIEWS],  # a score column
        start=start,
        end=end,
    )


def test_team_series_equals_interpolate_daily_on_the_final_reviews(team: Team) -> None:
    series = team_fidelity_series(team.pk, start=START, end=END)
    assert series is not None
    expected = direct()
    assert series.n_reviews == 3
    assert np.array_equal(series.days, expected.days)
    assert_allclose(series.values, expected.values, rtol=1e-12)


def test_team_series_of_a_domain_reads_the_stored_domain_means(team: Team) -> None:
    series = team_fidelity_series(team.pk, start=START, end=END, score="hope")
    assert series is not None
    assert_allclose(series.values, direct(column=2).values, rtol=1e-12)


def test_a_team_without_a_final_review_has_no_series() -> None:
    unreviewed = TeamFactory.create()
    review(unreviewed, date(2024, 3, 1), 25.0, status=ReviewStatus.RATING)
    assert team_fidelity_series(unreviewed.pk, start=START, end=END) is None


def test_reviews_without_the_domain_are_skipped(team: Team) -> None:
    review(team, date(2025, 3, 1), 30.0, domains={"caseload_size": 4.0})
    series = team_fidelity_series(team.pk, start=START, end=END, score="hope")
    assert series is not None
    assert series.n_reviews == 3


def test_of_two_final_reviews_on_one_day_the_later_finalised_counts(team: Team) -> None:
    other_scale = FidelityScale.objects.create(
        agency=team.programme.agency, code="draft", name="Draft", created_by=UserFactory.create()
    )
    review(team, REVIEWS[-1][0], 40.0, scale=other_scale)
    series = team_fidelity_series(team.pk, start=START, end=END)
    assert series is not None
    assert series.values[-1] == 40.0


def test_many_teams_series_come_from_one_query(team: Team) -> None:
    second = TeamFactory.create()
    review(second, date(2024, 5, 1), 35.0)
    nobody = TeamFactory.create()
    with CaptureQueriesContext(connection) as captured:
        found = team_series_for([team.pk, second.pk, nobody.pk], start=START, end=END)
    assert len(captured) == 1
    assert set(found) == {team.pk, second.pk}
    assert_allclose(found[team.pk].values, direct().values, rtol=1e-12)
    assert_allclose(found[second.pk].values, 35.0)


@pytest.mark.parametrize("window_days", [90, 180, 270])
def test_client_exposure_equals_stats_exposure_on_the_same_dates(
    team: Team, window_days: int
) -> None:
    dates = [date(2024, 3, 1), date(2024, 9, 1), date(2025, 4, 15), date(2024, 1, 15)]
    result = client_exposure(team.pk, dates, window_days=window_days)
    expected = stats.exposure(direct(), dates, window_days=window_days)
    assert result.window_days == window_days
    assert result.n_outside == 0
    assert_allclose(result.values, expected.values, rtol=1e-12)


def test_client_exposure_defaults_to_180_days(team: Team) -> None:
    result = client_exposure(team.pk, [date(2024, 9, 1)])
    assert result.window_days == 180
    expected = stats.exposure(direct(), [date(2024, 9, 1)], window_days=180)
    assert_allclose(result.values, expected.values, rtol=1e-12)


@pytest.mark.parametrize("window_days", [0, 30, 181, 365])
def test_client_exposure_refuses_other_windows_naming_the_argument(
    team: Team, window_days: int
) -> None:
    with pytest.raises(ValueError, match="window_days"):
        client_exposure(team.pk, [date(2024, 9, 1)], window_days=window_days)


def test_client_exposure_without_a_final_review_is_nan_for_every_date() -> None:
    result = client_exposure(TeamFactory.create().pk, [date(2024, 9, 1), date(2025, 1, 1)])
    assert np.isnan(result.values).all()
    assert result.n_outside == 2


def completed_response(ep: Episode, on: date | None) -> Response:
    administration = Administration.objects.create(
        client=ep.client,
        episode=ep,
        instrument_code="rprs",
        instrument_version="1",
        due_date=on or date(2024, 1, 1),
        window_opens=on or date(2024, 1, 1),
        window_closes=on or date(2024, 1, 1),
    )
    completed_at = None if on is None else timezone.make_aware(datetime.combine(on, time(10, 30)))
    return Response.objects.create(
        administration=administration,
        client=ep.client,
        episode=ep,
        instrument_code="rprs",
        instrument_version="1",
        entered_via=EnteredVia.WORKER,
        completed_at=completed_at,
    )


def test_exposure_for_responses_uses_each_episodes_team_before_the_completion_date(
    team: Team,
) -> None:
    second = TeamFactory.create()
    review(second, date(2024, 5, 1), 35.0)
    first_ep = EpisodeFactory.create(team=team, start_date=date(2023, 12, 1))
    second_ep = EpisodeFactory.create(team=second, start_date=date(2023, 12, 1))
    on_first = [date(2024, 6, 1), date(2025, 2, 1)]
    responses = [completed_response(first_ep, on) for on in on_first]
    responses.append(completed_response(second_ep, date(2024, 8, 1)))
    completed_response(first_ep, None)  # still in progress: left out
    with CaptureQueriesContext(connection) as captured:
        found = exposure_for_responses(Response.objects.all(), window_days=90)
    assert len(captured) == 2
    by_response = {row.response_id: row for row in found}
    assert set(by_response) == {r.pk for r in responses}
    expected = stats.exposure(
        stats.interpolate_daily(
            [r[0] for r in REVIEWS],
            [r[1] for r in REVIEWS],
            start=date(2023, 1, 1),
            end=date(2025, 12, 31),
        ),
        on_first,
        window_days=90,
    ).values
    first_two: list[float] = [by_response[r.pk].exposure for r in responses[:2]]  # type: ignore[misc]  # both set
    assert_allclose(first_two, expected, rtol=1e-12)
    assert by_response[responses[2].pk].exposure == pytest.approx(35.0)
    assert by_response[responses[2].pk].team_id == second.pk
    assert by_response[responses[0].pk].completed_on == date(2024, 6, 1)


def test_exposure_for_responses_refuses_other_windows() -> None:
    with pytest.raises(ValueError, match="window_days"):
        exposure_for_responses(Response.objects.none(), window_days=100)


def test_exposure_for_responses_of_an_unreviewed_team_is_none() -> None:
    ep = EpisodeFactory.create(start_date=date(2023, 12, 1))
    completed_response(ep, date(2024, 6, 1))
    [row] = exposure_for_responses(Response.objects.all())
    assert row.exposure is None


def test_start_and_end_reach_tandem_stats_unchanged(team: Team) -> None:
    start, end = date(2024, 2, 1), date(2024, 2, 1) + timedelta(days=10)
    series = team_fidelity_series(team.pk, start=start, end=end)
    assert series is not None
    assert len(series.days) == 11
