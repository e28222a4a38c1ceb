"""Reads of API tokens: a person's own, and an administrator's view of their agencies'."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.accounts.models import User
from tandem.accounts.selectors import accounts_administered_by
from tandem.api.models import ApiToken
from tandem.core.access import deny_read


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The person's own tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def get_own_token(user: User, pk: int) -> ApiToken:
    """One of the person's own tokens; an audited 404 for any other."""
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        deny_read(user, "api.apitoken", pk)
    return token


def agency_tokens_for(actor: User) -> QuerySet[ApiToken]:
    """Tokens of the people whose accounts the actor administers, newest first."""
    return (
        ApiToken.objects.filter(user__in=accounts_administered_by(actor))
        .select_related("user")
        .order_by("-created_at", "-pk")
    )


def get_agency_token_for(actor: User, pk: int) -> ApiToken:
    """One token of a person the actor administers; an audited 404 for any other."""
    token = agency_tokens_for(actor).filter(pk=pk).first()
    if token is None:
        deny_read(actor, "api.apitoken", pk)
    return token
