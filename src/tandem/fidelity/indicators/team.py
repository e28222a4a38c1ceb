"""A team's indicators for its supervisor: the latest values, twelve weeks of history, refresh.

Reads go through ``orgs.selectors.get_team_for`` (404 for a team the user does not supervise
or manage); the on-demand refresh is a write, audited inside ``compute_indicators``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tandem.accounts.models import User
from tandem.core.display import SUPPRESSED, Cell, is_small
from tandem.fidelity.indicators import definitions as d
from tandem.fidelity.indicators.compute import compute_indicators
from tandem.fidelity.models import IndicatorValue
from tandem.orgs.models import Team
from tandem.orgs.selectors import get_team_for

HISTORY_WEEKS = 12
SPARK_WIDTH = 120
SPARK_HEIGHT = 24


@dataclass(frozen=True, slots=True)
class IndicatorPoint:
    day: date
    value: Cell
    text: str


@dataclass(frozen=True, slots=True)
class IndicatorHistory:
    """One indicator of a team: its definition, latest value, and the weeks before."""

    definition: d.IndicatorDefinition
    latest: IndicatorPoint
    target: float | None
    target_text: str
    points: list[IndicatorPoint]
    sparkline: SafeString


@dataclass(frozen=True, slots=True)
class WorkerIndicators:
    worker: User
    caseload: float | None
    caseload_target: float | None
    individual_sessions: float | None

    @property
    def is_over_target(self) -> bool:
        return (
            self.caseload is not None
            and self.caseload_target is not None
            and self.caseload > self.caseload_target
        )


@dataclass(frozen=True, slots=True)
class TeamIndicatorsResult:
    team: Team
    day: date | None
    indicators: list[IndicatorHistory] = field(default_factory=list)
    workers: list[WorkerIndicators] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TeamValues:
    """A team's own indicator values, {code: {day: (value, target)}}, and its open clients."""

    by_code: dict[str, dict[date, tuple[float | None, float | None]]]
    clients_on: dict[date, int]

    def value(self, code: str, day: date) -> tuple[float | None, float | None]:
        return self.by_code.get(code, {}).get(day, (None, None))

    def is_suppressed(self, definition: d.IndicatorDefinition, day: date) -> bool:
        """True when the value rests on the team's clients and they were fewer than five."""
        return definition.counts_clients and is_small(self.clients_on.get(day, 0))

    def cell(self, definition: d.IndicatorDefinition, day: date) -> Cell:
        """The value as shown outside a caseload: None, ``SUPPRESSED`` or the number."""
        value, _target = self.value(definition.code, day)
        if value is None or not self.is_suppressed(definition, day):
            return value
        return SUPPRESSED


def team_values_on(team: Team, days: Collection[date]) -> TeamValues:
    """The team's own (not per-worker) indicator values on ``days``, in one query."""
    by_code: dict[str, dict[date, tuple[float | None, float | None]]] = {}
    clients_on: dict[date, int] = {}
    for code, day, value, numerator, target in IndicatorValue.objects.filter(
        team=team, worker__isnull=True, day__in=days
    ).values_list("code", "day", "value", "numerator", "target"):
        by_code.setdefault(code, {})[day] = (value, target)
        if code == d.CASELOAD_PER_WORKER:
            # The caseload indicator's numerator is the team's open episodes on that day.
            clients_on[day] = round(numerator or 0)
    return TeamValues(by_code, clients_on)


def cell_text(definition: d.IndicatorDefinition, value: Cell) -> str | None:
    """A cell as every page shows it (``IndicatorDefinition.display``); None stays None."""
    if value is None or isinstance(value, str):
        return value
    return definition.display(value)


def team_indicators_for(user: User, team_pk: int) -> TeamIndicatorsResult:
    """The latest indicators of a team the user supervises, with the 12 weeks before them."""
    team = get_team_for(user, team_pk)
    latest_day: date | None = IndicatorValue.objects.filter(team=team).aggregate(latest=Max("day"))[
        "latest"
    ]
    if latest_day is None:
        return TeamIndicatorsResult(team=team, day=None)
    weekly_days = [latest_day - timedelta(weeks=k) for k in range(HISTORY_WEEKS, -1, -1)]
    found = team_values_on(team, weekly_days)
    indicators = []
    for definition in d.INDICATORS:
        points = []
        for day in weekly_days:
            value = found.cell(definition, day)
            points.append(
                IndicatorPoint(day=day, value=value, text=cell_text(definition, value) or "—")
            )
        _value, target = found.value(definition.code, latest_day)
        indicators.append(
            IndicatorHistory(
                definition=definition,
                latest=points[-1],
                target=target,
                target_text=cell_text(definition, target) or "",
                points=points[:-1],
                sparkline=_sparkline(points),
            )
        )
    return TeamIndicatorsResult(
        team=team, day=latest_day, indicators=indicators, workers=_workers(team, latest_day)
    )


def _workers(team: Team, day: date) -> list[WorkerIndicators]:
    rows = (
        IndicatorValue.objects.filter(
            team=team,
            day=day,
            worker__isnull=False,
            code__in=[d.CASELOAD_PER_WORKER, d.INDIVIDUAL_SUPERVISION_PER_WORKER],
        )
        .select_related("worker")
        .order_by("worker__full_name", "worker_id")
    )
    found: dict[int, dict[str, IndicatorValue]] = {}
    workers: dict[int, User] = {}
    for row in rows:
        if row.worker is None:
            continue
        workers[row.worker.pk] = row.worker
        found.setdefault(row.worker.pk, {})[row.code] = row
    result = []
    for pk, worker in workers.items():
        caseload = found[pk].get(d.CASELOAD_PER_WORKER)
        sessions = found[pk].get(d.INDIVIDUAL_SUPERVISION_PER_WORKER)
        result.append(
            WorkerIndicators(
                worker=worker,
                caseload=caseload.value if caseload else None,
                caseload_target=caseload.target if caseload else None,
                individual_sessions=sessions.value if sessions else None,
            )
        )
    return result


def _sparkline(points: list[IndicatorPoint]) -> SafeString:
    """A small inline SVG line of the weekly values; the table beside it carries the numbers."""
    known = [(i, float(p.value)) for i, p in enumerate(points) if isinstance(p.value, int | float)]
    if not known:
        return SafeString("")
    low = min(v for _i, v in known)
    high = max(v for _i, v in known)
    step = SPARK_WIDTH / max(1, len(points) - 1)

    def height(v: float) -> float:
        if high == low:  # a flat line sits in the middle rather than on the floor
            return SPARK_HEIGHT / 2
        return SPARK_HEIGHT - 2 - (v - low) / (high - low) * (SPARK_HEIGHT - 4)

    coordinates = " ".join(f"{i * step:.1f},{height(v):.1f}" for i, v in known)
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true" '
        'focusable="false"><polyline points="{}" fill="none" stroke="currentColor" '
        'stroke-width="1.5"/></svg>',
        SPARK_WIDTH,
        SPARK_HEIGHT,
        SPARK_WIDTH,
        SPARK_HEIGHT,
        coordinates,
    )


def refresh_team_indicators(*, actor: User, team_pk: int) -> int:
    """Recompute one team's indicators for today, for its supervisor or programme manager."""
    team = get_team_for(actor, team_pk)
    return compute_indicators(day=timezone.localdate(), team_ids=[team.pk], actor=actor)


__all__ = [
    "IndicatorHistory",
    "IndicatorPoint",
    "TeamIndicatorsResult",
    "TeamValues",
    "WorkerIndicators",
    "cell_text",
    "refresh_team_indicators",
    "team_indicators_for",
    "team_values_on",
]
