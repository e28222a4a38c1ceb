"""``{% cards %}...{% endcards %}``: tables that read as stacked cards on a phone."""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token
from django.utils.safestring import SafeString, mark_safe
from typing_extensions import override

from tandem.core.cards import label_cells

register = template.Library()


class CardsNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    @override
    def render(self, context: template.Context) -> SafeString:
        # The markup is the template's own rendered (already escaped) output; label_cells only
        # adds a class and attributes whose values it escapes itself.
        return mark_safe(label_cells(self.nodelist.render(context)))  # noqa: S308


@register.tag
def cards(parser: Parser, token: Token) -> CardsNode:
    """Wrap a table: it gets class ``cards`` and each body cell the ``data-label`` of its column."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% cards %} takes no arguments")
    nodelist = parser.parse(("endcards",))
    parser.delete_first_token()
    return CardsNode(nodelist)
