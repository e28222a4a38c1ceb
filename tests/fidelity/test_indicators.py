"""Continuous fidelity indicators computed set-based from a small hand-built world.

The day computed is a week ago, so that rows dated after it (a later contact, a plan updated
since) show that every window ends on the day itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from tandem.accounts.models import User
from tandem.audit.models import AuditEvent
from tandem.clients.models import Episode, EpisodeStatus
from tandem.fidelity.indicators import (
    DOMAIN_CODES,
    INDICATORS,
    backfill_indicators,
    compute_indicators,
    get_indicator,
    indicators_for_domain,
)
from tandem.fidelity.indicators import definitions as d
from tandem.fidelity.models import IndicatorValue
from tandem.orgs.models import Team
from tandem.practice.models import (
    CommunityResource,
    Contact,
    ContactMode,
    ContactWith,
    Goal,
    GoalStatus,
    RecoveryPlan,
    StrengthsAssessment,
    SupervisionKind,
    SupervisionSession,
)
from tests.factories import EpisodeFactory, ProgrammeFactory, TeamFactory, UserFactory
from tests.practice.factories import GoalFactory, RecoveryPlanFactory, StepFactory

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - timedelta(days=7)


def ago(days: int) -> date:
    return DAY - timedelta(days=days)


def moment(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def episode(team: Team, worker: User, start: date, end: date | None = None) -> Episode:
    closed = end is not None
    return EpisodeFactory.create(
        team=team,
        primary_case_manager=worker,
        start_date=start,
        end_date=end,
        status=EpisodeStatus.CLOSED if closed else EpisodeStatus.OPEN,
        discharge_reason="goals_met" if closed else "",
    )


def contact(ep: Episode, on: date, mode: str, with_whom: str = ContactWith.CLIENT) -> None:
    Contact.objects.create(
        client=ep.client,
        episode=ep,
        worker=ep.primary_case_manager,
        occurred_on=on,
        minutes=30,
        mode=mode,
        with_whom=with_whom,
    )


def assessed(ep: Episode, on: date) -> None:
    StrengthsAssessment.objects.create(
        client=ep.client, episode=ep, assessed_on=on, author=ep.primary_case_manager
    )


def plan(ep: Episode, updated: datetime) -> RecoveryPlan:
    made: RecoveryPlan = RecoveryPlanFactory.create(episode=ep)
    RecoveryPlan.objects.filter(pk=made.pk).update(updated_at=updated)
    return made


def session(team: Team, kind: str, on: date, *attendees: User) -> None:
    held = SupervisionSession.objects.create(
        team=team, kind=kind, held_on=on, supervisor=UserFactory.create()
    )
    held.attendees.set(attendees)


@dataclass
class Small:
    team: Team
    quiet_team: Team
    empty_team: Team
    worker_1: User
    worker_2: User


@pytest.fixture
def small() -> Small:
    """Team T: five episodes open on the day (worker 1 three, worker 2 two), with routine data."""
    programme = ProgrammeFactory.create(caseload_target=15)
    team = TeamFactory.create(programme=programme)
    w1, w2 = UserFactory.create(), UserFactory.create()
    e1 = episode(team, w1, ago(200))
    e2 = episode(team, w1, ago(100))
    e7 = episode(team, w1, ago(10))
    e3 = episode(team, w2, ago(50))
    e6 = episode(team, w2, ago(300), end=ago(-3))  # closed since, but open on the day
    e4 = episode(team, w2, ago(300), end=ago(10))  # closed before the day
    episode(team, w1, ago(-5))  # starts after the day
    episode(team, w2, ago(60), end=DAY)  # ended on the day itself: no longer open

    # Strengths Assessments: e1 on the 90-day boundary, e3 twice, e6 on the day -> 3 of 5.
    assessed(e1, ago(89))
    assessed(e2, ago(90))
    assessed(e3, ago(5))
    assessed(e3, ago(20))
    assessed(e6, DAY)
    assessed(e4, ago(3))
    assessed(e7, ago(-1))

    # Recovery plans updated in the last 90 days: e1 and e6 -> 2 of 5.
    p1 = plan(e1, moment(ago(10)))
    p2 = plan(e2, moment(ago(100)))
    plan(e3, moment(ago(-2)))
    plan(e6, moment(ago(89), hour=0))
    p4 = plan(e4, moment(ago(20)))

    # Goals active on the day: g1, g2, g3 (achieved after the day), g6 -> 2 of 4 use a resource.
    resource = CommunityResource.objects.create(
        agency=programme.agency, name="Library", kind="library"
    )
    g1 = GoalFactory.create(plan=p1)
    StepFactory.create(goal=g1, resource=resource)
    StepFactory.create(goal=g1)
    GoalFactory.create(plan=p1)
    g3 = GoalFactory.create(plan=p1, status=GoalStatus.ACHIEVED, achieved_on=ago(-5))
    StepFactory.create(goal=g3, resource=resource)
    g4 = GoalFactory.create(plan=p1, status=GoalStatus.ACHIEVED, achieved_on=ago(1))
    StepFactory.create(goal=g4, resource=resource)
    GoalFactory.create(plan=p1, status=GoalStatus.SET_ASIDE)
    g6 = GoalFactory.create(plan=p2)
    StepFactory.create(goal=g6)
    g7 = GoalFactory.create(plan=p4)  # episode closed before the day
    StepFactory.create(goal=g7, resource=resource)
    Goal.objects.update(created_at=moment(ago(30)))
    late = GoalFactory.create(plan=p2)  # written after the day
    StepFactory.create(goal=late, resource=resource)

    # Contacts in the 28 days up to the day: 5, of which 4 with the client, 2 in the community.
    contact(e1, DAY, ContactMode.COMMUNITY)
    contact(e1, ago(27), ContactMode.COMMUNITY)
    contact(e2, ago(28), ContactMode.COMMUNITY)
    contact(e3, ago(5), ContactMode.OFFICE)
    contact(e3, ago(6), ContactMode.COMMUNITY, ContactWith.COLLATERAL)
    contact(e4, ago(15), ContactMode.PHONE)
    contact(e1, ago(-1), ContactMode.COMMUNITY)

    # Group supervision in weeks 0 and 2 of the last four -> 2 of 4.
    session(team, SupervisionKind.GROUP, DAY, w1, w2)
    session(team, SupervisionKind.GROUP, ago(3), w1)
    session(team, SupervisionKind.GROUP, ago(14), w1, w2)
    session(team, SupervisionKind.GROUP, ago(28), w1, w2)
    # Individual supervision: worker 1 twice, worker 2 once in the window.
    session(team, SupervisionKind.INDIVIDUAL, ago(2), w1)
    session(team, SupervisionKind.INDIVIDUAL, ago(20), w1, w2)
    session(team, SupervisionKind.INDIVIDUAL, ago(40), w2)
    session(team, SupervisionKind.INDIVIDUAL, ago(1), UserFactory.create())

    quiet_team = TeamFactory.create(programme=programme)
    episode(quiet_team, UserFactory.create(), ago(40))
    empty_team = TeamFactory.create(programme=ProgrammeFactory.create(caseload_target=30))
    return Small(team, quiet_team, empty_team, w1, w2)


def team_value(team: Team, code: str, day: date = DAY) -> IndicatorValue:
    return IndicatorValue.objects.get(team=team, code=code, day=day, worker__isnull=True)


def worker_values(team: Team, code: str) -> dict[int, float | None]:
    rows = IndicatorValue.objects.filter(team=team, code=code, day=DAY, worker__isnull=False)
    return {row.worker_id: row.value for row in rows if row.worker_id is not None}


def test_every_indicator_predicts_a_domain_of_the_built_in_scale() -> None:
    assert {definition.domain_code for definition in INDICATORS} <= set(DOMAIN_CODES)
    assert [i.code for i in indicators_for_domain("community_contact")] == [
        "community_contact_share",
        "contacts_per_client_week",
    ]
    assert indicators_for_domain("hope") == ()


def test_only_the_caseload_has_a_target() -> None:
    with_target = [i.code for i in INDICATORS if i.target_source != d.TargetSource.NONE]
    assert with_target == ["caseload_per_worker"]


def test_an_unknown_indicator_code_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="no_such"):
        get_indicator("no_such")


def test_caseload_per_worker_divides_open_episodes_by_workers_against_the_target(
    small: Small,
) -> None:
    compute_indicators(day=DAY)
    row = team_value(small.team, "caseload_per_worker")
    assert (row.numerator, row.denominator, row.value, row.target) == (5, 2, 2.5, 15)
    assert row.domain_code == "caseload_size"


def test_caseload_has_one_row_per_worker_with_the_target(small: Small) -> None:
    compute_indicators(day=DAY)
    assert worker_values(small.team, "caseload_per_worker") == {
        small.worker_1.pk: 3,
        small.worker_2.pk: 2,
    }
    targets = IndicatorValue.objects.filter(
        team=small.team, code="caseload_per_worker", worker__isnull=False
    ).values_list("target", flat=True)
    assert set(targets) == {15}


def test_community_contact_share_counts_client_contacts_in_the_last_28_days(
    small: Small,
) -> None:
    compute_indicators(day=DAY)
    row = team_value(small.team, "community_contact_share")
    assert (row.numerator, row.denominator, row.value) == (2, 4, 0.5)


def test_contacts_per_client_week_divides_by_open_clients_and_four_weeks(small: Small) -> None:
    compute_indicators(day=DAY)
    row = team_value(small.team, "contacts_per_client_week")
    assert (row.numerator, row.denominator, row.value) == (5, 20, 0.25)


def test_group_supervision_counts_weeks_with_a_session(small: Small) -> None:
    compute_indicators(day=DAY)
    row = team_value(small.team, "group_supervision_weekly")
    assert (row.numerator, row.denominator, row.value) == (2, 4, 0.5)


def test_individual_supervision_is_a_team_mean_with_a_row_per_case_manager(
    small: Small,
) -> None:
    compute_indicators(day=DAY)
    row = team_value(small.team, "individual_supervision_per_worker")
    assert (row.numerator, row.denominator, row.value) == (3, 2, 1.5)
    assert worker_values(small.team, "individual_supervision_per_worker") == {
        small.worker_1.pk: 2,
        small.worker_2.pk: 1,
    }


def test_strengths_assessments_count_when_dated_in_the_last_90_days(small: Small) -> None:
    compute_indicators(day=DAY)
    row = team_value(small.team, "strengths_assessment_current")
    assert (row.numerator, row.denominator, row.value) == (3, 5, 0.6)


def test_recovery_plans_count_when_updated_in_the_last_90_days(small: Small) -> None:
    compute_indicators(day=DAY)
    row = team_value(small.team, "recovery_plan_current")
    assert (row.numerator, row.denominator, row.value) == (2, 5, 0.4)


def test_natural_resource_goals_share_of_active_goals_of_open_episodes(small: Small) -> None:
    compute_indicators(day=DAY)
    row = team_value(small.team, "natural_resource_goals")
    assert (row.numerator, row.denominator, row.value) == (2, 4, 0.5)
    assert row.domain_code == "community_resources"


def test_a_team_without_routine_data_gets_zeros_and_empty_shares(small: Small) -> None:
    compute_indicators(day=DAY)
    assert team_value(small.quiet_team, "caseload_per_worker").value == 1
    assert team_value(small.quiet_team, "community_contact_share").value is None
    assert team_value(small.quiet_team, "contacts_per_client_week").value == 0
    assert team_value(small.quiet_team, "group_supervision_weekly").value == 0
    assert team_value(small.empty_team, "caseload_per_worker").value is None
    assert team_value(small.empty_team, "caseload_per_worker").target == 30


def test_running_twice_replaces_the_days_rows(small: Small) -> None:
    first = compute_indicators(day=DAY)
    second = compute_indicators(day=DAY)
    assert first == second == IndicatorValue.objects.filter(day=DAY).count()
    # 3 teams x 8 indicators, plus worker rows: team T 2 workers x 2, quiet team 1 x 2.
    assert first == 3 * len(INDICATORS) + 4 + 2


def test_computing_some_teams_leaves_the_others_rows_alone(small: Small) -> None:
    compute_indicators(day=DAY)
    IndicatorValue.objects.filter(team=small.quiet_team).update(value=99)
    written = compute_indicators(day=DAY, team_ids=[small.team.pk])
    assert written == len(INDICATORS) + 4
    assert team_value(small.quiet_team, "caseload_per_worker").value == 99
    assert team_value(small.team, "caseload_per_worker").value == 2.5


def test_other_days_are_kept(small: Small) -> None:
    compute_indicators(day=ago(7))
    compute_indicators(day=DAY)
    assert IndicatorValue.objects.filter(day=ago(7)).exists()


def test_each_run_writes_one_audit_event(small: Small) -> None:
    before = AuditEvent.objects.count()
    compute_indicators(day=DAY)
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.object_type, event.object_id, event.actor_id) == (
        "fidelity.indicatorvalue",
        DAY.isoformat(),
        None,
    )


def test_backfill_computes_every_step_and_the_last_day(small: Small) -> None:
    backfill_indicators(start=ago(20), end=DAY, step_days=7, team_ids=[small.team.pk])
    days = set(IndicatorValue.objects.values_list("day", flat=True))
    assert days == {ago(20), ago(13), ago(6), DAY}


def test_backfill_refuses_a_step_below_one_day(small: Small) -> None:
    with pytest.raises(ValueError, match="step_days"):
        backfill_indicators(start=ago(20), end=DAY, step_days=0)


def test_backfill_refuses_an_end_before_the_start(small: Small) -> None:
    with pytest.raises(ValueError, match="end"):
        backfill_indicators(start=DAY, end=ago(1))


def busy_teams(n: int) -> None:
    for _ in range(n):
        team = TeamFactory.create()
        worker = UserFactory.create()
        for _ in range(3):
            ep = episode(team, worker, ago(40))
            assessed(ep, ago(3))
            p = plan(ep, moment(ago(4)))
            StepFactory.create(goal=GoalFactory.create(plan=p))
            contact(ep, ago(2), ContactMode.COMMUNITY)
        session(team, SupervisionKind.GROUP, ago(1), worker)
        session(team, SupervisionKind.INDIVIDUAL, ago(1), worker)


def reads_and_deletes_to_compute() -> int:
    """Queries of one run, leaving out the batched inserts (SQLite takes ~99 rows a batch)."""
    with CaptureQueriesContext(connection) as captured:
        compute_indicators(day=DAY)
    return sum(
        not q["sql"].startswith('INSERT INTO "fidelity_indicatorvalue"')
        for q in captured.captured_queries
    )


def test_the_number_of_queries_does_not_grow_with_teams_or_episodes(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # One of them reads the programmes' own indicator targets.
    busy_teams(2)
    with django_assert_max_num_queries(18):
        compute_indicators(day=DAY)
    few = reads_and_deletes_to_compute()
    busy_teams(8)
    with django_assert_max_num_queries(18):
        compute_indicators(day=DAY)
    assert reads_and_deletes_to_compute() == few
