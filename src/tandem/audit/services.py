"""Appending to and verifying the audit chain."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.models import Subquery

from tandem.audit import chain
from tandem.audit.chain import Checkpoint
from tandem.audit.models import Action, AuditChainHead, AuditEvent, Outcome
from tandem.core.request_context import current_request_id

if TYPE_CHECKING:
    from tandem.accounts.models import User


class AuditChainError(RuntimeError):
    """The chain cannot be appended to: its head is missing or written with another key."""


class AuditKeyError(Exception):
    """The configured key is not the one the chain was written with, or none is configured."""


def _object_ref(obj: models.Model | None, object_type: str, object_id: str) -> tuple[str, str]:
    if obj is None:
        return object_type, object_id
    return obj._meta.label_lower, str(obj.pk)


def ensure_chain_head() -> None:
    """Start an empty, signed chain in a new or emptied database (after migrate and ``flush``).

    Never when events exist without a head: that is a removed head, which only
    ``tandem audit verify`` may judge, and appending stays refused until it is resolved.
    """
    if AuditChainHead.objects.filter(pk=1).exists() or AuditEvent.objects.exists():
        return
    key_check = chain.key_check()
    AuditChainHead.objects.get_or_create(
        pk=1,
        defaults={
            "last_digest": chain.GENESIS,
            "event_count": 0,
            "key_check": key_check,
            "mac": chain.head_mac(
                event_count=0, last_event_id=None, last_digest=chain.GENESIS, key_check=key_check
            ),
        },
    )


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
        # The head row is the lock that orders concurrent appends and hands out positions: a
        # write that rolls back takes its position back with it, so positions have no gaps.
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            raise AuditChainError(
                "the audit chain head is missing; run `tandem audit verify` and restore it"
            )
        if not hmac.compare_digest(head.key_check, chain.key_check()):
            raise AuditChainError(
                "AUDIT_HMAC_KEY is not the key this audit chain is written with; "
                "events are not appended under another key"
            )
        seq = head.event_count + 1
        payload = chain.canonical(chain_version=chain.CURRENT_VERSION, seq=seq, **fields)  # type: ignore[arg-type]  # fields typed above
        signed = chain.digest(head.last_digest, payload)
        event = AuditEvent.objects.create(
            seq=seq,
            chain_version=chain.CURRENT_VERSION,
            previous_digest=head.last_digest,
            digest=signed,
            **fields,
        )
        head.event_count = seq
        head.last_digest = signed
        head.last_event_id = event.pk
        head.mac = _mac_of(head)
        head.save(update_fields=["event_count", "last_digest", "last_event_id", "mac"])
    return event


def _mac_of(head: AuditChainHead) -> str:
    return chain.head_mac(
        event_count=head.event_count,
        last_event_id=head.last_event_id,
        last_digest=head.last_digest,
        key_check=head.key_check,
    )


def _payload(event: AuditEvent) -> bytes:
    return chain.canonical(
        chain_version=event.chain_version,
        seq=event.seq,
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


def _is_signed_with_this_key(event: AuditEvent) -> bool:
    expected = chain.digest(event.previous_digest, _payload(event))
    return hmac.compare_digest(expected, event.digest)


def require_chain_key(head: AuditChainHead | None) -> None:
    """Raise ``AuditKeyError`` unless the configured key is the one the chain is written with.

    A development key generated by this very process (run from a directory without
    ``var/secret_key``) is never the chain's key. Otherwise the head's key check value decides;
    should it have been altered, the first event still proves which key is right.
    """
    if settings.AUDIT_HMAC_KEY_IS_NEW:
        raise AuditKeyError(
            "no audit key: a new development key was generated just now; set AUDIT_HMAC_KEY "
            "(or SECRET_KEY), or TANDEM_HOME to the directory holding var/secret_key"
        )
    if head is None or hmac.compare_digest(head.key_check, chain.key_check()):
        return
    first = AuditEvent.objects.order_by("seq").first()
    if first is not None and first.seq == 1 and _is_signed_with_this_key(first):
        return  # the right key: the altered key check is reported as a break of the head
    raise AuditKeyError(
        "AUDIT_HMAC_KEY is not the key this audit chain was written with "
        "(or its head and first event were altered); nothing was verified"
    )


def head_problem(head: AuditChainHead | None) -> str:
    """What is wrong with the head's own signature, or "" when it holds."""
    if head is None:
        return "the chain head is missing"
    # Reached with the chain's key (see require_chain_key): a key check value naming another
    # key was altered, as is a head whose signature does not match its fields.
    if not hmac.compare_digest(head.key_check, chain.key_check()) or not hmac.compare_digest(
        head.mac, _mac_of(head)
    ):
        return "the chain head was altered (its signature does not match)"
    return ""


