"""Reads of alerts and the supervision agenda, narrowed to what the user may see and audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.alerts.models import AgendaItem, Alert, AlertPolicy, AlertStatus, AlertStep
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import deny_read
from tandem.orgs.models import Team
from tandem.orgs.selectors import SUPERVISING_ROLES
from tandem.practice.models import (
    Goal,
    GoalStatus,
    RecoveryPlan,
    Step,
    StepStatus,
    SupervisionKind,
    SupervisionSession,
)
from tandem.practice.selectors import plan_for


def alerts_visible_to(user: User | AnonymousUser) -> QuerySet[Alert]:
    """Alerts the user may see (not audited: callers that show them audit the read).

    A case manager sees the alerts on their own clients and those about themselves; a
    supervisor their teams'; a programme manager their programmes'. Nobody else sees any.
    """
    scope = scope_for(user)
    condition = Q(pk__in=[])
    own_teams = scope.team_ids(Role.CASE_MANAGER)
    if own_teams:
        condition |= Q(team_id__in=own_teams) & (
            Q(episode__primary_case_manager_id=user.pk) | Q(episode__isnull=True, worker_id=user.pk)
        )
    supervised = scope.team_ids(*SUPERVISING_ROLES)
    if supervised:
        condition |= Q(team_id__in=supervised)
    return Alert.objects.filter(condition)


@dataclass(frozen=True)
class AlertFilters:
    status: str = ""  # "" = unresolved, "all", or one AlertStatus
    escalated: bool = False
    rule: str = ""


def alert_list_for(user: User, filters: AlertFilters) -> list[Alert]:
    """The alerts of the list page with their team, client and worker (one query, audited)."""
    alerts = alerts_visible_to(user)
    if filters.status == "":
        alerts = alerts.exclude(status=AlertStatus.RESOLVED)
    elif filters.status != "all":
        alerts = alerts.filter(status=filters.status)
    if filters.escalated:
        alerts = alerts.filter(escalated_at__isnull=False)
    if filters.rule:
        alerts = alerts.filter(rule=filters.rule)
    record_event(actor=user, action=Action.LIST, object_type="alerts.alert", object_id="list")
    return list(
        alerts.select_related("team", "client", "worker", "episode").order_by("-opened_on", "-pk")[
            :500
        ]
    )


def get_alert_for(user: User, pk: int) -> Alert:
    """One visible alert (audited), or 404 for hidden and missing alike."""
    alert = (
        alerts_visible_to(user)
        .select_related("team__programme", "client", "worker", "episode")
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        deny_read(user, "alerts.alert", pk)
    record_event(
        actor=user, action=Action.VIEW, obj=alert, agency_id=alert.team.programme.agency_id
    )
    return alert


def steps_of(alert: Alert) -> list[AlertStep]:
    """The alert's history, oldest first, for a user already allowed to see it."""
    return list(alert.steps.select_related("actor").order_by("at", "pk"))


def agenda_items_of(alert: Alert) -> list[AgendaItem]:
    return list(
        alert.agenda_items.select_related("added_by", "decided_by", "session").order_by(
            "added_at", "pk"
        )
    )


def open_alerts_by_episode(episode_ids: Iterable[int]) -> dict[int, list[Alert]]:
    """Unresolved alerts per episode id, newest first (one query).

    For callers that have already narrowed ``episode_ids`` to what their user may see.
    """
    found: dict[int, list[Alert]] = defaultdict(list)
    for alert in (
        Alert.objects.filter(episode_id__in=list(episode_ids))
        .exclude(status=AlertStatus.RESOLVED)
        .order_by("-opened_on", "-pk")
    ):
        if alert.episode_id is not None:
            found[alert.episode_id].append(alert)
    return dict(found)


# ---- the supervision agenda --------------------------------------------------------------------
@dataclass
class PlanSummary:
    """What the supervisor reads beside an agenda item: the client's recovery plan in short."""

    plan: RecoveryPlan | None
    active_goals: list[Goal] = field(default_factory=list)
    next_steps: list[Step] = field(default_factory=list)


@dataclass
class AgendaEntry:
    item: AgendaItem
    plan: PlanSummary | None  # None for alerts about a worker or the team


def _summary(user: User, alert: Alert) -> PlanSummary | None:
    if alert.episode is None:
        return None
    plan = plan_for(user, alert.episode)  # audited as a read of the client's record
    if plan is None:
        return PlanSummary(None)
    goals = [goal for goal in plan.goals.all() if goal.status == GoalStatus.ACTIVE]
    steps = sorted(
        (step for goal in goals for step in goal.steps.all() if step.status == StepStatus.PLANNED),
        key=lambda step: (step.due_on, step.pk),
    )
    return PlanSummary(plan, goals, steps[:5])


def agenda_for(user: User, team: Team) -> dict[str, list[AgendaEntry]]:
    """Pending agenda items of a team the user supervises, by supervision kind."""
    if team.pk not in scope_for(user).team_ids(*SUPERVISING_ROLES):
        deny_read(user, "orgs.team", team.pk)
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="alerts.agendaitem",
        object_id=f"team:{team.pk}",
        agency_id=team.programme.agency_id,
    )
    items = (
        AgendaItem.objects.filter(team=team, decided_at__isnull=True)
        .select_related("alert__client", "alert__worker", "alert__episode__client", "added_by")
        .order_by("added_at", "pk")
    )
    found: dict[str, list[AgendaEntry]] = {kind: [] for kind in SupervisionKind.values}
    summaries: dict[int | None, PlanSummary | None] = {}
    for item in items:
        episode_id = item.alert.episode_id
        if episode_id not in summaries:
            summaries[episode_id] = _summary(user, item.alert)
        found[item.kind].append(AgendaEntry(item, summaries[episode_id]))
    return found


def get_agenda_item_for(user: User, team: Team, pk: int) -> AgendaItem:
    """A pending or decided agenda item of a team the user supervises; 404 otherwise."""
    item = (
        AgendaItem.objects.filter(
            pk=pk, team=team, team_id__in=scope_for(user).team_ids(*SUPERVISING_ROLES)
        )
        .select_related("alert__team__programme", "alert__episode")
        .first()
    )
    if item is None:
        deny_read(user, "alerts.agendaitem", pk)
    return item


def sessions_of(team: Team, limit: int = 20) -> QuerySet[SupervisionSession]:
    """Recent supervision sessions of a team, for linking a decision to where it was taken.

    Not sliced itself (a form's choice field filters it again), only narrowed to the latest ids.
    """
    latest = list(
        SupervisionSession.objects.filter(team=team)
        .order_by("-held_on", "-pk")
        .values_list("pk", flat=True)[:limit]
    )
    return SupervisionSession.objects.filter(pk__in=latest).order_by("-held_on", "-pk")


# ---- thresholds ---------------------------------------------------------------------------------
def alert_policy_for(programme_id: int | None) -> AlertPolicy:
    """The programme's stored thresholds, or an unsaved row of the defaults (rprs, mcas)."""
    if programme_id is None:
        return AlertPolicy()
    found = AlertPolicy.objects.filter(programme_id=programme_id).first()
    return found if found is not None else AlertPolicy(programme_id=programme_id)
