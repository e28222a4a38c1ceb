"""The team's routine fidelity indicators on its dashboard: what moved, against target, drift.

Indicator values are read on the latest day of the period, four weeks before it (the previous
window of the four-week indicators: what moved) and 12 weeks before it (drift). Values resting on
the team's clients are suppressed when it had fewer than five open clients that day (the
caseload indicator's numerator is the open episodes). Targets are read through
:func:`indicator_targets`, the one place that knows where they come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tandem.core.display import SUPPRESSED, Cell, day_text
from tandem.dashboards import team_charts
from tandem.dashboards.charts import Panel
from tandem.fidelity.indicators import definitions as d
from tandem.fidelity.indicators.team import TeamValues, cell_text, team_values_on
from tandem.fidelity.models import IndicatorValue
from tandem.orgs.models import Team

DRIFT_WEEKS = 12
# Most indicators count the last four weeks: four weeks earlier is the previous window, with no
# day in common, so a change is the practice of this month against the last.
MOVEMENT_WEEKS = 4
# An indicator has drifted when it is worse than 12 weeks earlier by more than this share of its
# target (or of the earlier value when it has none; for shares, this many points of 100 %), so
# that day-to-day noise in a small team does not raise a flag.
DRIFT_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class IndicatorRows:
    """A team's indicator values on the latest day of the period, 4 and 12 weeks before it."""

    latest_day: date | None
    found: TeamValues

    @property
    def previous_day(self) -> date | None:
        """The day the latest values are compared with to say what moved."""
        return (
            None if self.latest_day is None else self.latest_day - timedelta(weeks=MOVEMENT_WEEKS)
        )


def indicator_rows(team: Team, *, start: date, end: date) -> IndicatorRows:
    """Team indicator values on the period's latest day, and 4 and 12 weeks before (2 queries)."""
    latest: date | None = IndicatorValue.objects.filter(
        team=team, worker__isnull=True, day__gte=start, day__lte=end
    ).aggregate(latest=Max("day"))["latest"]
    if latest is None:
        return IndicatorRows(None, TeamValues({}, {}))
    days = {latest - timedelta(weeks=weeks) for weeks in (0, MOVEMENT_WEEKS, DRIFT_WEEKS)}
    return IndicatorRows(latest, team_values_on(team, days))


def indicator_targets(team: Team, rows: IndicatorRows) -> dict[str, float | None]:
    """Each indicator's target in force for the team; None where it has none.

    The one place targets are read from: today the programme's caseload target (the only
    default in force), else the target stored with the latest value. Configurable targets
    replace this function's body, not its callers.
    """
    targets: dict[str, float | None] = {}
    for definition in d.INDICATORS:
        target: float | None = None
        if definition.target_source is d.TargetSource.PROGRAMME_CASELOAD:
            target = team.programme.caseload_target
        if target is None and rows.latest_day is not None:
            _value, target = rows.found.value(definition.code, rows.latest_day)
        targets[definition.code] = None if target is None else float(target)
    return targets


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


def indicator_panel(
    rows: IndicatorRows, domains: dict[str, str], targets: dict[str, float | None]
) -> tuple[Panel, tuple[str, ...]]:
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
        empty = _(
            "No indicators have been computed for this team in the period. They are computed "
            "every night from contacts, plans and supervision; a supervisor can refresh them "
            "on the team's indicators page."
        )
        return Panel(title=title, svg="", columns=columns, caption=caption, empty_text=empty), ()
    latest = rows.latest_day
    earlier_day = latest - timedelta(weeks=DRIFT_WEEKS)
    table: list[tuple[Cell, ...]] = []
    bars: list[tuple[str, float, bool]] = []
    drifting: list[str] = []
    found = rows.found
    for definition in d.INDICATORS:
        if definition.code not in found.by_code:
            continue
        now, _stored_target = found.value(definition.code, latest)
        before, _earlier_target = found.value(definition.code, earlier_day)
        target = targets.get(definition.code)
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
    empty = _(
        "No chart: every indicator rests on fewer than 5 clients or has no target to read it "
        "against. The table gives what can be shown."
    )
    panel = Panel(
        title=title, svg=svg, columns=columns, rows=table, caption=caption, empty_text=empty
    )
    return panel, tuple(drifting)


