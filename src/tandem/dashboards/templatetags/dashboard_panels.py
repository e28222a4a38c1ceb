"""Dashboard panels in templates: cell formatting."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from tandem.core.display import Cell, figure_text

register = template.Library()


@register.filter
def cell(value: Cell) -> str:
    """A table cell for display: whole numbers as they are, others to one decimal in the reader's
    number format, empty as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return figure_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, use_l10n=True)
    return str(value)


@register.filter
def is_numeric(value: Cell) -> bool:
    """True for cells that align as numbers (suppressed and empty cells included)."""
    return value is None or isinstance(value, int | float) or value == "<5"
