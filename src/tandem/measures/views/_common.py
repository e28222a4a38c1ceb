"""What the measures pages share: who may open them, error and wording helpers."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from tandem.accounts.models import Role
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


def licensed_wording(administration: Administration, language: str) -> dict[str, str]:
    """The client's agency's licensed item texts in ``language``; empty when none uploaded."""
    instrument = get_instrument(administration.instrument_code)
    row = selectors.latest_wording(instrument, language, administration.client.agency_id)
    return {str(k): str(v) for k, v in row.texts.items()} if row is not None else {}
