"""The address a request comes from, honouring the reverse proxies Tandem is told to trust.

``TRUSTED_PROXY_COUNT`` (environment variable of the same name) is the number of proxies in
front of Tandem that each append the address they received from to ``X-Forwarded-For``. With
none, the address is the connection's peer. With N, it is the N-th entry from the end: the one
the outermost trusted proxy wrote; entries before it are whatever the client chose to send.
The sign-in lockout (django-axes) and the self-report rate limit both count this address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def trusted_proxy_count() -> int:
    """How many reverse proxies in front of Tandem append to X-Forwarded-For (0: none)."""
    return int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))


def client_address(request: HttpRequest) -> str:
    """The client's IP address, read from X-Forwarded-For only as far as trusted proxies wrote it.

    A missing, short or malformed header falls back to the peer's address, which is then a
    proxy's: one bucket for every client rather than a bucket the client picks.
    """
    peer = str(request.META.get("REMOTE_ADDR", ""))
    hops = trusted_proxy_count()
    if hops <= 0:
        return peer
    forwarded = [
        entry.strip()
        for entry in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if entry.strip()
    ]
    if len(forwarded) < hops:
        return peer
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return peer
