"""Writes that correct or void a contact, a goal or a step, each kept in the client's history.

A void keeps the row (``voided_at``, ``voided_by``, ``void_reason``); the default managers leave
it out of every list and count. Contacts carry their own version for concurrent corrections;
goals and steps are part of the recovery plan and claim the plan's version, as every plan edit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.clients.corrections.services import (
    RecordChangedError,
    field_changes,
    record_change,
    require_reason,
    snapshot,
)
from tandem.clients.models import ChangeKind, Episode
from tandem.clients.selectors import episodes_visible_to
from tandem.practice.models import CommunityResource, Contact, Goal, Step
from tandem.practice.services import _claim_plan

CONTACT_FIELDS = ("occurred_on", "minutes", "mode", "with_whom", "note")
GOAL_FIELDS = ("domain", "own_words")
STEP_FIELDS = ("action", "responsible", "due_on", "resource")

__all__ = [
    "RecordChangedError",
    "correct_contact",
    "correct_goal",
    "correct_step",
    "void_contact",
    "void_goal",
    "void_step",
]


def _require_visible(actor: User, episode: Episode) -> None:
    """Whoever may open the client may correct its records, in open and closed episodes."""
    if not episodes_visible_to(actor).filter(pk=episode.pk).exists():
        raise PermissionDenied


def _refuse_voided(obj: Contact | Goal | Step) -> None:
    if obj.is_voided:
        raise ValidationError(_("This entry is voided: it can no longer be changed."))


def _apply(obj: Any, names: tuple[str, ...], fields: dict[str, Any]) -> list[dict[str, Any]]:
    """Set ``fields`` on ``obj``, validate, and return what changed (refusing no change)."""
    unknown = set(fields) - set(names)
    if unknown:
        raise TypeError(f"fields: cannot be corrected here: {', '.join(sorted(unknown))}")
    before = snapshot(obj, fields)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    changes = field_changes(before, snapshot(obj, fields))
    if not changes:
        raise ValidationError(_("Nothing was changed."))
    return changes


def _void(obj: Contact | Goal | Step, actor: User, reason: str) -> None:
    obj.voided_at = timezone.now()
    obj.voided_by = actor
    obj.void_reason = reason.strip()
    obj.save(update_fields=["voided_at", "voided_by", "void_reason"])


# ---- contacts -----------------------------------------------------------------------------------
def _claim_contact(contact: Contact, expected_version: int) -> Contact:
    claimed = Contact.all_objects.filter(pk=contact.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if claimed == 0:
        raise RecordChangedError
    return Contact.all_objects.select_related("client").get(pk=contact.pk)


def correct_contact(
    *, actor: User, contact: Contact, expected_version: int, reason: str, **fields: Any
) -> Contact:
    """Correct a contact's date, length, mode, with whom or note; keep before and after."""
    _require_visible(actor, contact.episode)
    _refuse_voided(contact)
    require_reason(reason)
    with transaction.atomic():
        current = _claim_contact(contact, expected_version)
        changes = _apply(current, CONTACT_FIELDS, fields)
        current.save(update_fields=list(fields))
        record_change(
            actor=actor,
            client=current.client,
            obj=current,
            kind=ChangeKind.EDIT,
            changes=changes,
            reason=reason,
        )
    return current


def void_contact(*, actor: User, contact: Contact, expected_version: int, reason: str) -> Contact:
    """Void a contact entered in error: it leaves the lists and the counts, the row stays."""
    _require_visible(actor, contact.episode)
    _refuse_voided(contact)
    require_reason(reason)
    with transaction.atomic():
        current = _claim_contact(contact, expected_version)
        _void(current, actor, reason)
        record_change(
            actor=actor,
            client=current.client,
            obj=current,
            kind=ChangeKind.VOID,
            changes=[],
            reason=reason,
        )
    return current


# ---- goals and steps ----------------------------------------------------------------------------
def correct_goal(
    *, actor: User, goal: Goal, expected_version: int, reason: str, domain: str, own_words: str
) -> Goal:
    """Correct a goal's words or life domain (its status has its own form on the plan)."""
    episode = goal.plan.episode
    _require_visible(actor, episode)
    _refuse_voided(goal)
    require_reason(reason)
    with transaction.atomic():
        _claim_plan(actor, episode, expected_version)
        current = Goal.all_objects.get(pk=goal.pk)
        changes = _apply(current, GOAL_FIELDS, {"domain": domain, "own_words": own_words})
        current.save(update_fields=list(GOAL_FIELDS))
        record_change(
            actor=actor,
            client=episode.client,
            obj=current,
            kind=ChangeKind.EDIT,
            changes=changes,
            reason=reason,
        )
    return current


def void_goal(*, actor: User, goal: Goal, expected_version: int, reason: str) -> Goal:
    """Void a goal and its steps still standing, with one reason kept for each."""
    episode = goal.plan.episode
    _require_visible(actor, episode)
    _refuse_voided(goal)
    require_reason(reason)
    with transaction.atomic():
        _claim_plan(actor, episode, expected_version)
        for step in Step.objects.filter(goal=goal):
            _void(step, actor, reason)
            record_change(
                actor=actor,
                client=episode.client,
                obj=step,
                kind=ChangeKind.VOID,
                changes=[],
                reason=reason,
            )
        _void(goal, actor, reason)
        record_change(
            actor=actor,
            client=episode.client,
            obj=goal,
            kind=ChangeKind.VOID,
            changes=[],
            reason=reason,
        )
    return goal


def correct_step(
    *,
    actor: User,
    step: Step,
    expected_version: int,
    reason: str,
    action: str,
    responsible: str,
    due_on: Any,
    resource: CommunityResource | None,
) -> Step:
    """Correct what a step is, who does it, by when, or its community resource."""
    episode = step.goal.plan.episode
    _require_visible(actor, episode)
    _refuse_voided(step)
    if resource is not None and resource.agency_id != episode.client.agency_id:
        raise PermissionDenied
    require_reason(reason)
    fields = {"action": action, "responsible": responsible, "due_on": due_on, "resource": resource}
    with transaction.atomic():
        _claim_plan(actor, episode, expected_version)
        current = Step.all_objects.get(pk=step.pk)
        changes = _apply(current, STEP_FIELDS, fields)
        current.save(update_fields=list(STEP_FIELDS))
        record_change(
            actor=actor,
            client=episode.client,
            obj=current,
            kind=ChangeKind.EDIT,
            changes=changes,
            reason=reason,
        )
    return current


def void_step(*, actor: User, step: Step, expected_version: int, reason: str) -> Step:
    """Void a step entered in error."""
    episode = step.goal.plan.episode
    _require_visible(actor, episode)
    _refuse_voided(step)
    require_reason(reason)
    with transaction.atomic():
        _claim_plan(actor, episode, expected_version)
        _void(step, actor, reason)
        record_change(
            actor=actor,
            client=episode.client,
            obj=step,
            kind=ChangeKind.VOID,
            changes=[],
            reason=reason,
        )
    return step
