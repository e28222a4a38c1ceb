"""``{% form_token %}``: the hidden one-time token every creating form carries."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tandem.core.form_tokens import FIELD_NAME, token_for

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context: template.Context) -> SafeString:
    """A hidden input with a new token; put it beside ``{% csrf_token %}`` in the form."""
    request = context.get("request")
    token = token_for(request) if request is not None else ""
    if not token:
        return SafeString("")
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, token)
