"""Reads of supervision advice, narrowed to what the user may see and audited.

A supervisor reads every session of the teams they supervise. Anyone else who may open a
client (their case manager) reads the sessions where that client was presented, and in them
only the presentations and agreed actions of clients they may open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from tandem.accounts.access import scope_for
from tandem.accounts.models import Membership, Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode, EpisodeStatus
from tandem.clients.selectors import episodes_visible_to
from tandem.core.access import deny_read
from tandem.practice.models import (
    AgreedAction,
    AgreedActionStatus,
    ClientPresentation,
    DomainEntry,
    Goal,
    GoalStatus,
    LifeDomain,
    RecoveryPlan,
    Step,
    StepStatus,
    StrengthsAssessment,
    SupervisionKind,
    SupervisionSession,
)

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
NEXT_STEPS_SHOWN = 5


def supervises(user: User, team_id: int) -> bool:
    """Whether the user supervises the team (and so runs its sessions)."""
    return team_id in scope_for(user).team_ids(*SUPERVISING_ROLES)


def _visible_client_ids(user: User) -> QuerySet[Episode, Any]:
    return episodes_visible_to(user).values("client_id")


def sessions_visible_to(user: User) -> QuerySet[SupervisionSession]:
    """Sessions of the teams the user supervises, and those where a client of theirs was
    presented."""
    presented = ClientPresentation.objects.filter(
        session_id=OuterRef("pk"), client_id__in=_visible_client_ids(user)
    )
    return SupervisionSession.objects.filter(
        Q(team_id__in=scope_for(user).team_ids(*SUPERVISING_ROLES)) | Exists(presented)
    )


def owners_for_session(session: SupervisionSession) -> QuerySet[User]:
    """Who may own an action agreed in the session: the team's members and its supervisor."""
    members = Membership.objects.filter(team_id=session.team_id).values("user_id")
    return User.objects.filter(
        Q(pk__in=members) | Q(pk=session.supervisor_id), is_active=True
    ).order_by("full_name", "pk")


def presentable_episodes(user: User, session: SupervisionSession) -> QuerySet[Episode]:
    """Open episodes of the session's team to choose whom to present; in individual
    supervision only those of the worker being supervised."""
    episodes = episodes_visible_to(user).filter(team_id=session.team_id, status=EpisodeStatus.OPEN)
    if session.kind == SupervisionKind.INDIVIDUAL:
        episodes = episodes.filter(primary_case_manager__in=session.attendees.values("pk"))
    return episodes.select_related("client", "primary_case_manager").order_by(
        "client__family_name", "client__given_name", "pk"
    )


# ---- a session's presentations with their agreed actions ----------------------------------------
@dataclass(frozen=True)
class PresentationEntry:
    presentation: ClientPresentation
    actions: list[AgreedAction] = field(default_factory=list)


def presentations_with_actions(user: User, session: SupervisionSession) -> list[PresentationEntry]:
    """The session's presentations the user may read, each with its agreed actions (two
    queries); the session itself was read through ``get_session_for``."""
    presentations = session.presentations.select_related("client", "presenter").order_by("pk")
    if not supervises(user, session.team_id):
        presentations = presentations.filter(client_id__in=_visible_client_ids(user))
    found = list(presentations)
    by_client: dict[int, list[AgreedAction]] = {p.client_id: [] for p in found}
    for action in (
        AgreedAction.objects.filter(session=session, client_id__in=list(by_client))
        .select_related("owner")
        .order_by("due_on", "pk")
    ):
        by_client[action.client_id].append(action)
    return [PresentationEntry(p, by_client[p.client_id]) for p in found]


def presented_clients(entries: list[PresentationEntry]) -> QuerySet[Client]:
    """The clients of presentations already read, as choices for another agreed action."""
    return Client.objects.filter(pk__in=[e.presentation.client_id for e in entries])


def _actions_reachable_by(user: User) -> QuerySet[AgreedAction]:
    """Actions of the sessions the user supervises, and the user's own on clients they may
    open (an owner who lost the client loses the action with it)."""
    return AgreedAction.objects.filter(
        Q(session__team_id__in=scope_for(user).team_ids(*SUPERVISING_ROLES))
        | Q(owner=user, client_id__in=_visible_client_ids(user))
    )


def get_agreed_action_for(user: User, pk: int) -> AgreedAction:
    """An action of a session the user supervises, or their own (audited); 404 otherwise."""
    action = (
        _actions_reachable_by(user)
        .filter(pk=pk)
        .select_related("session__team__programme", "client", "owner")
        .first()
    )
    if action is None:
        deny_read(user, "practice.agreedaction", pk)
    record_event(actor=user, action=Action.VIEW, obj=action, agency_id=action.client.agency_id)
    return action


def get_closable_action_for(user: User, pk: int) -> AgreedAction:
    """An action the user may mark done or reopen (as ``get_agreed_action_for``, the write
    itself audited); 404 otherwise."""
    action = (
        _actions_reachable_by(user)
        .filter(pk=pk)
        .select_related("session__team", "client", "owner")
        .first()
    )
    if action is None:
        deny_read(user, "practice.agreedaction", pk)
    return action


