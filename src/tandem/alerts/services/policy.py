"""A programme manager or agency administrator sets the programme's alert thresholds."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tandem.accounts.models import User
from tandem.alerts.models import POLICY_FIELDS, AlertPolicy
from tandem.alerts.selectors import alert_policy_for
from tandem.orgs.models import ConfigurationKind, Programme
from tandem.orgs.selectors import may_configure
from tandem.orgs.services import record_configuration_change


def policy_settings(policy: AlertPolicy) -> dict[str, Any]:
    """The thresholds by field name: what the configuration history compares."""
    return {name: getattr(policy, name) for name in POLICY_FIELDS}


def save_alert_policy(*, actor: User, programme: Programme, values: dict[str, Any]) -> AlertPolicy:
    """Store the programme's thresholds (validated); its programme manager or an agency
    administrator may. The change is kept in the programme's configuration history."""
    if not may_configure(actor, programme):
        raise PermissionDenied
    policy = alert_policy_for(programme.pk)
    before = policy_settings(policy)
    for name in POLICY_FIELDS:
        if name in values:
            setattr(policy, name, values[name])
    policy.full_clean()
    with transaction.atomic():
        policy.save()
        record_configuration_change(
            actor=actor,
            programme=programme,
            obj=policy,
            kind=ConfigurationKind.THRESHOLDS_CHANGED,
            before=before,
            after=policy_settings(policy),
        )
    return policy
