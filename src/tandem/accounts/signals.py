"""Audit sign-ins, failures, lockouts and sign-outs; stamp the login time for the 12-hour limit."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from tandem.accounts.middleware import LOGIN_AT_KEY
from tandem.accounts.models import User
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None:
        request.session[LOGIN_AT_KEY] = time.time()
    record_event(
        actor=user, action=Action.LOGIN, object_type="accounts.user", object_id=str(user.pk)
    )


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record_event(
            actor=user, action=Action.LOGOUT, object_type="accounts.user", object_id=str(user.pk)
        )


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The typed email is personal data and stays out of the audit log.
    record_event(
        actor=None, action=Action.LOGIN_FAILED, object_type="accounts.user", outcome=Outcome.DENIED
    )


@receiver(user_locked_out)
def on_locked_out(sender: Any, **kwargs: Any) -> None:
    record_event(
        actor=None, action=Action.LOCKED_OUT, object_type="accounts.user", outcome=Outcome.DENIED
    )
