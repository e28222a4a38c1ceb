"""``{% home_panels %}``: the panels other apps add to a start page (see core.home_panels)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from tandem.core import home_panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def home_panels(context: Any) -> SafeString:
    request = context.get("request")
    if request is None:
        return mark_safe("")  # an empty string
    rendered = [(html,) for panel in registry.panels() if (html := panel(request))]
    return format_html_join("", "{}", rendered)
