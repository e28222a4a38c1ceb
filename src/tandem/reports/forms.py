"""The form of a report request."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.core.forms import DATE_INPUT
from tandem.dashboards.forms import check_period
from tandem.dashboards.periods import quarter_label, quarters_between
from tandem.orgs.models import Programme, Team
from tandem.reports.models import ReportKind

REPORT_QUARTERS = 8


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a calendar quarter."""
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def recent_quarters(today: date, count: int = REPORT_QUARTERS) -> list[tuple[int, int]]:
    """The current quarter and the ``count - 1`` before it, newest first."""
    back = date(today.year - 3, 1, 1)
    return list(reversed(quarters_between(back, today)))[:count]


class ReportRequestForm(forms.Form):
    """A quarterly team report (team + quarter) or a programme report (programme + period)."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    quarter = forms.ChoiceField(label=_("Quarter"), required=False)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    start = forms.DateField(label=_("From"), widget=DATE_INPUT, required=False)
    end = forms.DateField(label=_("To"), widget=DATE_INPUT, required=False)

    def __init__(
        self,
        *args: Any,
        teams: QuerySet[Team],
        programmes: QuerySet[Programme],
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["quarter"].choices = [  # type: ignore[attr-defined]  # ChoiceField
            (f"{year}-{quarter}", quarter_label(year, quarter))
            for year, quarter in recent_quarters(today)
        ]

    @override
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ReportKind.TEAM_QUARTER:
            if data.get("team") is None:
                self.add_error("team", _("Choose the team."))
            if not data.get("quarter"):
                self.add_error("quarter", _("Choose the quarter."))
            else:
                year, quarter = (int(part) for part in data["quarter"].split("-"))
                data["period"] = quarter_bounds(year, quarter)
        elif kind == ReportKind.PROGRAMME:
            if data.get("programme") is None:
                self.add_error("programme", _("Choose the programme."))
            for name in ("start", "end"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Give the date."))
            check_period(self, data.get("start"), data.get("end"))
            if data.get("start") and data.get("end"):
                data["period"] = (data["start"], data["end"])
        return data