def may_close(user: User, action: AgreedAction) -> bool:
    """Whether the user may mark this action done (the service checks again)."""
    return action.owner_id == user.pk or supervises(user, action.session.team_id)


def action_history(action: AgreedAction) -> list[tuple[object, object]]:
    """Each change of the action beside the state before it (``None`` for the first)."""
    changes = list(
        action.changes.select_related("changed_by", "owner").order_by("changed_at", "pk")
    )
    return list(zip(changes, [None, *changes][: len(changes)], strict=True))


# ---- "from supervision": the client's page and the case manager's home ---------------------------
@dataclass(frozen=True)
class SupervisionAdvice:
    suggestions: list[ClientPresentation]
    open_actions: list[AgreedAction]


def supervision_advice_for(user: User, client: Client, limit: int = 3) -> SupervisionAdvice:
    """The group's latest suggestions about the client and the actions still open (audited)."""
    if not episodes_visible_to(user).filter(client=client).exists():
        deny_read(user, "practice.agreedaction", f"client:{client.pk}")
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="practice.agreedaction",
        object_id=f"client:{client.pk}",
        agency_id=client.agency_id,
    )
    suggestions = list(
        ClientPresentation.objects.filter(client=client)
        .select_related("session__team", "presenter")
        .order_by("-session__held_on", "-pk")[:limit]
    )
    actions = list(
        AgreedAction.objects.filter(client=client, status=AgreedActionStatus.OPEN)
        .select_related("owner", "session")
        .order_by("due_on", "pk")
    )
    return SupervisionAdvice(suggestions, actions)


def open_actions_owned_by(user: User) -> list[AgreedAction]:
    """The user's own open agreed actions on clients they may open, soonest due (so overdue)
    first. Audited when there is something to read: an empty list shows nobody's record."""
    actions = list(
        AgreedAction.objects.filter(
            owner=user, status=AgreedActionStatus.OPEN, client_id__in=_visible_client_ids(user)
        )
        .select_related("client", "session")
        .order_by("due_on", "pk")
    )
    if actions:
        record_event(
            actor=user, action=Action.LIST, object_type="practice.agreedaction", object_id="owner"
        )
    return actions


def open_actions_of_team(user: User, team_id: int, agency_id: int) -> list[AgreedAction]:
    """Actions agreed in a team's sessions and still open, soonest due (so overdue) first."""
    if not supervises(user, team_id):
        deny_read(user, "practice.agreedaction", f"team:{team_id}")
    actions = list(
        AgreedAction.objects.filter(session__team_id=team_id, status=AgreedActionStatus.OPEN)
        .select_related("client", "owner")
        .order_by("due_on", "pk")
    )
    if actions:
        record_event(
            actor=user,
            action=Action.LIST,
            object_type="practice.agreedaction",
            object_id=f"team:{team_id}",
            agency_id=agency_id,
        )
    return actions


# ---- what the supervisor reads beside the presentation form -------------------------------------
@dataclass(frozen=True)
class PresentingSummary:
    """The client's strengths and recovery plan in short, read while they are presented."""

    episode: Episode
    assessed_on: date | None
    strengths: list[DomainEntry]
    vision: str
    goals: list[Goal]
    next_steps: list[Step]


def presenting_summary_for(
    user: User, session: SupervisionSession, episode_pk: int
) -> PresentingSummary:
    """A presentable client's latest Strengths Assessment and plan (audited reads); 404 for
    a client who may not be presented in this session."""
    episode = presentable_episodes(user, session).filter(pk=episode_pk).first()
    if episode is None or not supervises(user, session.team_id):
        deny_read(user, "clients.episode", episode_pk)
    agency_id = episode.client.agency_id
    assessment = (
        StrengthsAssessment.objects.filter(client_id=episode.client_id)
        .prefetch_related("entries")
        .order_by("-assessed_on", "-pk")
        .first()
    )
    plan = RecoveryPlan.objects.filter(episode=episode).prefetch_related("goals__steps").first()
    strengths: list[DomainEntry] = []
    if assessment is not None:
        record_event(actor=user, action=Action.VIEW, obj=assessment, agency_id=agency_id)
        order = {domain: i for i, domain in enumerate(LifeDomain.values)}
        strengths = sorted(
            (
                e
                for e in assessment.entries.all()
                if e.wants or e.current_status or e.past_resources
            ),
            key=lambda e: order.get(e.domain, len(order)),
        )
    goals: list[Goal] = []
    if plan is not None:
        record_event(actor=user, action=Action.VIEW, obj=plan, agency_id=agency_id)
        goals = [g for g in plan.goals.all() if g.status == GoalStatus.ACTIVE]
    steps = sorted(
        (s for g in goals for s in g.steps.all() if s.status == StepStatus.PLANNED),
        key=lambda s: (s.due_on, s.pk),
    )
    return PresentingSummary(
        episode=episode,
        assessed_on=assessment.assessed_on if assessment else None,
        strengths=strengths,
        vision=plan.vision if plan else "",
        goals=goals,
        next_steps=steps[:NEXT_STEPS_SHOWN],
    )
