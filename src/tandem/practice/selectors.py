"""Reads of daily practice, narrowed to what the user may see and audited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tandem.accounts.access import scope_for
from tandem.accounts.models import Membership, Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode, EpisodeStatus
from tandem.clients.selectors import episodes_visible_to
from tandem.core import listing
from tandem.core.access import deny_read
from tandem.orgs.models import Team
from tandem.practice.models import (
    ClientPresentation,
    CommunityResource,
    Contact,
    ContactMode,
    Goal,
    GoalStatus,
    RecoveryPlan,
    Step,
    StepStatus,
    StrengthsAssessment,
    SupervisionSession,
)
from tandem.practice.supervision.selectors import sessions_visible_to

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


def current_episode_for(user: User, client: Client) -> Episode | None:
    """The client's latest open episode the user may see (practice records hang on it)."""
    return (
        episodes_visible_to(user)
        .filter(client=client, status=EpisodeStatus.OPEN)
        .select_related("client", "programme", "team", "primary_case_manager")
        .order_by("-start_date", "-pk")
        .first()
    )


def assessments_for(user: User, client: Client) -> list[StrengthsAssessment]:
    """Every version of the client's Strengths Assessment, newest first, with their entries."""
    if not episodes_visible_to(user).filter(client=client).exists():
        deny_read(user, "practice.strengthsassessment", f"client:{client.pk}")
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="practice.strengthsassessment",
        object_id=f"client:{client.pk}",
        agency_id=client.agency_id,
    )
    return list(
        StrengthsAssessment.objects.filter(client=client)
        .select_related("author")
        .prefetch_related("entries")
        .order_by("-assessed_on", "-pk")
    )


def plan_for(user: User, episode: Episode) -> RecoveryPlan | None:
    """The episode's recovery plan with goals, steps and their resources (constant queries)."""
    if not episodes_visible_to(user).filter(pk=episode.pk).exists():
        deny_read(user, "practice.recoveryplan", f"episode:{episode.pk}")
    plan = (
        RecoveryPlan.objects.filter(episode=episode)
        .select_related("updated_by")
        .prefetch_related("goals__steps__resource")
        .first()
    )
    if plan is not None:
        record_event(actor=user, action=Action.VIEW, obj=plan, agency_id=episode.client.agency_id)
    return plan


def get_step_for(user: User, pk: int) -> Step:
    """One step of a recovery plan in an episode the user may open; an audited 404 otherwise."""
    step = (
        Step.objects.filter(pk=pk, goal__plan__episode__in=episodes_visible_to(user))
        .select_related("goal__plan__episode__client")
        .first()
    )
    if step is None:
        deny_read(user, "practice.step", pk)
    return step


def get_goal_for(user: User, pk: int) -> Goal:
    """One goal of a recovery plan in an episode the user may open; an audited 404 otherwise."""
    goal = (
        Goal.objects.filter(pk=pk, plan__episode__in=episodes_visible_to(user))
        .select_related("plan__episode__client")
        .first()
    )
    if goal is None:
        deny_read(user, "practice.goal", pk)
    return goal


def goals_and_steps_of(plan: RecoveryPlan | None) -> tuple[QuerySet[Goal], QuerySet[Step]]:
    """Choices for forms on a plan already read through ``plan_for``."""
    if plan is None:
        return Goal.objects.none(), Step.objects.none()
    return (
        Goal.objects.filter(plan=plan).order_by("created_at", "pk"),
        Step.objects.filter(goal__plan=plan).order_by("due_on", "pk"),
    )


def recent_contacts_for(user: User, client: Client, limit: int = 20) -> list[Contact]:
    if not episodes_visible_to(user).filter(client=client).exists():
        deny_read(user, "practice.contact", f"client:{client.pk}")
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="practice.contact",
        object_id=f"client:{client.pk}",
        agency_id=client.agency_id,
    )
    return list(
        Contact.objects.filter(client=client)
        .select_related("worker")
        .prefetch_related("goals", "steps")
        .order_by("-occurred_on", "-pk")[:limit]
    )


