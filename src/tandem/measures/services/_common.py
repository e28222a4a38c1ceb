"""Helpers shared by the measures services: token hashing and access checks."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError

from tandem.accounts.models import User
from tandem.clients.models import Episode
from tandem.clients.selectors import episodes_visible_to
from tandem.measures.models import Administration

LINK_LIFETIME_DAYS = 14
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits


def hash_token(token: str) -> str:
    """SHA-256 of a link token; the only form in which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def require_episode_access(actor: User, episode: Episode) -> None:
    """Writes about a client's measures need the same reach as opening the client."""
    if not episodes_visible_to(actor).filter(pk=episode.pk).exists():
        raise PermissionDenied


def agency_id_of(administration: Administration) -> int:
    """The agency an administration's audit events belong to."""
    return administration.client.agency_id


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A ``ValidationError`` on one field whose code survives (``error_dict[field][0].code``)."""
    return ValidationError({field: ValidationError(message, code=code)})
