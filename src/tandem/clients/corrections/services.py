"""Writes that correct a record or hand an episode over; each keeps a ``RecordChange``.

Every correction names its reason and stores the fields' values before and after in the
client's history (``RecordChange``); the audit event in the same transaction points at the
changed record, never at its contents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import ChangeKind, Client, Episode, RecordChange
from tandem.clients.selectors import clients_visible_to
from tandem.clients.signals import episode_handed_over
from tandem.orgs.models import Team

INTAKE_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
DEMOGRAPHIC_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "preferred_language",
    "email",
    "phone",
    "address",
)


class RecordChangedError(Exception):
    """The record was changed by someone else since the form was opened."""


def stored_value(value: Any) -> Any:
    """A field's value as the history keeps it: JSON-ready, dates in ISO, records by name."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: stored_value(getattr(obj, name)) for name in names}


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The fields whose value differs, as ``{"field", "before", "after"}`` in field order."""
    return [
        {"field": name, "before": before[name], "after": after[name]}
        for name in before
        if before[name] != after[name]
    ]


def record_change(
    *,
    actor: User,
    client: Client,
    obj: models.Model,
    kind: ChangeKind,
    changes: list[dict[str, Any]],
    reason: str,
) -> RecordChange:
    """Keep one correction in the client's history and audit it, in the writer's transaction."""
    change = RecordChange(
        client=client,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        kind=kind,
        changes=changes,
        reason=reason.strip(),
        changed_by=actor,
        changed_at=timezone.now(),
    )
    change.full_clean()
    change.save()
    record_event(actor=actor, action=Action.UPDATE, obj=obj, agency_id=client.agency_id)
    record_event(actor=actor, action=Action.CREATE, obj=change, agency_id=client.agency_id)
    return change


def require_reason(reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the record is changed.")})


# ---- demographics -------------------------------------------------------------------------------
def update_client(
    *, actor: User, client: Client, expected_version: int, reason: str, **fields: Any
) -> Client:
    """Correct a client's demographics; refuse if someone saved them since ``expected_version``.

    Raises ``RecordChangedError`` on a concurrent edit and ``ValidationError`` (by field) on bad
    values or when nothing changed.
    """
    if not clients_visible_to(actor).filter(pk=client.pk).exists():
        raise PermissionDenied
    unknown = set(fields) - set(DEMOGRAPHIC_FIELDS)
    if unknown:
        raise TypeError(f"fields: not demographics: {', '.join(sorted(unknown))}")
    require_reason(reason)
    with transaction.atomic():
        claimed = Client.objects.filter(pk=client.pk, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if claimed == 0:
            raise RecordChangedError
        current = Client.objects.get(pk=client.pk)
        before = snapshot(current, fields)
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        changes = field_changes(before, snapshot(current, fields))
        if not changes:
            raise ValidationError(_("Nothing was changed."))
        current.save(update_fields=[*fields, "updated_at"])
        record_change(
            actor=actor,
            client=current,
            obj=current,
            kind=ChangeKind.EDIT,
            changes=changes,
            reason=reason,
        )
    return current


# ---- hand-overs ---------------------------------------------------------------------------------
def hand_over_episode(
    *, actor: User, episode: Episode, team: Team, case_manager: User, reason: str
) -> Episode:
    """Give an open episode another primary case manager, in its team or another of the programme.

    The actor supervises or manages both the episode's team and the receiving one. Who sees the
    client follows: the new case manager now does, the former one no longer (unless they hold
    another role that reaches the team).
    """
    teams = scope_for(actor).team_ids(*INTAKE_ROLES)
    if episode.team_id not in teams or team.pk not in teams:
        raise PermissionDenied
    require_reason(reason)
    if not episode.is_open:
        raise ValidationError(_("This episode is closed: it cannot be handed over."))
    if team.programme_id != episode.programme_id:
        raise ValidationError({"assignee": _("This team belongs to another programme.")})
    if team.pk not in scope_for(case_manager).team_ids(Role.CASE_MANAGER):
        raise ValidationError({"assignee": _("This person is not a case manager of the team.")})
    if team.pk == episode.team_id and case_manager.pk == episode.primary_case_manager_id:
        raise ValidationError({"assignee": _("Choose another case manager or another team.")})
    # Compared by id, shown by name (two colleagues may share a name).
    changes = [
        {"field": name, "before": str(old), "after": str(new)}
        for name, old, new in (
            ("team", episode.team, team),
            ("primary_case_manager", episode.primary_case_manager, case_manager),
        )
        if old.pk != new.pk
    ]
    with transaction.atomic():
        # The condition is the lock: of two hand-overs started from the same assignment, only
        # the first matches; the second is told the episode changed.
        moved = Episode.objects.filter(
            pk=episode.pk,
            team_id=episode.team_id,
            primary_case_manager_id=episode.primary_case_manager_id,
        ).update(team=team, primary_case_manager=case_manager, updated_at=timezone.now())
        if moved == 0:
            raise RecordChangedError
        from_team_id, from_case_manager_id = episode.team_id, episode.primary_case_manager_id
        episode.team = team
        episode.primary_case_manager = case_manager
        record_change(
            actor=actor,
            client=episode.client,
            obj=episode,
            kind=ChangeKind.HANDOVER,
            changes=changes,
            reason=reason,
        )
        episode_handed_over.send(
            sender=Episode,
            actor=actor,
            episode=episode,
            from_team_id=from_team_id,
            from_case_manager_id=from_case_manager_id,
        )
    return episode
