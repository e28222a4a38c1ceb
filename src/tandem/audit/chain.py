"""The HMAC chain itself: canonical forms of an event, of the head and of a checkpoint.

Every message signed here starts differently (a 64-digit digest for an event, a label for the
others), so a signature made for one kind of message never passes for another.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.conf import settings

GENESIS = "0" * 64

# Version 1 events were written before positions existed: their position is not signed (their
# order is still held by each event's previous digest). Version 2 signs the position too.
LEGACY_VERSION = 1
CURRENT_VERSION = 2

_KEY_CHECK_LABEL = b"tandem audit key check"


def canonical(
    *,
    chain_version: int,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_role: str,
    agency_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    request_id: str,
    outcome: str,
) -> bytes:
    """Serialise the fields an event is signed over, in a fixed order, unambiguously."""
    parts = [
        occurred_at.isoformat(timespec="microseconds"),
        "" if actor_id is None else str(actor_id),
        actor_role,
        "" if agency_id is None else str(agency_id),
        action,
        object_type,
        object_id,
        request_id,
        outcome,
    ]
    if chain_version != LEGACY_VERSION:
        parts = [f"v{chain_version}", str(seq), *parts]
    return _join(parts)


def digest(previous_digest: str, payload: bytes) -> str:
    """Return the hex HMAC-SHA256 of the previous digest followed by the payload."""
    return _sign(previous_digest.encode() + b"\x1e" + payload)


def head_mac(
    *, event_count: int, last_event_id: int | None, last_digest: str, key_check: str
) -> str:
    """Signature of the chain head: how many events, which is last, and its digest."""
    return _sign(
        _join(["head", str(event_count), _optional(last_event_id), last_digest, key_check])
    )


def checkpoint_mac(
    *, event_count: int, position: int, last_event_id: int | None, last_digest: str, at: str
) -> str:
    """Signature of a checkpoint kept outside the database."""
    return _sign(
        _join(
            [
                "checkpoint",
                str(event_count),
                str(position),
                _optional(last_event_id),
                last_digest,
                at,
            ]
        )
    )


def key_check() -> str:
    """A value that names the configured key without revealing it, stored on the chain head."""
    return _key_check_of(settings.AUDIT_HMAC_KEY)


@lru_cache(maxsize=4)
def _key_check_of(key: str) -> str:
    return hmac.new(key.encode(), _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()


def _sign(message: bytes) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


def _optional(value: int | None) -> str:
    return "" if value is None else str(value)


def _join(parts: list[str]) -> bytes:
    return "\x1f".join(p.replace("\x1f", " ") for p in parts).encode()


class CheckpointError(Exception):
    """A checkpoint cannot be taken, or a checkpoint file cannot be read."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    event_count: int
    position: int
    last_event_id: int | None
    last_digest: str
    at: str
    mac: str

    @property
    def is_signed(self) -> bool:
        """Whether the signature matches the fields under the configured key."""
        return hmac.compare_digest(self.mac, self.expected_mac())

    def expected_mac(self) -> str:
        return checkpoint_mac(
            event_count=self.event_count,
            position=self.position,
            last_event_id=self.last_event_id,
            last_digest=self.last_digest,
            at=self.at,
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "events": self.event_count,
                "position": self.position,
                "event_id": self.last_event_id,
                "digest": self.last_digest,
                "at": self.at,
                "mac": self.mac,
            }
        )

    @classmethod
    def from_json(cls, line: str) -> Checkpoint:
        try:
            fields = json.loads(line)
            checkpoint = cls(
                event_count=int(fields["events"]),
                position=int(fields["position"]),
                last_event_id=None if fields["event_id"] is None else int(fields["event_id"]),
                last_digest=str(fields["digest"]),
                at=str(fields["at"]),
                mac=str(fields["mac"]),
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise CheckpointError(f"the newest checkpoint line is malformed ({exc})") from None
        return checkpoint
