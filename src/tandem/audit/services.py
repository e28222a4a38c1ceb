"""Appending to and verifying the audit chain."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.db import models, transaction

from tandem.audit import chain
from tandem.audit.models import Action, AuditChainHead, AuditEvent, Outcome
from tandem.core.request_context import current_request_id

if TYPE_CHECKING:
    from tandem.accounts.models import User


def _object_ref(obj: models.Model | None, object_type: str, object_id: str) -> tuple[str, str]:
    if obj is None:
        return object_type, object_id
    return obj._meta.label_lower, str(obj.pk)


def ensure_chain_head() -> None:
    """Create the chain's head row if it is missing (after ``flush`` empties every table)."""
    AuditChainHead.objects.get_or_create(pk=1, defaults={"last_digest": chain.GENESIS})


def record_event(
    *,
    actor: User | None,
    action: Action | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    agency_id: int | None = None,
    actor_role: str = "",
    outcome: Outcome | str = Outcome.OK,
) -> AuditEvent:
    """Append one event to the chain; raise if it cannot be written (callers fail closed).

    Only identifiers are stored: the model label and primary key of the object, the actor's id
    and role. Never names, dates of birth, notes or any other personal field.
    """
    object_type, object_id = _object_ref(obj, object_type, object_id)
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    fields = {
        "occurred_at": datetime.now(tz=UTC),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "agency_id": agency_id,
        "action": str(action),
        "object_type": object_type,
        "object_id": object_id[:64],
        "request_id": current_request_id(),
        "outcome": str(outcome),
    }
    with transaction.atomic():
        # The head row (created by migration) is the lock that orders concurrent appends. If it
        # is missing (an emptied database), a new one starts from genesis; should rows still
        # exist, verification reports the break.
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            ensure_chain_head()
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        signed = chain.digest(head.last_digest, chain.canonical(**fields))  # type: ignore[arg-type]  # fields typed above
        event = AuditEvent.objects.create(previous_digest=head.last_digest, digest=signed, **fields)
        head.last_digest = signed
        head.last_event_id = event.pk
        head.save(update_fields=["last_digest", "last_event_id"])
    return event


@dataclass(frozen=True, slots=True)
class VerifyResult:
    checked: int
    first_broken_id: int | None
    problem: str

    @property
    def is_intact(self) -> bool:
        return self.first_broken_id is None and not self.problem


def verify_chain(*, batch_size: int = 2000) -> VerifyResult:
    """Walk the chain in order and report the first event whose link does not hold.

    Detects an edited row (its digest no longer matches its fields), a deleted row (the next
    row's previous digest points at nothing that precedes it), and truncation of the tail
    (the chain head names a later digest than the last row).
    """
    previous = chain.GENESIS
    checked = 0
    last_pk = 0
    while True:
        rows = list(AuditEvent.objects.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not rows:
            break
        for event in rows:
            checked += 1
            if not hmac.compare_digest(event.previous_digest, previous):
                return VerifyResult(
                    checked, event.pk, "the event before this one was removed or altered"
                )
            payload = chain.canonical(
                occurred_at=event.occurred_at,
                actor_id=event.actor_id,
                actor_role=event.actor_role,
                agency_id=event.agency_id,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                request_id=event.request_id,
                outcome=event.outcome,
            )
            expected = chain.digest(previous, payload)
            if not hmac.compare_digest(expected, event.digest):
                return VerifyResult(checked, event.pk, "this event was edited after it was written")
            previous = event.digest
            last_pk = event.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and not hmac.compare_digest(head.last_digest, previous):
        return VerifyResult(
            checked, head.last_event_id, "events at the end of the chain were removed"
        )
    return VerifyResult(checked, None, "")
