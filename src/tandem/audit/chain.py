"""The HMAC chain itself: canonical form of an event and its digest."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from django.conf import settings

GENESIS = "0" * 64


def canonical(
    *,
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
    return "\x1f".join(p.replace("\x1f", " ") for p in parts).encode()


def digest(previous_digest: str, payload: bytes) -> str:
    """Return the hex HMAC-SHA256 of the previous digest followed by the payload."""
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, previous_digest.encode() + b"\x1e" + payload, hashlib.sha256).hexdigest()
