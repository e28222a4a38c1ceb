"""The team's routine fidelity indicators on its dashboard: latest against target, drift, band.

Indicator values are read weekly back from the latest day of the period (and 12 weeks before it,
for drift). Values resting on the team's clients are suppressed when it had fewer than five open
clients that day (the caseload indicator's numerator is the open episodes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max
from django.utils.translation import gettext as _

from tandem.core.display import Cell, day_text
from tandem.dashboards import team_charts
from tandem.dashboards.charts import Panel
from tandem.fidelity.indicators import definitions as d
from tandem.fidelity.indicators.team import TeamValues, cell_text, team_values_on
from tandem.fidelity.models import IndicatorValue
from tandem.orgs.models import Team

DRIFT_WEEKS = 12
# An indicator has drifted when it is worse than 12 weeks earlier by more than this share of its
# target (or of the earlier value when it has none; for shares, this many points of 100 %), so
# that day-to-day noise in a small team does not raise a flag.
DRIFT_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class IndicatorRows:
    """A team's indicator values weekly back from the latest day of the period."""

    latest_day: date | None
    weekly_days: list[date]
    found: TeamValues


def indicator_rows(team: Team, *, start: date, end: date) -> IndicatorRows:
    """Team indicator values weekly back from the latest day of the period, and 12 weeks before."""
    latest: date | None = IndicatorValue.objects.filter(
        team=team, worker__isnull=True, day__gte=start, day__lte=end
    ).aggregate(latest=Max("day"))["latest"]
    if latest is None:
        return IndicatorRows(None, [], TeamValues({}, {}))
    weeks = (latest - start).days // 7
    weekly = [latest - timedelta(weeks=k) for k in range(weeks, -1, -1)]
    found = team_values_on(team, {*weekly, latest - timedelta(weeks=DRIFT_WEEKS)})
    return IndicatorRows(latest, weekly, found)


def normalised(
    definition: d.IndicatorDefinition, value: float | None, target: float | None
) -> float | None:
    """An indicator on 0..1 where 1 is best, or None when it has no honest reading as such.

    A share (higher better) reads as itself; an indicator with a target as the share of the
    target reached (capped at 1), or, when lower is better, target / value. Rates without a
    target (contacts per client, sessions per worker) have no scale to put them on.
    """
    if value is None or definition.higher_is_better is None:
        return None
    if target:
        if definition.higher_is_better:
            return max(0.0, min(value / target, 1.0))
        return 1.0 if value <= target else target / value
    if definition.unit is d.Unit.SHARE and definition.higher_is_better:
        return max(0.0, min(value, 1.0))
    return None


def has_drifted(
    definition: d.IndicatorDefinition, now: float | None, before: float | None, target: float | None
) -> bool:
    """True when the indicator is worse than 12 weeks earlier beyond ``DRIFT_TOLERANCE``."""
    if now is None or before is None or definition.higher_is_better is None:
        return False
    change = now - before if definition.higher_is_better else before - now
    if target:
        reference = target
    elif definition.unit is d.Unit.SHARE:
        reference = 1.0
    else:
        reference = abs(before)
    return change < -DRIFT_TOLERANCE * reference


def indicator_panel(rows: IndicatorRows, domains: dict[str, str]) -> tuple[Panel, tuple[str, ...]]:
    """Panel (c): each indicator's latest value against target; the codes that drifted."""
    columns = (
        _("Review domain"),
        _("Indicator"),
        _("Latest"),
        _("Target"),
        _("12 weeks earlier"),
        _("Drift"),
    )
    caption = _(
        "Routine indicators on %(day)s against their target, per review domain. Drift: worse "
        "than 12 weeks earlier by more than 5 %% of the target (or of the earlier value; 5 "
        "points for shares). Values resting on fewer than 5 clients are shown as <5."
    ) % {"day": day_text(rows.latest_day) if rows.latest_day else "-"}
    title = _("Indicators against target")
    if rows.latest_day is None:
        return Panel(title=title, svg="", columns=columns, caption=caption), ()
    latest = rows.latest_day
    earlier_day = latest - timedelta(weeks=DRIFT_WEEKS)
    table: list[tuple[Cell, ...]] = []
    bars: list[tuple[str, float, bool]] = []
    drifting: list[str] = []
    found = rows.found
    for definition in d.INDICATORS:
        if definition.code not in found.by_code:
            continue
        now, target = found.value(definition.code, latest)
        before, _earlier_target = found.value(definition.code, earlier_day)
        hidden = found.is_suppressed(definition, latest)
        hidden_before = found.is_suppressed(definition, earlier_day)
        drifted = not (hidden or hidden_before) and has_drifted(definition, now, before, target)
        if drifted:
            drifting.append(definition.code)
        label = str(definition.label)
        table.append(
            (
                domains.get(definition.domain_code, definition.domain_code),
                label,
                cell_text(definition, found.cell(definition, latest)),
                cell_text(definition, target),
                cell_text(definition, found.cell(definition, earlier_day)),
                _("Worse") if drifted else "",
            )
        )
        share = None if hidden else normalised(definition, now, target)
        if share is not None:
            bars.append((label, share, drifted))
    svg = team_charts.indicator_bars(bars)
    return Panel(title=title, svg=svg, columns=columns, rows=table, caption=caption), tuple(
        drifting
    )


def band(rows: IndicatorRows) -> list[tuple[date, float, float, int]]:
    """Per week: lowest and highest normalised indicator, and how many there were."""
    weeks = []
    for day in rows.weekly_days:
        shares = []
        for definition in d.INDICATORS:
            if rows.found.is_suppressed(definition, day):
                continue
            value, target = rows.found.value(definition.code, day)
            share = normalised(definition, value, target)
            if share is not None:
                shares.append(share)
        if shares:
            weeks.append((day, min(shares), max(shares), len(shares)))
    return weeks
