"""Reads of a client's history of corrections and hand-overs, for users who may see the client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import ChangeKind, Client, Episode, RecordChange
from tandem.clients.selectors import clients_visible_to
from tandem.core.access import deny_read


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    change: RecordChange
    record: str
    fields: list[FieldChange]


def _model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _shown(field: Any, value: Any) -> Any:
    """A stored value as the page shows it: a choice's label, a date as a date to format."""
    if value in (None, ""):
        return None
    if getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _field_changes(
    model: type[models.Model] | None, changes: list[dict[str, Any]]
) -> list[FieldChange]:
    found = []
    for item in changes:
        name = item.get("field", "")
        try:
            field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            field = None
        label = str(getattr(field, "verbose_name", name)) if field is not None else name
        found.append(
            FieldChange(
                label=label[:1].upper() + label[1:],
                before=_shown(field, item.get("before")),
                after=_shown(field, item.get("after")),
            )
        )
    return found


def history_for(user: User, client: Client) -> list[HistoryEntry]:
    """Every correction, void and hand-over of the client's record, newest first (audited)."""
    if not clients_visible_to(user).filter(pk=client.pk).exists():
        deny_read(user, "clients.recordchange", f"client:{client.pk}")
    record_event(
        actor=user,
        action=Action.LIST,
        object_type="clients.recordchange",
        object_id=f"client:{client.pk}",
        agency_id=client.agency_id,
    )
    entries = []
    for change in (
        RecordChange.objects.filter(client=client)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    ):
        model = _model_of(change.object_type)
        record = str(model._meta.verbose_name) if model is not None else change.object_type
        entries.append(
            HistoryEntry(
                change=change,
                record=record[:1].upper() + record[1:],
                fields=_field_changes(model, change.changes),
            )
        )
    return entries


def handovers_of(episode: Episode) -> list[HistoryEntry]:
    """The hand-overs of an episode already read through ``get_episode_for``, newest first."""
    return [
        HistoryEntry(
            change=change,
            record=str(Episode._meta.verbose_name),
            fields=_field_changes(Episode, change.changes),
        )
        for change in RecordChange.objects.filter(
            object_type=Episode._meta.label_lower,
            object_id=episode.pk,
            kind=ChangeKind.HANDOVER,
        )
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    ]
