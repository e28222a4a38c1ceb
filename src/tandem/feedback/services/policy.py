"""A programme manager sets the programme's alert thresholds."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.feedback.models import AlertPolicy
from tandem.feedback.selectors import alert_policy_for
from tandem.orgs.models import Programme

POLICY_FIELDS = (
    "alliance_instrument",
    "alliance_sd",
    "alliance_reliability",
    "outcome_instrument",
    "outcome_sd",
    "outcome_reliability",
    "time_limit_warning_days",
    "no_contact_days",
    "supervision_gap_days",
    "escalate_after_days",
)


def manages_programme(user: User, programme: Programme) -> bool:
    team_ids = scope_for(user).team_ids(Role.PROGRAMME_MANAGER)
    return programme.teams.filter(pk__in=team_ids).exists()


def save_alert_policy(*, actor: User, programme: Programme, values: dict[str, Any]) -> AlertPolicy:
    """Store the programme's thresholds (validated); only its programme manager may."""
    if not manages_programme(actor, programme):
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
