"""Session lifetime: 30 minutes idle (cookie age, renewed per request) and 12 hours absolute."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse

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


__all__ = ["LOGIN_AT_KEY", "LoginRequiredMiddleware", "SessionTimeoutMiddleware", "logout"]
