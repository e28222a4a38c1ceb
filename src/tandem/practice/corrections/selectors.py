"""Reads of contacts, goals and steps to correct, and of voided ones: narrowed and audited."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client
from tandem.clients.selectors import episodes_visible_to
from tandem.core.access import deny_read
from tandem.practice.models import Contact, Goal, RecoveryPlan, Step


def get_contact_for(user: User, pk: int) -> Contact:
    """A contact of a visible episode, voided or not (audited), or 404 alike for hidden rows."""
    contact = (
        Contact.all_objects.filter(pk=pk, episode__in=episodes_visible_to(user))
        .select_related("client", "episode", "worker", "voided_by")
        .first()
    )
    if contact is None:
        deny_read(user, "practice.contact", pk)
    record_event(actor=user, action=Action.VIEW, obj=contact, agency_id=contact.client.agency_id)
    return contact


def get_goal_for(user: User, pk: int) -> Goal:
    """A goal of a visible episode's plan, voided or not (audited), or 404."""
    goal = (
        Goal.all_objects.filter(pk=pk, plan__episode__in=episodes_visible_to(user))
        .select_related("plan__episode__client", "voided_by")
        .first()
    )
    if goal is None:
        deny_read(user, "practice.goal", pk)
    record_event(
        actor=user, action=Action.VIEW, obj=goal, agency_id=goal.plan.episode.client.agency_id
    )
    return goal


def get_step_for(user: User, pk: int) -> Step:
    """A step of a visible episode's plan, voided or not (audited), or 404."""
    step = (
        Step.all_objects.filter(pk=pk, goal__plan__episode__in=episodes_visible_to(user))
        .select_related("goal__plan__episode__client", "resource", "voided_by")
        .first()
    )
    if step is None:
        deny_read(user, "practice.step", pk)
    record_event(
        actor=user, action=Action.VIEW, obj=step, agency_id=step.goal.plan.episode.client.agency_id
    )
    return step


def voided_contacts_for(user: User, client: Client, limit: int = 50) -> list[Contact]:
    """The client's voided contacts, newest first, for the "show voided" list (audited)."""
    if not episodes_visible_to(user).filter(client=client).exists():
        deny_read(user, "practice.contact", f"client:{client.pk}")
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="practice.contact",
        object_id=f"client:{client.pk}:voided",
        agency_id=client.agency_id,
    )
    return list(
        Contact.all_objects.filter(client=client, voided_at__isnull=False)
        .select_related("worker", "voided_by")
        .order_by("-occurred_on", "-pk")[:limit]
    )


def voided_plan_items(plan: RecoveryPlan | None) -> tuple[list[Goal], list[Step]]:
    """Voided goals and steps of a plan already read through ``plan_for``."""
    if plan is None:
        return [], []
    goals: QuerySet[Goal] = Goal.all_objects.filter(plan=plan, voided_at__isnull=False)
    steps: QuerySet[Step] = Step.all_objects.filter(goal__plan=plan, voided_at__isnull=False)
    return (
        list(goals.select_related("voided_by").order_by("created_at", "pk")),
        list(steps.select_related("goal", "voided_by").order_by("due_on", "pk")),
    )
