"""How django-axes counts failed sign-ins, and the page a locked sign-in gets.

Failures lock the account, whichever address they come from (``AXES_FAILURE_LIMIT``), and,
separately, the address for every account (``AXES_ADDRESS_FAILURE_LIMIT``, higher, because a
whole office may sign in from one address and one person's typing should not lock them all).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from typing_extensions import override


def account_key(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The typed e-mail as the account's key: trimmed and lower-cased as addresses are stored.

    Without this, ``Worker@…`` and ``worker@…`` would count as two accounts and the per-account
    lock could be dodged by changing the case of a letter.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        typed = credentials.get(field)
    else:
        typed = getattr(request, "data", request.POST).get(field)
    if not isinstance(typed, str) or not typed.strip():
        return None
    return typed.strip().lower()


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """429 with a page that says how long the lock lasts and who can lift it."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes},
        status=429,  # Too Many Requests, as django-axes answers by default
    )


class AccountAndAddressHandler(AxesDatabaseHandler):  # type: ignore[misc]  # untyped library
    """django-axes' database handler with a limit of its own for the address.

    ``AXES_LOCKOUT_PARAMETERS`` is ``["username", "ip_address"]``: axes counts the failures of
    each within the cool-off and locks when the larger reaches ``AXES_FAILURE_LIMIT``. Here the
    address's count is put on the account's scale first, so that it locks at
    ``AXES_ADDRESS_FAILURE_LIMIT`` instead.
    """

    @override
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_account: int
        by_address: int
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit: int = get_failure_limit(request, credentials)
        address_limit: int = settings.AXES_ADDRESS_FAILURE_LIMIT
        # floor(n * limit / address_limit) >= limit exactly when n >= address_limit.
        return max(by_account, by_address * limit // address_limit)

    @override
    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A successful sign-in clears that account's failures, not others' from its address."""
        account = get_client_username(request, credentials)
        removed: int = AccessAttempt.objects.filter(username=account).delete()[0]
        return removed
