"""What every training write shares: permission, the audit event, versions and voids."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.training.models import Cohort, Voidable
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
