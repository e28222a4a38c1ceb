"""Reads of the audit log for pages that show a part of it (a project's timeline)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Model, Q, QuerySet

from tandem.audit.models import AuditEvent, Outcome


def events_about(
    objects: Mapping[str, QuerySet[Model, Any] | Iterable[str]],
    *,
    agency_id: int,
    actions: Iterable[str],
) -> QuerySet[AuditEvent]:
    """The allowed events of ``actions`` in one agency about the given objects, newest first.

    ``objects`` maps an object type (a model label such as ``"qualitative.code"``) to the ids
    of its objects, as strings: a list, or a queryset of one text column (a subquery, so that
    the read stays one query however many objects there are). The caller has checked that the
    reader may see these objects.
    """
    about = Q()
    for object_type, ids in objects.items():
        about |= Q(object_type=object_type, object_id__in=ids)
    if not objects:
        return AuditEvent.objects.none()
    return (
        AuditEvent.objects.filter(about, agency_id=agency_id, outcome=Outcome.OK)
        .filter(action__in=list(actions))
        .order_by("-occurred_at", "-seq")
    )