# ---- what moved since the last period ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class IndicatorMove:
    """One indicator now and four weeks earlier, read against its target."""

    definition: d.IndicatorDefinition
    now: float | None
    before: float | None
    target: float | None
    is_hidden: bool

    @property
    def change(self) -> float | None:
        """The change in the better direction (positive: better); None without both values."""
        if self.is_hidden or self.now is None or self.before is None:
            return None
        if self.definition.higher_is_better is None:
            return None
        if self.definition.higher_is_better is False:
            return self.before - self.now
        return self.now - self.before

    @property
    def has_moved(self) -> bool:
        """True when the change is beyond the noise ``DRIFT_TOLERANCE`` allows."""
        change = self.change
        if change is None or self.before is None:
            return False
        return abs(change) > DRIFT_TOLERANCE * _reference(self.definition, self.before, self.target)

    @property
    def meets_target(self) -> bool | None:
        """None without a target or a value to compare."""
        if self.is_hidden or self.now is None or self.target is None:
            return None
        if self.definition.higher_is_better is None:
            return None
        if self.definition.higher_is_better is False:
            return self.now <= self.target
        return self.now >= self.target

    @property
    def priority(self) -> int:
        """0 first: worse and off target, worse, off target, better, steady."""
        worse = self.has_moved and (self.change or 0) < 0
        better = self.has_moved and (self.change or 0) > 0
        off_target = self.meets_target is False
        if worse and off_target:
            return 0
        if worse:
            return 1
        if off_target:
            return 2
        if better:
            return 3
        return 4


def _reference(definition: d.IndicatorDefinition, before: float, target: float | None) -> float:
    if target:
        return target
    if definition.unit is d.Unit.SHARE:
        return 1.0
    return abs(before) or 1.0


def _change_text(move: IndicatorMove) -> str:
    raw = None
    if move.now is not None and move.before is not None and not move.is_hidden:
        raw = move.now - move.before
    if raw is None:
        return "-"
    if move.definition.unit is d.Unit.SHARE:
        points = round(raw * 100)
        sign = "+" if points > 0 else ""
        return _("%(sign)s%(points)s points") % {
            "sign": sign,
            "points": number_format(points, 0),
        }
    places = 0 if float(raw).is_integer() else 1
    sign = "+" if raw > 0 else ""
    return f"{sign}{number_format(round(raw, places), places)}"


def _reading(move: IndicatorMove) -> str:
    """What the row asks of a supervisor, in words."""
    return {
        0: _("Worse, and off target: discuss in supervision"),
        1: _("Worse than 4 weeks earlier: ask what changed"),
        2: _("Off target"),
        3: _("Better than 4 weeks earlier"),
        4: _("Steady"),
    }[move.priority]


def indicator_moves(rows: IndicatorRows, targets: dict[str, float | None]) -> list[IndicatorMove]:
    """Every indicator the team has a value for, the ones needing action first."""
    latest, previous = rows.latest_day, rows.previous_day
    if latest is None or previous is None:
        return []
    found = rows.found
    moves = [
        IndicatorMove(
            definition=definition,
            now=found.value(definition.code, latest)[0],
            before=found.value(definition.code, previous)[0],
            target=targets.get(definition.code),
            is_hidden=found.is_suppressed(definition, latest)
            or found.is_suppressed(definition, previous),
        )
        for definition in d.INDICATORS
        if definition.code in found.by_code
    ]
    order = {definition.code: index for index, definition in enumerate(d.INDICATORS)}
    return sorted(moves, key=lambda move: (move.priority, order[move.definition.code]))


def movement_panel(team: Team, rows: IndicatorRows, targets: dict[str, float | None]) -> Panel:
    """What moved since four weeks earlier, against target, the indicators needing action first."""
    moves = indicator_moves(rows, targets)
    found = rows.found
    link = reverse("fidelity:team_indicators", args=[team.pk])
    table: list[tuple[Cell, ...]] = []
    for move in moves:
        definition = move.definition
        latest_cell = found.cell(definition, rows.latest_day) if rows.latest_day else None
        before_cell = found.cell(definition, rows.previous_day) if rows.previous_day else None
        table.append(
            (
                str(definition.label),
                cell_text(definition, latest_cell),
                cell_text(definition, before_cell),
                SUPPRESSED if move.is_hidden else _change_text(move),
                cell_text(definition, move.target),
                _reading(move),
            )
        )
    if rows.latest_day is None or rows.previous_day is None:
        caption = _(
            "No indicators have been computed for this team in the period. They are computed "
            "every night from contacts, plans and supervision."
        )
    else:
        caption = _(
            "Each indicator on %(day)s against four weeks earlier (%(before)s) and its target; "
            "the ones that got worse or are off target first. A change within 5 %% of the target "
            "(or of the earlier value; 5 points for shares) counts as steady. Values resting on "
            "fewer than 5 clients are shown as <5."
        ) % {"day": day_text(rows.latest_day), "before": day_text(rows.previous_day)}
    return Panel(
        title=_("What moved since the last four weeks"),
        svg="",
        columns=(
            _("Indicator"),
            _("Now"),
            _("4 weeks earlier"),
            _("Change"),
            _("Target"),
            _("What it asks"),
        ),
        rows=table,
        caption=caption,
        has_chart=False,
        row_links=tuple(link for _row in table),
    )
