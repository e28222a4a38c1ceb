"""Writes of daily practice: permission check, validation and audit in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode, EpisodeStatus
from tandem.clients.selectors import episodes_visible_to
from tandem.measures.services import create_contact_administrations
from tandem.orgs.models import Agency, Team
from tandem.practice.models import (
    ClientPresentation,
    CommunityResource,
    Contact,
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
from tandem.practice.supervision.services import create_agreed_action

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
DOMAIN_FIELDS = ("current_status", "wants", "past_resources", "own_words")


class PlanChangedError(Exception):
    """The recovery plan was saved by someone else since the form was opened."""


def _require_open_episode(actor: User, episode: Episode) -> None:
    """Clinical writes need an open episode whose client the actor may open."""
    if not episodes_visible_to(actor).filter(pk=episode.pk).exists():
        raise PermissionDenied
    if not episode.is_open:
        raise ValidationError(_("This episode is closed."))


def _audit(actor: User, action: Action, obj: Any, agency_id: int) -> None:
    record_event(actor=actor, action=action, obj=obj, agency_id=agency_id)


# ---- Strengths Assessment -----------------------------------------------------------------------
def record_strengths_assessment(
    *,
    actor: User,
    episode: Episode,
    assessed_on: date,
    entries: dict[str, dict[str, str]],
) -> StrengthsAssessment:
    """Save a new dated version of the assessment; earlier versions stay as history."""
    _require_open_episode(actor, episode)
    unknown = set(entries) - set(LifeDomain.values)
    if unknown:
        raise ValidationError(_("Unknown life domain: %s") % ", ".join(sorted(unknown)))
    assessment = StrengthsAssessment(
        client_id=episode.client_id, episode=episode, assessed_on=assessed_on, author=actor
    )
    assessment.full_clean()
    with transaction.atomic():
        assessment.save()
        DomainEntry.objects.bulk_create(
            DomainEntry(
                assessment=assessment,
                domain=domain,
                **{name: entries.get(domain, {}).get(name, "") for name in DOMAIN_FIELDS},
            )
            for domain in LifeDomain.values
        )
        _audit(actor, Action.CREATE, assessment, episode.client.agency_id)
    return assessment


# ---- Personal Recovery Plan ---------------------------------------------------------------------
def _claim_plan(actor: User, episode: Episode, expected_version: int) -> RecoveryPlan:
    """Bump the plan's version if it still is ``expected_version`` (0: no plan yet), else refuse.

    The conditional UPDATE is the lock: of two people who opened the same version, only the
    first save matches; the second is told the plan changed and keeps what they typed.
    """
    if expected_version == 0:
        if RecoveryPlan.objects.filter(episode=episode).exists():
            raise PlanChangedError
        plan = RecoveryPlan(client_id=episode.client_id, episode=episode, updated_by=actor)
        plan.full_clean()
        plan.save()
        return plan
    claimed = RecoveryPlan.objects.filter(episode=episode, version=expected_version).update(
        version=F("version") + 1, updated_by=actor, updated_at=timezone.now()
    )
    if claimed == 0:
        raise PlanChangedError
    return RecoveryPlan.objects.get(episode=episode)


def save_plan_vision(
    *, actor: User, episode: Episode, expected_version: int, vision: str
) -> RecoveryPlan:
    """Save the person's own description of recovery at the top of the plan."""
    _require_open_episode(actor, episode)
    with transaction.atomic():
        plan = _claim_plan(actor, episode, expected_version)
        plan.vision = vision
        plan.full_clean()
        plan.save(update_fields=["vision"])
        _audit(actor, Action.UPDATE, plan, episode.client.agency_id)
    return plan


def add_goal(
    *, actor: User, episode: Episode, expected_version: int, domain: str, own_words: str
) -> Goal:
    """Add a goal in the person's words, linked to a life domain."""
    _require_open_episode(actor, episode)
    with transaction.atomic():
        plan = _claim_plan(actor, episode, expected_version)
        goal = Goal(plan=plan, domain=domain, own_words=own_words)
        goal.full_clean()
        goal.save()
        _audit(actor, Action.CREATE, goal, episode.client.agency_id)
    return goal


def set_goal_status(
    *, actor: User, goal: Goal, expected_version: int, status: str, on: date
) -> Goal:
    episode = goal.plan.episode
    _require_open_episode(actor, episode)
    with transaction.atomic():
        _claim_plan(actor, episode, expected_version)
        goal.status = status
        goal.achieved_on = on if status == GoalStatus.ACHIEVED else None
        goal.full_clean()
        goal.save(update_fields=["status", "achieved_on"])
        _audit(actor, Action.UPDATE, goal, episode.client.agency_id)
    return goal


def add_step(
    *,
    actor: User,
    goal: Goal,
    expected_version: int,
    action: str,
    responsible: str,
    due_on: date,
    resource: CommunityResource | None = None,
) -> Step:
    """Add a small, measurable step: who does what by when (optionally at a resource)."""
    episode = goal.plan.episode
    _require_open_episode(actor, episode)
    if resource is not None and resource.agency_id != episode.client.agency_id:
        raise PermissionDenied
    with transaction.atomic():
        _claim_plan(actor, episode, expected_version)
        step = Step(
            goal=goal, action=action, responsible=responsible, due_on=due_on, resource=resource
        )
        step.full_clean()
        step.save()
        _audit(actor, Action.CREATE, step, episode.client.agency_id)
    return step


