"""View guards: a role check that answers 403, and the audited 404 for records out of reach."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from tandem.accounts.access import scope_for
from tandem.accounts.models import User
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Let the view run only for users holding one of ``roles``; others get 403 (audited)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not scope_for(request.user).has_role(*roles):
                record_event(
                    actor=user_of(request),
                    action=Action.DENIED,
                    object_type="view",
                    object_id=request.resolver_match.view_name if request.resolver_match else "",
                    outcome=Outcome.DENIED,
                )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def user_of(request: HttpRequest) -> User:
    """The signed-in user; LoginRequiredMiddleware has already turned anonymous visitors away."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def deny_read(user: User, object_type: str, object_id: object) -> NoReturn:
    """Audit a refused read and answer 404, the same for a hidden record as for a missing one."""
    record_event(
        actor=user,
        action=Action.VIEW,
        object_type=object_type,
        object_id=str(object_id),
        outcome=Outcome.DENIED,
    )
    raise Http404
