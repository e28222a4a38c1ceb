"""The period of a dashboard: from and to dates, checked and defaulted."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.core.forms import DATE_INPUT
from tandem.dashboards.periods import LONGEST_PERIOD_DAYS, default_period


def check_period(form: forms.Form, start: date | None, end: date | None) -> None:
    """Refuse a period that ends before it starts (both dates marked) or runs past ten years."""
    if start is None or end is None:
        return
    if start > end:
        form.add_error("start", _("The start is after the end of the period."))
        form.add_error("end", _("The end of the period is before its start."))
    elif (end - start).days > LONGEST_PERIOD_DAYS:
        form.add_error("start", _("The period can be at most ten years long."))


class PeriodForm(forms.Form):
    """The period a dashboard shows, both ends included; either end may be left out.

    Without an end the period ends today; without a start it is the default period up to its
    end (``periods.default_period``).
    """

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
        else:
            check_period(self, start, end)
        cleaned["start"], cleaned["end"] = start, end
        return cleaned
