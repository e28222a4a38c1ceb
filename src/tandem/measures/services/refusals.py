"""Refused requests for self-report links: counted per address and window, audited once."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.measures.models import RefusedLinkAttempts

# The rate limit's window: refusals are counted, and audited once, per address and window.
REFUSAL_WINDOW_SECONDS = 600


def address_digest(address: str) -> str:
    """A keyed digest of a client address: stable for counting, unreadable without the key."""
    return salted_hmac("tandem.measures.refused-link", address, algorithm="sha256").hexdigest()


def _window_start(now: datetime) -> datetime:
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % REFUSAL_WINDOW_SECONDS, tz=UTC)


def record_refused_link_request(
    *, address: str, throttled: bool, now: datetime | None = None
) -> None:
    """Count one refused request from ``address``: a token that opens no link, or (``throttled``)
    a request refused by the rate limit. The first of its window is audited, naming the row
    that keeps the count."""
    now = now or timezone.now()
    counted = "throttled" if throttled else "refused"
    with transaction.atomic():
        attempts, created = RefusedLinkAttempts.objects.get_or_create(
            address_digest=address_digest(address),
            window_start=_window_start(now),
            defaults={"last_at": now},
        )
        RefusedLinkAttempts.objects.filter(pk=attempts.pk).update(
            **{counted: F(counted) + 1}, last_at=now
        )
        if created:
            record_event(
                actor=None,
                action=Action.VIEW,
                obj=attempts,
                outcome=Outcome.DENIED,
            )