@dataclass(frozen=True, slots=True)
class VerifyResult:
    checked: int
    first_broken_id: int | None
    problem: str

    @property
    def is_intact(self) -> bool:
        return self.first_broken_id is None and not self.problem


def verify_chain(*, batch_size: int = 2000, checkpoint: Checkpoint | None = None) -> VerifyResult:
    """Walk the chain in order and report the first thing that does not hold.

    Detects an edited row (its digest no longer matches its fields), a removed row (a gap in
    positions, or the next row's previous digest naming something else), removed events at the
    end (the signed head counts more), a rewritten or removed head (its signature), and with a
    ``checkpoint`` taken earlier, a chain cut back to an earlier state with an old head copied in.
    Raises ``AuditKeyError`` when the configured key is not the chain's.

    The walk stops at the head as first read: events appended meanwhile are checked next time.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    require_chain_key(head)
    end = head.event_count if head is not None else None
    if checkpoint is not None and not checkpoint.is_signed:
        return VerifyResult(
            0, None, f"the checkpoint of {checkpoint.at} was forged (its signature does not match)"
        )
    previous = chain.GENESIS
    checked = 0
    last: AuditEvent | None = None
    at_checkpoint: AuditEvent | None = None
    while True:
        batch = AuditEvent.objects.filter(seq__gt=checked).order_by("seq")
        if end is not None:
            batch = batch.filter(seq__lte=end)
        rows = list(batch[:batch_size])
        if not rows:
            break
        for event in rows:
            checked += 1
            if event.seq != checked:
                missing = (
                    f"the event at position {checked} was"
                    if event.seq == checked + 1
                    else f"the events at positions {checked} to {event.seq - 1} were"
                )
                return VerifyResult(checked, event.pk, f"{missing} removed")
            if not hmac.compare_digest(event.previous_digest, previous):
                return VerifyResult(
                    checked, event.pk, "the event before this one was removed or altered"
                )
            if not _is_signed_with_this_key(event):
                return VerifyResult(checked, event.pk, "this event was edited after it was written")
            if checkpoint is not None and event.seq == checkpoint.position:
                at_checkpoint = event
            previous = event.digest
            last = event
    problem = head_problem(head)
    if problem or head is None:
        return VerifyResult(checked, None, problem)
    if head.event_count != checked or not hmac.compare_digest(head.last_digest, previous):
        return VerifyResult(
            checked, head.last_event_id, "events at the end of the chain were removed"
        )
    if last is not None and head.last_event_id != last.pk:
        return VerifyResult(checked, last.pk, "the chain head names another last event")
    if _rows_beyond_the_head():
        return VerifyResult(
            checked, None, "events follow the chain head (it was put back to an earlier state)"
        )
    if checkpoint is not None:
        problem = _checkpoint_problem(checkpoint, checked, at_checkpoint)
        if problem:
            return VerifyResult(checked, None, problem)
    return VerifyResult(checked, None, "")


def _rows_beyond_the_head() -> bool:
    """Whether events stand beyond the head as it is now (not as it was when the walk began).

    One statement, so that it sees the head and the events of the same moment.
    """
    head_now = AuditChainHead.objects.filter(pk=1).values("event_count")
    return AuditEvent.objects.filter(seq__gt=Subquery(head_now)).exists()


def _checkpoint_problem(
    checkpoint: Checkpoint, checked: int, at_checkpoint: AuditEvent | None
) -> str:
    if checked < checkpoint.event_count:
        return (
            f"the checkpoint of {checkpoint.at} counted {checkpoint.event_count} events; "
            f"only {checked} remain"
        )
    if checkpoint.position and (
        at_checkpoint is None
        or not hmac.compare_digest(at_checkpoint.digest, checkpoint.last_digest)
    ):
        return (
            f"the event at position {checkpoint.position} is not the one in the checkpoint "
            f"of {checkpoint.at}"
        )
    return ""
