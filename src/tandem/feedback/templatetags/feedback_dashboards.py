"""Dashboard panels in templates: cell formatting, and the dashboard links of the main menu."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.feedback.dashboards.charts import Cell
from tandem.feedback.selectors import programmes_managed_by

register = template.Library()


@register.filter
def cell(value: Cell) -> str:
    """A table cell for display: whole numbers as they are, others to one decimal, empty as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0") if value.is_integer() else f"{value:.1f}"
    return str(value)


@register.filter
def is_numeric(value: Cell) -> bool:
    """True for cells that align as numbers (suppressed and empty cells included)."""
    return value is None or isinstance(value, int | float) or value == "<5"


@register.simple_tag(takes_context=True)
def dashboard_links(context: template.Context) -> list[dict[str, Any]]:
    """Links to the dashboards the signed-in user may open, for the main menu.

    Asks the database only for programme managers (which programmes they manage).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not isinstance(user, User):
        return []
    scope = scope_for(user)
    links = []
    if scope.has_role(Role.CASE_MANAGER):
        links.append((reverse("feedback:my_dashboard"), _("My dashboard")))
    if scope.has_role(Role.PROGRAMME_MANAGER):
        for programme in programmes_managed_by(user).only("pk", "name"):
            links.append(
                (
                    reverse("feedback:programme_dashboard", args=[programme.pk]),
                    _("%(programme)s dashboard") % {"programme": programme.name},
                )
            )
    return [{"url": url, "label": label, "current": request.path == url} for url, label in links]
