"""How aggregate figures are shown: small-cell suppression and table-cell formatting.

Aggregates shown outside a case manager's own caseload suppress cells of fewer than
``SMALL_CELL`` clients (DESIGN.md, Access): the count and every figure derived from it are
replaced by ``SUPPRESSED`` in tables and left out of charts. Every app that shows such a
figure (dashboards, fidelity indicators, reports) takes these from here.
"""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format, number_format

SMALL_CELL = 5
SUPPRESSED = "<5"

Cell = str | int | float | None


def is_small(n: int) -> bool:
    """True when a cell counts too few clients to be shown outside one's own caseload."""
    return 0 < n < SMALL_CELL


def shown(value: Cell, n: int) -> Cell:
    """``value`` unless it rests on fewer than ``SMALL_CELL`` clients."""
    return SUPPRESSED if is_small(n) else value


def day_text(day: date) -> str:
    """A day as a table cell, in the reader's short date format."""
    return date_format(day, "SHORT_DATE_FORMAT")


def month_text(month: date) -> str:
    """A month as a table cell or chart label, in the reader's year-month format."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def figure_text(value: float) -> str:
    """A figure in the reader's number format: whole as it is, otherwise to one decimal."""
    return number_format(value, 0 if float(value).is_integer() else 1, use_l10n=True)


def number_text(value: float | None, places: int = 1) -> Cell:
    """A figure as a table cell to ``places`` decimals, in the reader's number format."""
    return None if value is None else number_format(round(value, places), places)


def rounded(value: float | None, digits: int = 1) -> float | None:
    """A figure rounded for a table (None stays None)."""
    return None if value is None else round(value, digits)
