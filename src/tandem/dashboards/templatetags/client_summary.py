"""The summary at the top of the client page, rendered where the client template includes it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.clients.models import Client
from tandem.dashboards.summary import client_summary as build_summary

register = template.Library()


@register.inclusion_tag("dashboards/_client_summary.html", takes_context=True)
def client_summary(context: template.Context, client: Client) -> dict[str, Any]:
    """Next steps, measures due and open alerts first; then plan, strengths, contacts, scores."""
    user = context["request"].user
    if not isinstance(user, User) or not scope_for(user).has_role(
        Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER
    ):
        return {"visible": False}
    summary = build_summary(user, client)
    return {
        "visible": True,
        "summary": summary,
        "scores": [
            # SVG drawn by matplotlib on the server from stored scores, not user markup.
            {"score": score, "svg": mark_safe(score.history.svg)}  # noqa: S308
            for score in summary.scores
        ],
    }