def set_step_status(
    *, actor: User, step: Step, expected_version: int, status: str, on: date
) -> Step:
    episode = step.goal.plan.episode
    _require_open_episode(actor, episode)
    with transaction.atomic():
        _claim_plan(actor, episode, expected_version)
        step.status = status
        step.completed_on = on if status == StepStatus.DONE else None
        step.full_clean()
        step.save(update_fields=["status", "completed_on"])
        _audit(actor, Action.UPDATE, step, episode.client.agency_id)
    return step


# ---- contacts -----------------------------------------------------------------------------------
def record_contact(
    *,
    actor: User,
    episode: Episode,
    occurred_on: date,
    minutes: int,
    mode: str,
    with_whom: str,
    note: str = "",
    goals: Iterable[Goal] = (),
    steps: Iterable[Step] = (),
) -> Contact:
    """Log one contact with the client or a collateral, and the goals and steps worked on."""
    _require_open_episode(actor, episode)
    goals, steps = list(goals), list(steps)
    plan_ids = {g.plan_id for g in goals} | {s.goal.plan_id for s in steps}
    if plan_ids - set(RecoveryPlan.objects.filter(episode=episode).values_list("pk", flat=True)):
        raise ValidationError(_("Goals and steps must belong to this client's plan."))
    contact = Contact(
        client_id=episode.client_id,
        episode=episode,
        worker=actor,
        occurred_on=occurred_on,
        minutes=minutes,
        mode=mode,
        with_whom=with_whom,
        note=note,
    )
    contact.full_clean()
    with transaction.atomic():
        contact.save()
        contact.goals.set(goals)
        contact.steps.set(steps)
        _audit(actor, Action.CREATE, contact, episode.client.agency_id)
        contact_count = Contact.objects.filter(episode=episode).count()
        create_contact_administrations(actor=actor, episode=episode, contact_count=contact_count)
    return contact


# ---- community resources ------------------------------------------------------------------------
def add_community_resource(*, actor: User, agency: Agency, **fields: Any) -> CommunityResource:
    """Add a natural community resource to the agency's directory (any clinical role)."""
    scope = scope_for(actor)
    if agency.pk not in scope.agency_ids or not scope.has_role(
        Role.CASE_MANAGER, *SUPERVISING_ROLES
    ):
        raise PermissionDenied
    resource = CommunityResource(agency=agency, **fields)
    resource.full_clean()
    with transaction.atomic():
        resource.save()
        _audit(actor, Action.CREATE, resource, agency.pk)
    return resource


# ---- supervision --------------------------------------------------------------------------------
def _require_supervisor(actor: User, team: Team) -> None:
    if team.pk not in scope_for(actor).team_ids(*SUPERVISING_ROLES):
        raise PermissionDenied


def record_supervision(
    *,
    actor: User,
    team: Team,
    kind: SupervisionKind | str,
    held_on: date,
    attendees: Iterable[User],
    notes: str = "",
) -> SupervisionSession:
    """Record a group or individual supervision session of a team."""
    _require_supervisor(actor, team)
    attendees = list(attendees)
    outside = {u.pk for u in attendees} - set(team.memberships.values_list("user_id", flat=True))
    if outside:
        raise ValidationError({"attendees": _("Attendees must be members of the team.")})
    if kind == SupervisionKind.INDIVIDUAL and len(attendees) != 1:
        raise ValidationError({"attendees": _("Individual supervision has one attendee.")})
    session = SupervisionSession(
        team=team, kind=str(kind), held_on=held_on, supervisor=actor, notes=notes
    )
    session.full_clean()
    with transaction.atomic():
        session.save()
        session.attendees.set(attendees)
        _audit(actor, Action.CREATE, session, team.programme.agency_id)
    return session


def _require_presentable(actor: User, session: SupervisionSession, client: Client) -> None:
    """A client of the session's team; in individual supervision, only a client of the worker
    being supervised (their open episode)."""
    episodes = episodes_visible_to(actor).filter(client=client, team=session.team)
    if not episodes.exists():
        raise PermissionDenied
    if session.kind == SupervisionKind.INDIVIDUAL:
        episodes = episodes.filter(
            status=EpisodeStatus.OPEN, primary_case_manager__in=session.attendees.all()
        )
        if not episodes.exists():
            raise ValidationError(
                {
                    "client": _(
                        "In individual supervision, present only the clients of the worker "
                        "being supervised."
                    )
                }
            )


def present_client(
    *,
    actor: User,
    session: SupervisionSession,
    client: Client,
    presenter: User,
    question: str,
    suggestions: str,
    agreed_action: str = "",
    action_owner: User | None = None,
    action_due_on: date | None = None,
) -> ClientPresentation:
    """Record a client presented in supervision, the group's suggestions and, optionally, the
    action agreed (its owner defaults to the presenting worker)."""
    _require_supervisor(actor, session.team)
    _require_presentable(actor, session, client)
    if agreed_action.strip() and action_due_on is None:
        raise ValidationError({"action_due_on": _("Say by when the action is due.")})
    presentation = ClientPresentation(
        session=session,
        client=client,
        presenter=presenter,
        question=question,
        suggestions=suggestions,
    )
    presentation.full_clean()
    with transaction.atomic():
        presentation.save()
        _audit(actor, Action.CREATE, presentation, client.agency_id)
        if agreed_action.strip() and action_due_on is not None:
            create_agreed_action(
                actor=actor,
                session=session,
                client=client,
                text=agreed_action,
                owner=action_owner or presenter,
                due_on=action_due_on,
            )
    return presentation
