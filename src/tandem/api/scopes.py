"""Token scopes: read or write per area, and what a person's roles allow in each area.

A token's effective permission is the intersection of its scopes and what its person's roles
give on the pages, computed again on every request (a role removed after the token was made
narrows the token at once). The selectors then narrow the rows as they do for the pages.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User

AREAS = ("clients", "practice", "measures", "fidelity", "feedback", "research")
ACCESS = ("read", "write")
ALL_SCOPES = tuple(f"{access}:{area}" for area in AREAS for access in ACCESS)

_CLINICAL = (Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER)

# Which roles reach each area on the pages (read and write alike: the services decide the rest).
ROLES_BY_AREA: dict[str, tuple[str, ...]] = {
    "clients": _CLINICAL,
    "practice": _CLINICAL,
    "measures": _CLINICAL,
    "feedback": _CLINICAL,
    "fidelity": (Role.ASSESSOR, Role.SUPERVISOR, Role.PROGRAMME_MANAGER),
    "research": (Role.RESEARCHER,),
}


def scopes_allowed_for(user: User | AnonymousUser) -> frozenset[str]:
    """Every scope the person's roles reach on the pages."""
    scope = scope_for(user)
    return frozenset(
        f"{access}:{area}"
        for area, roles in ROLES_BY_AREA.items()
        if scope.has_role(*roles)
        for access in ACCESS
    )


def effective_scopes(user: User, granted: list[str] | tuple[str, ...]) -> frozenset[str]:
    """The token's scopes that its person's roles still give (the intersection)."""
    return frozenset(granted) & scopes_allowed_for(user)


def parse_scopes(text: str | list[str]) -> list[str]:
    """``read:clients,write:measures`` as a sorted list; ``ValidationError`` on field ``scopes``.

    A write scope implies nothing: ask for ``read:measures`` too to read what you write.
    """
    words = text if isinstance(text, list) else text.split(",")
    found: set[str] = set()
    unknown = _("Unknown scope %(scope)s: use read or write, a colon, an area: %(areas)s.")
    for word in words:
        word = word.strip()
        if not word:
            continue
        if word not in ALL_SCOPES:
            raise ValidationError(
                {
                    "scopes": ValidationError(
                        unknown % {"scope": word, "areas": ", ".join(AREAS)},
                        code="unknown_scope",
                    )
                }
            )
        found.add(word)
    if not found:
        raise ValidationError(
            {"scopes": ValidationError(_("Choose at least one scope."), code="required")}
        )
    return sorted(found)
