"""Calendar periods of the dashboards and reports: months, weeks, quarters, the default period.

Every dashboard that takes a period (team, programme) and every report built on one starts from
``default_period`` when none is chosen, and ``LONGEST_PERIOD_DAYS`` bounds a chosen one
(``forms.PeriodForm``).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.utils.translation import gettext as _

DEFAULT_PERIOD_MONTHS = 24
# Ten years, leap days included: longer, and neither the monthly bars nor the indicator band
# (one value a week) can be read.
LONGEST_PERIOD_DAYS = 3653


def month_starts(start: date, end: date) -> list[date]:
    """The first day of every calendar month from ``start``'s to ``end``'s, inclusive."""
    found = []
    month = start.replace(day=1)
    while month <= end:
        found.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def month_start_before(day: date, months: int) -> date:
    """The first day of the month ``months`` calendar months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    first = month_start_before(day, months)
    return first.replace(day=min(day.day, calendar.monthrange(first.year, first.month)[1]))


def default_period(today: date) -> tuple[date, date]:
    """The last 24 months up to ``today``, both ends included."""
    return months_before(today, DEFAULT_PERIOD_MONTHS) + timedelta(days=1), today


def week_starts(start: date, end: date) -> list[date]:
    """The Monday of every ISO week from ``start``'s to ``end``'s, inclusive."""
    monday = start - timedelta(days=start.weekday())
    found = []
    while monday <= end:
        found.append(monday)
        monday += timedelta(days=7)
    return found


def quarters_between(start: date, end: date) -> list[tuple[int, int]]:
    """Calendar quarters (year, 1..4) overlapping ``start``..``end``, oldest first."""
    found = []
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while (year, quarter) <= (end.year, (end.month - 1) // 3 + 1):
        found.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return found


def quarter_label(year: int, quarter: int) -> str:
    return _("%(year)d Q%(quarter)d") % {"year": year, "quarter": quarter}
