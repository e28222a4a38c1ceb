"""The programme dashboard's period: from and to dates, checked and defaulted."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.feedback.dashboards.charts import month_start_before
from tandem.feedback.reports.forms import DATE_INPUT

# Ten years of monthly bars is already more than a chart can show legibly.
LONGEST_PERIOD_DAYS = 3660


def default_period(today: date) -> tuple[date, date]:
    """The twelve calendar months up to ``today``, its own month included."""
    return month_start_before(today, 11), today


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    @override
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or default_period(end)[0]
        if end > self.today:
            self.add_error("end", _("The period cannot end in the future."))
        elif start > end:
            self.add_error("start", _("The start is after the end of the period."))
        elif end - start > timedelta(days=LONGEST_PERIOD_DAYS):
            self.add_error("start", _("The period can be at most ten years long."))
        cleaned["start"], cleaned["end"] = start, end
        return cleaned
