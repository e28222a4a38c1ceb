"""What every qualitative write shares: the project-role check, version claims, kept changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import scope_for
from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.qualitative.models import ChangeKind, Project, ProjectChange, ProjectMember

M = TypeVar("M", bound=models.Model)


class RecordChangedError(Exception):
    """The record was changed by someone else since the form was opened."""


def project_role(actor: User, project: Project) -> str | None:
    """The actor's active role in the project, or None (also outside the actor's agencies)."""
    if not actor.is_active or project.agency_id not in scope_for(actor).agency_ids:
        return None
    return (
        ProjectMember.objects.filter(project=project, user=actor, is_active=True)
        .values_list("role", flat=True)
        .first()
    )


def require_project_role(actor: User, project: Project, *roles: str) -> str:
    """Refuse a write by anyone without one of ``roles`` in the project, or to an archived one."""
    role = project_role(actor, project)
    if role is None or role not in roles:
        raise PermissionDenied
    return role


def refuse_if_archived(project: Project) -> None:
    """Refuse a change to an archived project (as stored: the caller's copy may be older)."""
    if Project.objects.filter(pk=project.pk, is_archived=True).exists():
        raise ValidationError(_("This project is archived: restore it before changing it."))


def require_reason(reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the record is changed.")})


def claim_version(model: type[M], pk: int, expected_version: int, **extra: Any) -> M:
    """Bump the row's version if it is still ``expected_version``; else ``RecordChangedError``.

    The conditional update is the lock: of two saves from forms drawn at the same version,
    only the first matches.
    """
    claimed = model._default_manager.filter(pk=pk, version=expected_version).update(
        version=F("version") + 1, **extra
    )
    if claimed == 0:
        raise RecordChangedError
    return model._default_manager.get(pk=pk)


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
        {"field": name, "before": before[name], "after": after.get(name)}
        for name in before
        if before[name] != after.get(name)
    ]


def record_project_change(
    *,
    actor: User,
    project: Project,
    obj: models.Model,
    kind: ChangeKind,
    changes: list[dict[str, Any]],
    reason: str,
) -> ProjectChange:
    """Keep one change in the project's history and audit it, in the writer's transaction."""
    change = ProjectChange(
        project=project,
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
    record_event(actor=actor, action=Action.UPDATE, obj=obj, agency_id=project.agency_id)
    record_event(actor=actor, action=Action.CREATE, obj=change, agency_id=project.agency_id)
    return change


def audit_created(actor: User, project: Project, obj: models.Model) -> None:
    record_event(actor=actor, action=Action.CREATE, obj=obj, agency_id=project.agency_id)


def correct(
    *,
    actor: User,
    project: Project,
    obj: M,
    fields: Mapping[str, Any],
    reason: str,
    kind: ChangeKind = ChangeKind.EDIT,
) -> M:
    """Set ``fields`` on ``obj`` (already claimed), validate, save and keep the change.

    Raises ``ValidationError`` when nothing changed.
    """
    before = snapshot(obj, fields)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    changes = field_changes(before, snapshot(obj, fields))
    if not changes:
        raise ValidationError(_("Nothing was changed."))
    obj.save()
    record_project_change(
        actor=actor, project=project, obj=obj, kind=kind, changes=changes, reason=reason
    )
    return obj
