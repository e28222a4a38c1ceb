"""Dashboard panels in templates: cell formatting."""

from __future__ import annotations

from django import template

from tandem.core.display import Cell

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
