"""What every training write shares: permission, the audit event, versions and voids."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.training.models import ChangeKind, Cohort, CorrectionRecord, Voidable
from tandem.training.selectors import manages


class CohortChangedError(Exception):
    """The record was changed by someone else since the form was opened."""


def require_manager(actor: User, cohort: Cohort) -> None:
    if not manages(actor, cohort):
        raise PermissionDenied


def audit(actor: User, action: Action, obj: Model, cohort: Cohort) -> None:
    record_event(actor=actor, action=action, obj=obj, agency_id=cohort.host_agency_id)


def require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the record is changed.")})
    return reason


def claim(obj: Any, expected_version: int) -> Any:
    """Bump the version if it is still ``expected_version``; else someone saved in between."""
    model = type(obj)
    claimed = model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if claimed == 0:
        raise CohortChangedError
    obj.refresh_from_db()
    if isinstance(obj, Voidable) and obj.is_voided:
        raise ValidationError(_("This record is voided: it can no longer be changed."))
    return obj


def void(obj: Voidable, actor: User, reason: str) -> None:
    obj.voided_at = timezone.now()
    obj.voided_by = actor
    obj.void_reason = require_reason(reason)
    obj.save(update_fields=["voided_at", "voided_by", "void_reason"])


def _stored(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "all"):  # a many-to-many manager: its rows' names, sorted
        return sorted(getattr(row, "full_name", None) or str(row) for row in value.all())
    if isinstance(value, Model) and isinstance(getattr(value, "held_on", None), date):
        return value.held_on.isoformat()  # type: ignore[attr-defined]  # a session: its date
    if isinstance(value, Model):
        return getattr(value, "full_name", None) or str(value)
    return value


def snapshot(obj: Model, fields: list[str]) -> dict[str, Any]:
    """The record's values of ``fields`` as they are now, storable as JSON."""
    return {name: _stored(getattr(obj, name)) for name in fields}


def record_change(
    *,
    actor: User,
    cohort: Cohort,
    obj: Model,
    kind: ChangeKind,
    reason: str,
    previous: dict[str, Any],
    current: dict[str, Any] | None = None,
    object_type: str | None = None,
) -> CorrectionRecord:
    """Keep one correction, void or undoing with its reason and the values before it; given
    the values after (``current``), only those that changed are kept."""
    if current is not None:
        previous = {k: v for k, v in previous.items() if current.get(k) != v}
    return CorrectionRecord.objects.create(
        cohort=cohort,
        object_type=object_type or obj._meta.model_name or "",
        object_id=obj.pk,
        kind=kind,
        reason=reason[:500],
        previous=previous,
        changed_by=actor,
    )
