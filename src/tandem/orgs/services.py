"""Writes of the organisation layer: the history of every change to a programme's configuration."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from typing_extensions import override

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.orgs.models import ConfigurationChange, ConfigurationKind, Programme


class _SettingsEncoder(DjangoJSONEncoder):
    @override
    def default(self, o: Any) -> Any:
        # 4.5 and 4.50 are the same setting: a decimal is kept without trailing zeros.
        if isinstance(o, Decimal):
            return format(o.normalize(), "f")
        return super().default(o)


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as JSON keeps them (decimals and dates as text), so that before and after
    compare as they will be read back."""
    return dict(json.loads(json.dumps(dict(values), cls=_SettingsEncoder)))


class ConfigurationChangedError(Exception):
    """The settings were changed by someone else since the form showing them was drawn."""


def configuration_fingerprint(values: Mapping[str, Any]) -> str:
    """A short digest of settings as a form shows them, to detect a concurrent change.

    The form carries the fingerprint of what it showed; the service compares it with the
    fingerprint of what is stored when it saves (``check_unchanged``).
    """
    text = json.dumps(_plain(values), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def check_unchanged(current: Mapping[str, Any], expected_fingerprint: str | None) -> None:
    """Refuse a save made from a form drawn before someone else's change (``None``: no check)."""
    if expected_fingerprint is not None and expected_fingerprint != configuration_fingerprint(
        current
    ):
        raise ConfigurationChangedError


def record_configuration_change(
    *,
    actor: User | None,
    programme: Programme,
    obj: models.Model,
    kind: ConfigurationKind | str,
    subject: str = "",
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    reason: str = "",
) -> ConfigurationChange | None:
    """Keep one change to a programme's configuration in its history and the audit chain.

    ``before`` is ``None`` for something created. Only the settings whose value changed are
    kept; a save that changes nothing records nothing and returns ``None``. Callers check the
    actor's permission and call this inside the transaction that writes ``obj``, so that the
    change, its history row and its audit event are stored together or not at all.
    """
    new = _plain(after)
    old = None if before is None else _plain(before)
    if old is not None:
        keys = [key for key in dict.fromkeys([*old, *new]) if old.get(key) != new.get(key)]
        if not keys:
            return None
        old = {key: old.get(key) for key in keys}
        new = {key: new.get(key) for key in keys}
    change = ConfigurationChange(
        agency_id=programme.agency_id,
        programme=programme,
        changed_by=actor,
        kind=str(kind),
        subject=subject[:200],
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=old or {},
        after=new,
        reason=reason.strip(),
    )
    change.full_clean()
    with transaction.atomic():
        change.save()
        record_event(
            actor=actor,
            action=Action.CREATE if before is None else Action.UPDATE,
            obj=obj,
            agency_id=programme.agency_id,
        )
        record_event(actor=actor, action=Action.CREATE, obj=change, agency_id=programme.agency_id)
    return change
