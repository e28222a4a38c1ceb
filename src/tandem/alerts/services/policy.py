"""A programme manager sets the programme's alert thresholds."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tandem.accounts.models import User
from tandem.alerts.models import POLICY_FIELDS, AlertPolicy
from tandem.alerts.selectors import alert_policy_for
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.orgs.models import Programme
from tandem.orgs.selectors import programmes_managed_by


def save_alert_policy(*, actor: User, programme: Programme, values: dict[str, Any]) -> AlertPolicy:
    """Store the programme's thresholds (validated); only its programme manager may."""
    if not programmes_managed_by(actor).filter(pk=programme.pk).exists():
        raise PermissionDenied
    policy = alert_policy_for(programme.pk)
    creating = policy.pk is None
    for name in POLICY_FIELDS:
        if name in values:
            setattr(policy, name, values[name])
    policy.full_clean()
    with transaction.atomic():
        policy.save()
        record_event(
            actor=actor,
            action=Action.CREATE if creating else Action.UPDATE,
            obj=policy,
            agency_id=programme.agency_id,
        )
    return policy
