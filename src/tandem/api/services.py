"""Writes of API tokens: made (the secret shown once), revoked, and matched to a request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import administers_account
from tandem.accounts.models import User
from tandem.api.models import ApiToken
from tandem.api.scopes import parse_scopes, scopes_allowed_for
from tandem.audit.models import Action
from tandem.audit.services import record_event

TEXT_PREFIX = "tdm"
SECRET_BYTES = 32  # 256 random bits
MAX_EXPIRY_DAYS = 3650


def hash_secret(secret: str) -> str:
    """SHA-256 of a token's secret part; the only form in which it is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token and its full text, which is never stored and shown only this once."""

    token: ApiToken
    text: str


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def create_token(
    *,
    actor: User | None,
    user: User,
    name: str,
    scopes: str | list[str],
    expires_in_days: int | None = None,
) -> IssuedToken:
    """Make a token for ``user`` (by themselves, or from the command line with ``actor=None``).

    Refuses a scope the person's roles do not reach on the pages (code ``beyond_role``).
    """
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied
    if not user.is_active:
        raise _field_error("user", _("This account is not active."), "inactive")
    name = name.strip() or _("API token")
    wanted = parse_scopes(scopes)
    beyond = [scope for scope in wanted if scope not in scopes_allowed_for(user)]
    if beyond:
        raise _field_error(
            "scopes",
            _("Your roles do not give %(scopes)s on the pages, so no token can.")
            % {"scopes": ", ".join(beyond)},
            "beyond_role",
        )
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
            raise _field_error(
                "expires_in_days",
                _("A token expires after 1 to %(max)s days.") % {"max": MAX_EXPIRY_DAYS},
                "out_of_range",
            )
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            secret_hash=hash_secret(secret),
            scopes=wanted,
            created_by=actor,
            expires_at=expires_at,
        )
        record_event(actor=actor, action=Action.CREATE, obj=token, agency_id=user.agency_id)
    return IssuedToken(token=token, text=f"{TEXT_PREFIX}_{prefix}_{secret}")


def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: by its owner, or by an administrator of the owner's agency."""
    if actor.pk != token.user_id and not administers_account(actor, token.user):
        raise PermissionDenied
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = actor
            locked.save(update_fields=["revoked_at", "revoked_by"])
            record_event(
                actor=actor, action=Action.UPDATE, obj=locked, agency_id=token.user.agency_id
            )
    return locked


def token_for_text(text: str) -> ApiToken | None:
    """The usable token this text is, its use noted; ``None`` for anything else.

    The row is found by its public prefix and the secret compared in constant time, so a
    guess learns nothing from timing. Revoked, expired and inactive people's tokens are refused.
    """
    parts = text.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TEXT_PREFIX or not parts[1] or not parts[2]:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    candidate = hash_secret(parts[2])
    if token is None:
        hmac.compare_digest(candidate, candidate)
        return None
    if not hmac.compare_digest(candidate, token.secret_hash):
        return None
    now = timezone.now()
    if not token.is_usable(now) or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token
