"""The "Research consent" panel of the client's page, for the people who may open the record."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.accounts.models import User
from tandem.clients.models import Client
from tandem.research import selectors

register = template.Library()


@register.inclusion_tag("research/_consent_panel.html", takes_context=True)
def research_consent(context: template.Context, client: Client) -> dict[str, Any]:
    """Each study open to the client and the client's consent to it."""
    user = context["request"].user
    if not isinstance(user, User) or not selectors.may_record_consent(user):
        return {"visible": False}
    return {
        "visible": True,
        "client": client,
        "rows": selectors.consent_panel_for(user, client),
    }
