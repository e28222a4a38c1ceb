"""The Measures section of the client page, and the measures links of a programme's pages,
rendered where those templates include them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.clients.models import Client
from tandem.core.display import figure_text
from tandem.measures import selectors
from tandem.measures.history import histories
from tandem.measures.labels import localised
from tandem.measures.models import AdministrationStatus
from tandem.orgs.models import Programme
from tandem.orgs.selectors import programmes_managed_by

register = template.Library()


@register.inclusion_tag("measures/_client_measures.html", takes_context=True)
def client_measures(context: template.Context, client: Client) -> dict[str, Any]:
    """Due, overdue and missed measures, and each instrument's scores over time."""
    user = context["request"].user
    if not isinstance(user, User) or not scope_for(user).has_role(
        Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER
    ):
        return {"visible": False}
    administrations = selectors.client_administrations_for(user, client)
    history = histories(selectors.client_responses_for(user, client))
    attention = selectors.by_urgency(administrations)
    return {
        "visible": True,
        "client": client,
        "attention": attention,
        "open_administrations": attention.current,
        "scheduled": [a for a in administrations if a.status == AdministrationStatus.SCHEDULED],
        "not_collected": [
            a for a in administrations if a.status == AdministrationStatus.NOT_COLLECTED
        ],
        "completed_count": sum(
            1 for a in administrations if a.status == AdministrationStatus.COMPLETED
        ),
        "histories": [
            {"history": h, "svg": mark_safe(h.svg)}  # noqa: S308  # SVG rendered by matplotlib here
            for h in history
        ],
    }


@register.filter
def wave_label(wave: str) -> str:
    """A wave's machine label ("baseline", "month 4.5", "contact 6") in the reader's language."""
    from django.utils.translation import gettext as _

    if wave == "baseline":
        return _("Baseline")
    if wave == "intake":
        return _("Intake")
    if wave == "discharge":
        return _("Discharge")
    if wave == "extra":
        return _("Scheduled by hand")
    kind, _sep, number = wave.partition(" ")
    if kind == "month":
        return _("Month %(number)s") % {"number": _decimal(number)}
    if kind == "contact":
        return _("Contact %(number)s") % {"number": number}
    return wave


def _decimal(number: str) -> str:
    """A number from a wave's machine label ("4.5") in the reader's format ("4,5")."""
    try:
        value = float(number)
    except ValueError:
        return number
    return figure_text(value)


@register.filter
def score_value(scores: dict[str, float | None], name: str) -> str:
    """A stored score for display: up to one decimal, or "not scored"."""
    from django.utils.translation import gettext as _

    value = scores.get(name)
    if value is None:
        return _("not scored")
    return figure_text(round(float(value), 1))


@register.filter
def localised_label(label: str) -> str:
    """A built-in instrument title or score label in the active language."""
    return localised(label)


@register.filter
def add_rows(first: list[Any], second: list[Any]) -> list[Any]:
    """Two lists of rows one after the other."""
    return [*first, *second]


@register.inclusion_tag("measures/_programme_links.html", takes_context=True)
def programme_measures_links(context: template.Context, programme: Programme) -> dict[str, Any]:
    """Links to the programme's response export and import, for those allowed to use them."""
    user = context["request"].user
    allowed = (
        isinstance(user, User)
        and scope_for(user).has_role(Role.PROGRAMME_MANAGER)
        and programmes_managed_by(user).filter(pk=programme.pk).exists()
    )
    return {"visible": allowed, "programme": programme}
