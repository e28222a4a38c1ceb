"""What the measures pages share: who may open them, error and wording helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse

from tandem.accounts.models import Role, User
from tandem.measures import selectors
from tandem.measures.models import Administration
from tandem.measures.registry import get_instrument

CLINICAL = (Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


def errors_by_field(error: ValidationError) -> dict[str, str]:
    """A service's ``ValidationError`` as one message per field (``__all__`` for the rest)."""
    if hasattr(error, "error_dict"):
        return {
            field: " ".join(message for e in errors for message in e.messages)
            for field, errors in error.error_dict.items()
        }
    return {"__all__": " ".join(error.messages)}


@dataclass(frozen=True, slots=True)
class ShownWording:
    """The item texts a page shows: the agency's wording in one language, or none."""

    texts: dict[str, str]
    language: str
    is_demo: bool = False  # invented demo statements, not the instrument's text

    @property
    def is_missing(self) -> bool:
        return not self.texts


def licensed_wording(administration: Administration, language: str) -> ShownWording:
    """The client's agency's item texts in ``language``; empty when none were uploaded."""
    instrument = get_instrument(administration.instrument_code)
    row = selectors.latest_wording(instrument, language, administration.client.agency_id)
    if row is None:
        return ShownWording({}, language)
    return ShownWording({str(k): str(v) for k, v in row.texts.items()}, language, row.is_demo)


def wording_context(user: User | AnonymousUser, wording: ShownWording) -> dict[str, Any]:
    """What a staff page needs to say about the wording it shows, and where it is loaded."""
    may_load = isinstance(user, User) and user.is_staff
    return {
        "wording": wording,
        "wording_admin_url": (
            reverse("admin:measures_instrumentwording_changelist") if may_load else ""
        ),
    }
