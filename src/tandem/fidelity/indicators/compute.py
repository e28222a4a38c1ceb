"""Computing the continuous fidelity indicators of every team for one day, set-based.

Six aggregate queries (teams, open episodes, goals, contacts, group and individual supervision)
answer for all teams at once, grouped by team and worker; nothing is queried per team, worker or
episode, so the nightly run costs the same handful of queries for one team or a thousand.

An episode is open on a day when it started on or before that day and had not ended by it
(``end_date`` empty or later). Windows end on the day itself and include it: the last 28 days
for contacts and supervision (four weeks, each week ending on the same weekday as the day), the
last 90 days for a Strengths Assessment or recovery plan to count as current.

For past days (``backfill_indicators``) the routine data answers only as it stands now: a
recovery plan keeps only its latest ``updated_at``, and a goal its current status (an achieved
goal counts as active before its ``achieved_on``; a goal set aside has no date and is left out).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Episode
from tandem.fidelity.indicators import definitions as d
from tandem.fidelity.indicators.targets import resolve, targets_by_programme
from tandem.fidelity.models import IndicatorValue
from tandem.orgs.models import Team
from tandem.practice.models import (
    Contact,
    ContactMode,
    ContactWith,
    Goal,
    GoalStatus,
    Step,
    StrengthsAssessment,
    SupervisionKind,
    SupervisionSession,
)

if TYPE_CHECKING:
    from tandem.accounts.models import User


@dataclass
class _TeamFacts:
    """What the aggregate queries found for one team on the day."""

    caseload_target: int
    # The programme's own targets by indicator code (the others take their default).
    own_targets: dict[str, float] = field(default_factory=dict)
    caseload_by_worker: dict[int, int] = field(default_factory=dict)
    strengths_current: int = 0
    plans_current: int = 0
    active_goals: int = 0
    goals_with_resource: int = 0
    contacts: int = 0
    client_contacts: int = 0
    community_contacts: int = 0
    group_weeks: set[int] = field(default_factory=set)
    individual_by_worker: dict[int, int] = field(default_factory=dict)

    @property
    def open_episodes(self) -> int:
        return sum(self.caseload_by_worker.values())


def compute_indicators(
    *, day: date, team_ids: Iterable[int] | None = None, actor: User | None = None
) -> int:
    """Replace every indicator value of ``day`` for the teams (all teams when None).

    Returns the number of rows written. Safe to run twice: the day's rows of those teams are
    deleted and written again in one transaction, with one audit event (``actor`` is None for
    the nightly task).
    """
    wanted = None if team_ids is None else sorted(set(team_ids))
    facts, agency_ids = _gather(day, wanted)
    rows = list(_rows(day, facts))
    with transaction.atomic():
        # Two runs for the same teams and day (a refresh during the nightly run) take turns
        # here, so the second replaces the first's rows instead of colliding with them.
        list(
            Team.objects.filter(pk__in=list(facts)).order_by("pk").select_for_update().values("pk")
        )
        stale = IndicatorValue.objects.filter(day=day)
        if wanted is not None:
            stale = stale.filter(team_id__in=wanted)
        stale.delete()
        IndicatorValue.objects.bulk_create(rows, batch_size=500)
        record_event(
            actor=actor,
            action=Action.UPDATE,
            object_type="fidelity.indicatorvalue",
            object_id=day.isoformat(),
            agency_id=next(iter(agency_ids)) if len(agency_ids) == 1 else None,
        )
    return len(rows)


def backfill_indicators(
    *, start: date, end: date, step_days: int = 7, team_ids: Iterable[int] | None = None
) -> int:
    """Compute the indicators every ``step_days`` days from ``start`` to ``end`` (inclusive).

    ``end`` is always computed, even when the steps do not land on it. Returns the rows written.
    """
    if step_days < 1:
        raise ValueError(f"step_days must be a whole number of days of at least 1: {step_days!r}")
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    wanted = None if team_ids is None else sorted(set(team_ids))
    days = [start + timedelta(days=n) for n in range(0, (end - start).days + 1, step_days)]
    if days[-1] != end:
        days.append(end)
    return sum(compute_indicators(day=day, team_ids=wanted) for day in days)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _gather(day: date, team_ids: list[int] | None) -> tuple[dict[int, _TeamFacts], set[int]]:
    teams = Team.objects.all()
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    facts: dict[int, _TeamFacts] = {}
    agency_ids: set[int] = set()
    rows = list(
        teams.values_list(
            "pk", "programme__caseload_target", "programme__agency_id", "programme_id"
        )
    )
    own = targets_by_programme({programme_id for *_rest, programme_id in rows})
    for pk, target, agency_id, programme_id in rows:
        facts[pk] = _TeamFacts(caseload_target=target, own_targets=own.get(programme_id, {}))
        agency_ids.add(agency_id)
    if not facts:
        return facts, agency_ids

    def in_teams(field_name: str) -> Q:
        return Q() if team_ids is None else Q(**{f"{field_name}__in": team_ids})

    window_start = day - timedelta(days=d.CONTACT_WINDOW_DAYS - 1)
    current_since = day - timedelta(days=d.CURRENT_WITHIN_DAYS - 1)
    day_ends = _day_start(day + timedelta(days=1))

    def open_on_day(prefix: str = "") -> Q:
        return Q(**{f"{prefix}start_date__lte": day}) & (
            Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day})
        )

    strengths_current = Exists(
        StrengthsAssessment.objects.filter(
            episode=OuterRef("pk"), assessed_on__gte=current_since, assessed_on__lte=day
        )
    )
    plan_current = Q(
        recovery_plan__updated_at__gte=_day_start(current_since),
        recovery_plan__updated_at__lt=day_ends,
    )
    episodes = (
        Episode.objects.filter(open_on_day(), in_teams("team_id"))
        .values("team_id", "primary_case_manager_id")
        .annotate(
            n=Count("pk"),
            n_strengths=Count("pk", filter=strengths_current),
            n_plans=Count("pk", filter=plan_current),
        )
        .order_by()
    )
    for row in episodes:
        team = facts.get(row["team_id"])
        if team is None:
            continue
        team.caseload_by_worker[row["primary_case_manager_id"]] = row["n"]
        team.strengths_current += row["n_strengths"]
        team.plans_current += row["n_plans"]

    goals = (
        Goal.objects.filter(
            open_on_day("plan__episode__"),
            in_teams("plan__episode__team_id"),
            Q(status=GoalStatus.ACTIVE) | Q(status=GoalStatus.ACHIEVED, achieved_on__gt=day),
            created_at__lt=day_ends,
        )
        .values("plan__episode__team_id")
        .annotate(
            n=Count("pk"),
            n_resource=Count(
                "pk",
                filter=Exists(Step.objects.filter(goal=OuterRef("pk"), resource_id__isnull=False)),
            ),
        )
        .order_by()
    )
    for goal_row in goals:
        team = facts.get(goal_row["plan__episode__team_id"])
        if team is not None:
            team.active_goals = goal_row["n"]
            team.goals_with_resource = goal_row["n_resource"]

    with_client = Q(with_whom=ContactWith.CLIENT)
    contacts = (
        Contact.objects.filter(
            in_teams("episode__team_id"), occurred_on__gte=window_start, occurred_on__lte=day
        )
        .values("episode__team_id")
        .annotate(
            n=Count("pk"),
            n_client=Count("pk", filter=with_client),
            n_community=Count("pk", filter=with_client & Q(mode=ContactMode.COMMUNITY)),
        )
        .order_by()
    )
    for contact_row in contacts:
        team = facts.get(contact_row["episode__team_id"])
        if team is not None:
            team.contacts = contact_row["n"]
            team.client_contacts = contact_row["n_client"]
            team.community_contacts = contact_row["n_community"]

    sessions = (
        SupervisionSession.objects.filter(
            in_teams("team_id"),
            kind=SupervisionKind.GROUP,
            held_on__gte=window_start,
            held_on__lte=day,
        )
        .values_list("team_id", "held_on")
        .distinct()
        .order_by()
    )
    for team_id, held_on in sessions:
        if team_id in facts:
            # Week 0 is the seven days ending on the day, week 3 the earliest.
            facts[team_id].group_weeks.add((day - held_on).days // 7)

    attendance = SupervisionSession.attendees.through.objects.filter(
        in_teams("supervisionsession__team_id"),
        supervisionsession__kind=SupervisionKind.INDIVIDUAL,
        supervisionsession__held_on__gte=window_start,
        supervisionsession__held_on__lte=day,
    )
    for attended in (
        attendance.values("supervisionsession__team_id", "user_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        team = facts.get(attended["supervisionsession__team_id"])
        if team is not None:
            team.individual_by_worker[attended["user_id"]] = attended["n"]
    return facts, agency_ids


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _rows(day: date, facts: dict[int, _TeamFacts]) -> Iterator[IndicatorValue]:
    def value(
        team_id: int,
        code: str,
        numerator: float,
        denominator: float,
        *,
        worker_id: int | None = None,
    ) -> IndicatorValue:
        definition = d.get_indicator(code)
        target = resolve(definition, facts[team_id].caseload_target, facts[team_id].own_targets)
        return IndicatorValue(
            team_id=team_id,
            worker_id=worker_id,
            day=day,
            code=code,
            domain_code=definition.domain_code,
            value=_ratio(numerator, denominator),
            numerator=numerator,
            denominator=denominator,
            target=target,
        )

    for team_id, team in facts.items():
        workers = team.caseload_by_worker
        open_episodes = team.open_episodes
        yield value(team_id, d.CASELOAD_PER_WORKER, open_episodes, len(workers))
        for worker_id, count in workers.items():
            yield value(
                team_id,
                d.CASELOAD_PER_WORKER,
                count,
                1,
                worker_id=worker_id,
            )
        yield value(
            team_id, d.COMMUNITY_CONTACT_SHARE, team.community_contacts, team.client_contacts
        )
        # Denominator in client-weeks: open clients times the four weeks of the window.
        weeks = d.CONTACT_WINDOW_DAYS / 7
        yield value(team_id, d.CONTACTS_PER_CLIENT_WEEK, team.contacts, open_episodes * weeks)
        yield value(team_id, d.GROUP_SUPERVISION_WEEKLY, len(team.group_weeks), d.SUPERVISION_WEEKS)
        attended = {worker_id: team.individual_by_worker.get(worker_id, 0) for worker_id in workers}
        yield value(
            team_id, d.INDIVIDUAL_SUPERVISION_PER_WORKER, sum(attended.values()), len(workers)
        )
        for worker_id, sessions in attended.items():
            yield value(
                team_id, d.INDIVIDUAL_SUPERVISION_PER_WORKER, sessions, 1, worker_id=worker_id
            )
        yield value(team_id, d.STRENGTHS_ASSESSMENT_CURRENT, team.strengths_current, open_episodes)
        yield value(team_id, d.RECOVERY_PLAN_CURRENT, team.plans_current, open_episodes)
        yield value(team_id, d.NATURAL_RESOURCE_GOALS, team.goals_with_resource, team.active_goals)
