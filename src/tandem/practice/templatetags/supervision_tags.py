"""The "from supervision" panels, rendered where a page includes them (client page, home)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from tandem.accounts.access import CLINICAL_ROLES, scope_for
from tandem.accounts.models import User
from tandem.clients.models import Client
from tandem.orgs.models import Team
from tandem.practice.supervision import selectors

register = template.Library()


def _clinical_user(context: template.Context) -> User | None:
    user = context["request"].user
    if not isinstance(user, User) or not scope_for(user).has_role(*CLINICAL_ROLES):
        return None
    return user


@register.inclusion_tag("practice/_from_supervision.html", takes_context=True)
def from_supervision(context: template.Context, client: Client) -> dict[str, Any]:
    """The group's latest suggestions about the client and the actions agreed still open."""
    user = _clinical_user(context)
    if user is None:
        return {"visible": False}
    advice = selectors.supervision_advice_for(user, client)
    return {
        "visible": True,
        "rows": [
            {"action": a, "may_close": selectors.may_close(user, a)} for a in advice.open_actions
        ],
        "suggestions": advice.suggestions,
        "today": timezone.localdate(),
        "back": context["request"].get_full_path(),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("practice/_my_agreed_actions.html", takes_context=True)
def my_agreed_actions(context: template.Context) -> dict[str, Any]:
    """The signed-in person's own open agreed actions, overdue first."""
    user = _clinical_user(context)
    if user is None:
        return {"visible": False}
    return {
        "visible": True,
        "actions": selectors.open_actions_owned_by(user),
        "today": timezone.localdate(),
        "back": context["request"].get_full_path(),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("practice/_team_agreed_actions.html", takes_context=True)
def team_agreed_actions(context: template.Context, team: Team) -> dict[str, Any]:
    """For the team's supervisor: the actions agreed in its sessions that are still open."""
    user = _clinical_user(context)
    if user is None or not selectors.supervises(user, team.pk):
        return {"visible": False}
    return {
        "visible": True,
        "team": team,
        "actions": selectors.open_actions_of_team(user, team.pk, team.programme.agency_id),
        "today": timezone.localdate(),
    }
