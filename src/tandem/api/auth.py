"""Bearer-token authentication of API requests: found, rate-limited, audited, scoped."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from typing_extensions import override

from tandem.accounts.access import scope_for
from tandem.accounts.models import User
from tandem.api.conventions import ProblemError, check_rate
from tandem.api.models import ApiToken
from tandem.api.scopes import effective_scopes
from tandem.api.services import token_for_text
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event

REQUEST_FIELD = "api_token"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the request acts as the token's person.

    Every accepted call is audited as a view by that person naming the token's id (never the
    token); a refused one is audited without any part of what was sent.
    """

    @override
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for_text(token)
        if found is None:
            record_event(
                actor=None,
                action=Action.DENIED,
                object_type="api.apitoken",
                outcome=Outcome.DENIED,
            )
            return None
        check_rate(found)
        request.user = found.user
        setattr(request, REQUEST_FIELD, found)
        record_event(
            actor=found.user,
            action=Action.VIEW,
            object_type="api.apitoken",
            object_id=str(found.pk),
            agency_id=found.user.agency_id,
        )
        return found


def token_of(request: HttpRequest) -> ApiToken:
    return cast(ApiToken, getattr(request, REQUEST_FIELD))


def acting_user(request: HttpRequest, scope: str, *, roles: tuple[str, ...] = ()) -> User:
    """The token's person, if the token's scopes and their roles both give ``scope``; else 403.

    ``roles`` narrows further where the page itself admits fewer roles than the area (intake).
    """
    token = token_of(request)
    in_role = not roles or scope_for(token.user).has_role(*roles)
    if scope not in effective_scopes(token.user, token.scopes) or not in_role:
        record_event(
            actor=token.user,
            action=Action.DENIED,
            object_type="api.apitoken",
            object_id=str(token.pk),
            outcome=Outcome.DENIED,
        )
        raise ProblemError(
            status=403,
            title=_("This token may not do that."),
            detail=_("It needs the scope %(scope)s, and your roles must give it on the pages.")
            % {"scope": scope},
            code="insufficient_scope",
        )
    return token.user
