"""Writes of agreed actions: who does what by when, corrected, done, reopened or voided.

Each write checks permission, validates, keeps the action's state after the change as an
``AgreedActionChange`` (the previous row is the state before) and appends the audit event, in
one transaction. ``version`` refuses a save made on a stale form.
"""

from __future__ import annotations

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
from tandem.clients.models import Client
from tandem.clients.selectors import episodes_visible_to
from tandem.orgs.models import Team
from tandem.practice.models import (
    AgreedAction,
    AgreedActionChange,
    AgreedActionChangeKind,
    AgreedActionStatus,
    SupervisionSession,
)
from tandem.practice.supervision.selectors import owners_for_session

SUPERVISING_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


def _require_supervisor(actor: User, team: Team) -> None:
    if team.pk not in scope_for(actor).team_ids(*SUPERVISING_ROLES):
        raise PermissionDenied


def _audit(actor: User, action: Action, obj: Any, agency_id: int) -> None:
    record_event(actor=actor, action=action, obj=obj, agency_id=agency_id)


class AgreedActionChangedError(Exception):
    """The agreed action was changed by someone else since the form was opened."""


def _snapshot(
    actor: User, action: AgreedAction, kind: AgreedActionChangeKind, reason: str = ""
) -> None:
    """Keep the state after this change; the previous row holds the state before it."""
    AgreedActionChange.objects.create(
        action=action,
        kind=kind,
        changed_by=actor,
        text=action.text,
        owner_id=action.owner_id,
        due_on=action.due_on,
        status=action.status,
        done_on=action.done_on,
        reason=reason,
    )


def _check_owner_and_date(
    actor: User, session: SupervisionSession, owner: User, due_on: date
) -> None:
    if owner.pk != actor.pk and not owners_for_session(session).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("The person who does it must be a member of the team.")})
    if due_on < session.held_on:
        raise ValidationError({"due_on": _("The due date cannot be before the session.")})


def create_agreed_action(
    *,
    actor: User,
    session: SupervisionSession,
    client: Client,
    text: str,
    owner: User,
    due_on: date,
) -> AgreedAction:
    """Write an agreed action inside the caller's transaction; the caller checked permission."""
    _check_owner_and_date(actor, session, owner, due_on)
    action = AgreedAction(
        session=session, client=client, text=text, owner=owner, due_on=due_on, created_by=actor
    )
    action.full_clean()
    action.save()
    _snapshot(actor, action, AgreedActionChangeKind.CREATED)
    _audit(actor, Action.CREATE, action, client.agency_id)
    return action


def agree_action(
    *,
    actor: User,
    session: SupervisionSession,
    client: Client,
    text: str,
    owner: User,
    due_on: date,
) -> AgreedAction:
    """Record an action agreed in a session for a client presented there: who, what, by when."""
    _require_supervisor(actor, session.team)
    if not session.presentations.filter(client=client).exists():
        raise ValidationError(
            {"client": _("Agreed actions are for a client presented in this session.")}
        )
    with transaction.atomic():
        return create_agreed_action(
            actor=actor, session=session, client=client, text=text, owner=owner, due_on=due_on
        )


def _claim_action(action: AgreedAction, expected_version: int) -> AgreedAction:
    """Bump the version if it is still ``expected_version``; else someone saved in between."""
    claimed = AgreedAction.objects.filter(pk=action.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if claimed == 0:
        raise AgreedActionChangedError
    action.refresh_from_db()
    return action


def _require_may_close(actor: User, action: AgreedAction) -> None:
    """The owner (while they may still open the client) or a supervisor of the team."""
    if action.session.team_id in scope_for(actor).team_ids(*SUPERVISING_ROLES):
        return
    if (
        action.owner_id == actor.pk
        and episodes_visible_to(actor).filter(client_id=action.client_id).exists()
    ):
        return
    raise PermissionDenied


def correct_agreed_action(
    *,
    actor: User,
    action: AgreedAction,
    expected_version: int,
    text: str,
    owner: User,
    due_on: date,
    reason: str = "",
) -> AgreedAction:
    """Correct what was agreed, who does it or by when (a supervisor of the team)."""
    _require_supervisor(actor, action.session.team)
    _check_owner_and_date(actor, action.session, owner, due_on)
    with transaction.atomic():
        action = _claim_action(action, expected_version)
        if action.status == AgreedActionStatus.VOIDED:
            raise ValidationError(_("A voided action cannot be changed."))
        action.text, action.owner, action.due_on = text, owner, due_on
        action.full_clean()
        action.save(update_fields=["text", "owner", "due_on"])
        _snapshot(actor, action, AgreedActionChangeKind.EDITED, reason)
        _audit(actor, Action.UPDATE, action, action.client.agency_id)
    return action


def mark_agreed_action_done(
    *, actor: User, action: AgreedAction, expected_version: int, on: date
) -> AgreedAction:
    """Mark an open action done, by its owner or a supervisor of the team."""
    _require_may_close(actor, action)
    if on > timezone.localdate():
        raise ValidationError({"done_on": _("An action cannot be done in the future.")})
    with transaction.atomic():
        action = _claim_action(action, expected_version)
        if action.status != AgreedActionStatus.OPEN:
            raise ValidationError(_("Only an open action can be marked done."))
        action.status, action.done_on = AgreedActionStatus.DONE, on
        action.full_clean()
        action.save(update_fields=["status", "done_on"])
        _snapshot(actor, action, AgreedActionChangeKind.DONE)
        _audit(actor, Action.UPDATE, action, action.client.agency_id)
    return action


def reopen_agreed_action(
    *, actor: User, action: AgreedAction, expected_version: int, reason: str
) -> AgreedAction:
    """Undo "done" on an action marked done by mistake or not finished after all."""
    _require_may_close(actor, action)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the action is reopened.")})
    with transaction.atomic():
        action = _claim_action(action, expected_version)
        if action.status != AgreedActionStatus.DONE:
            raise ValidationError(_("Only a done action can be reopened."))
        action.status, action.done_on = AgreedActionStatus.OPEN, None
        action.full_clean()
        action.save(update_fields=["status", "done_on"])
        _snapshot(actor, action, AgreedActionChangeKind.REOPENED, reason)
        _audit(actor, Action.UPDATE, action, action.client.agency_id)
    return action


def void_agreed_action(
    *, actor: User, action: AgreedAction, expected_version: int, reason: str
) -> AgreedAction:
    """Void an action entered in error or no longer wanted, with the reason; it stays on record."""
    _require_supervisor(actor, action.session.team)
    if not reason.strip():
        raise ValidationError({"void_reason": _("Say why the action is voided.")})
    with transaction.atomic():
        action = _claim_action(action, expected_version)
        if action.status == AgreedActionStatus.VOIDED:
            raise ValidationError(_("This action is already voided."))
        action.status, action.void_reason = AgreedActionStatus.VOIDED, reason
        action.full_clean()
        action.save(update_fields=["status", "void_reason"])
        _snapshot(actor, action, AgreedActionChangeKind.VOIDED, reason)
        _audit(actor, Action.UPDATE, action, action.client.agency_id)
    return action
