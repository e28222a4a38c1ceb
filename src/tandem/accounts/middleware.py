"""Session lifetime (30 minutes idle, 12 hours absolute), sign-in required by default, and the
forced password change after someone else set a person's password."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

LOGIN_AT_KEY = "tandem_login_at"


class SessionTimeoutMiddleware:
    """End a session twelve hours after login, however active it has been."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        login_at = request.session.get(LOGIN_AT_KEY)
        limit = settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
        if login_at is not None and time.time() - float(login_at) > limit:
            # logout() needs request.user; it is set later, so flush the session directly.
            request.session.flush()
        return self.get_response(request)


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Deny by default: every view needs a signed-in user unless marked ``login_not_required``."""


# What a person who must change their password can still reach.
REACHABLE_BEFORE_PASSWORD_CHANGE = frozenset(
    {
        "accounts:password_change",
        "accounts:password_change_done",
        "accounts:logout",
        "set_language",
        "core:health",
    }
)


class PasswordChangeRequiredMiddleware:
    """Send a signed-in person whose password someone else set to choose their own first.

    Every page but the password change itself, signing out, the language switch and static
    files answers with a redirect until they have (``User.must_change_password``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not getattr(user, "must_change_password", False):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in REACHABLE_BEFORE_PASSWORD_CHANGE:
            return None
        if settings.STATIC_URL and request.path.startswith(settings.STATIC_URL):
            return None
        url = reverse("accounts:password_change")
        if request.headers.get("HX-Request"):
            # htmx would swap the page into a fragment: ask it to load the page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


__all__ = [
    "LOGIN_AT_KEY",
    "LoginRequiredMiddleware",
    "PasswordChangeRequiredMiddleware",
    "SessionTimeoutMiddleware",
    "logout",
]