# ---- figures for the caseload -------------------------------------------------------------------
def with_practice_facts(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """Annotate each episode with its last contact, goals achieved and next step due (one query).

    The episodes are already narrowed to the user by the caller's selector.
    """
    last_contact = (
        Contact.objects.filter(episode_id=OuterRef("pk"))
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )
    achieved = (
        Goal.objects.filter(plan__episode_id=OuterRef("pk"), status=GoalStatus.ACHIEVED)
        .order_by()
        .values("plan__episode_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    next_due = (
        Step.objects.filter(goal__plan__episode_id=OuterRef("pk"), status=StepStatus.PLANNED)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return episodes.annotate(
        last_contact_on=Subquery(last_contact),
        goals_achieved=Coalesce(Subquery(achieved), 0),
        next_step_due_on=Subquery(next_due),
    )


# Sort keys of the caseload, the first the default: who has waited longest for a contact, and
# whose next step falls due first, are the questions a case manager starts the day with.
CASELOAD_SORTS = {
    "name": ("client__family_name", "client__given_name", "pk"),
    "last_contact": (F("last_contact_on").asc(nulls_first=True), "pk"),
    "next_due": (F("next_step_due_on").asc(nulls_last=True), "pk"),
}
# A client without a contact for this many days is shown by the "no recent contact" filter.
RECENT_CONTACT_DAYS = 14


def caseload_matching(
    episodes: QuerySet[Episode],
    *,
    today: date,
    search: str = "",
    programme_id: int | None = None,
    only: str | None = None,
    sort: str = "name",
) -> list[Episode]:
    """A caseload already read through ``caseload_for`` and ``with_practice_facts``, narrowed.

    ``only`` is ``"no_recent_contact"`` (none in ``RECENT_CONTACT_DAYS`` days, or never) or
    ``"near_end"`` (a time-limited episode within two weeks of its end).
    """
    episodes = listing.search(
        episodes, search, ["client__given_name", "client__family_name", "client__preferred_name"]
    )
    if programme_id is not None:
        episodes = episodes.filter(programme_id=programme_id)
    if only == "no_recent_contact":
        since = today - timedelta(days=RECENT_CONTACT_DAYS)
        episodes = episodes.filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=since))
    found = list(episodes.order_by(*CASELOAD_SORTS[sort]))
    if only == "near_end":
        # The limit depends on the programme's model: decided per episode, on a short list.
        found = [e for e in found if e.is_near_end(today)]
    return found


def next_steps_for(episodes: Iterable[Episode]) -> dict[int, Step]:
    """Per episode id, the planned step due soonest (one query)."""
    ids = [e.pk for e in episodes]
    found: dict[int, Step] = {}
    for step in (
        Step.objects.filter(goal__plan__episode_id__in=ids, status=StepStatus.PLANNED)
        .select_related("goal__plan")
        .order_by("due_on", "pk")
    ):
        found.setdefault(step.goal.plan.episode_id, step)
    return found


# ---- contact figures (fidelity indicators from routine data) ------------------------------------
@dataclass(frozen=True)
class ContactFigures:
    contacts: int
    community_contacts: int
    clients: int
    weeks: float

    @property
    def community_share(self) -> float | None:
        return None if self.contacts == 0 else self.community_contacts / self.contacts

    @property
    def per_client_per_week(self) -> float | None:
        if self.clients == 0 or self.weeks <= 0:
            return None
        return self.contacts / self.clients / self.weeks


def _figures(contacts: QuerySet[Contact], clients: int, days: int) -> ContactFigures:
    row = contacts.aggregate(
        n=Count("pk"), community=Count("pk", filter=Q(mode=ContactMode.COMMUNITY))
    )
    return ContactFigures(row["n"], row["community"], clients, days / 7)


def contact_figures_for_worker(worker: User, *, today: date, days: int = 28) -> ContactFigures:
    """A worker's share of community contacts and contacts per client per week (own caseload)."""
    since = today - timedelta(days=days)
    clients = Episode.objects.filter(primary_case_manager=worker, status=EpisodeStatus.OPEN).count()
    return _figures(
        Contact.objects.filter(worker=worker, occurred_on__gt=since, occurred_on__lte=today),
        clients,
        days,
    )


def contact_figures_for_team(
    user: User, team: Team, *, today: date, days: int = 28
) -> ContactFigures:
    """The team's figures over the window; the team must be one the user supervises."""
    if team.pk not in scope_for(user).team_ids(*SUPERVISING_ROLES):
        deny_read(user, "orgs.team", team.pk)
    since = today - timedelta(days=days)
    clients = Episode.objects.filter(team=team, status=EpisodeStatus.OPEN).count()
    return _figures(
        Contact.objects.filter(episode__team=team, occurred_on__gt=since, occurred_on__lte=today),
        clients,
        days,
    )


def goals_achieved_by_worker(team: Team) -> dict[int, int]:
    """Goals achieved per primary case manager, over the team's episodes."""
    rows = (
        Goal.objects.filter(status=GoalStatus.ACHIEVED, plan__episode__team=team)
        .order_by()
        .values("plan__episode__primary_case_manager_id")
        .annotate(n=Count("pk"))
    )
    return {r["plan__episode__primary_case_manager_id"]: r["n"] for r in rows}


# ---- community resources ------------------------------------------------------------------------
def resources_for(user: User) -> QuerySet[CommunityResource]:
    """The directory of the user's agencies (no personal data)."""
    return CommunityResource.objects.filter(agency_id__in=scope_for(user).agency_ids).order_by(
        "name", "pk"
    )


# ---- supervision --------------------------------------------------------------------------------
def supervised_teams_for(user: User) -> QuerySet[Team]:
    return (
        Team.objects.filter(pk__in=scope_for(user).team_ids(*SUPERVISING_ROLES))
        .select_related("programme")
        .order_by("programme__name", "name")
    )


def get_session_for(user: User, pk: int) -> SupervisionSession:
    """A session of a team the user supervises, or where a client of theirs was presented."""
    session = (
        sessions_visible_to(user)
        .filter(pk=pk)
        .select_related("team__programme", "supervisor")
        .first()
    )
    if session is None:
        deny_read(user, "practice.supervisionsession", pk)
    record_event(
        actor=user, action=Action.VIEW, obj=session, agency_id=session.team.programme.agency_id
    )
    return session


@dataclass(frozen=True)
class SupervisionOverview:
    team: Team
    last_supervision: Sequence[tuple[User, date | None]]
    never_presented: list[Episode]
    sessions: Sequence[SupervisionSession]


def supervision_overview_for(user: User, team: Team) -> SupervisionOverview:
    """When each case manager last had supervision, and open clients never presented."""
    if team.pk not in scope_for(user).team_ids(*SUPERVISING_ROLES):
        deny_read(user, "practice.supervisionsession", f"team:{team.pk}")
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="practice.supervisionsession",
        object_id=f"team:{team.pk}",
        agency_id=team.programme.agency_id,
    )
    workers = list(
        User.objects.filter(
            pk__in=Membership.objects.filter(team=team, role=Role.CASE_MANAGER).values("user_id")
        )
        .annotate(
            last=Max(
                "supervision_sessions__held_on",
                filter=Q(supervision_sessions__team=team),
            )
        )
        .order_by("full_name", "pk")
    )
    presented = ClientPresentation.objects.filter(session__team=team).values("client_id")
    never = list(
        episodes_visible_to(user)
        .filter(team=team, status=EpisodeStatus.OPEN)
        .exclude(client_id__in=presented)
        .select_related("client", "primary_case_manager")
        .order_by("start_date", "pk")
    )
    sessions = list(
        SupervisionSession.objects.filter(team=team)
        .annotate(n_presented=Count("presentations"))
        .order_by("-held_on", "-pk")[:10]
    )
    last = [(w, w.last) for w in workers]
    return SupervisionOverview(team, last, never, sessions)


def team_members_of(teams: QuerySet[Team]) -> QuerySet[User]:
    """Active members of these teams, for choosing supervision attendees."""
    return User.objects.filter(
        pk__in=Membership.objects.filter(team__in=teams).values("user_id"), is_active=True
    ).order_by("full_name", "pk")
