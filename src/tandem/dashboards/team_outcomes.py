"""The team's clients' alliance and outcome scores by calendar quarter, small cells suppressed.

Each client counts once per quarter, with their latest score of the instrument in it; a quarter
resting on fewer than five clients shows ``<5`` for its count and mean and is left out of the
chart (DESIGN.md, Access).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.alerts.selectors import alert_policy_for
from tandem.clients.selectors import episodes_visible_to
from tandem.core.display import Cell, is_small, number_text, shown
from tandem.dashboards import team_charts
from tandem.dashboards.charts import Panel
from tandem.dashboards.periods import quarter_label, quarters_between
from tandem.measures.history import headline_score
from tandem.measures.labels import localised
from tandem.measures.models import Response
from tandem.measures.registry import UnknownInstrumentError, get_instrument
from tandem.orgs.models import Team


def _headline(code: str) -> tuple[str, str]:
    """The instrument's title and the score drawn: the one the alert rules compare."""
    try:
        instrument = get_instrument(code)
    except UnknownInstrumentError:
        return code, "total"
    return localised(instrument.title), headline_score(code) or "total"


def outcome_panels(user: User, team: Team, *, start: date, end: date) -> tuple[Panel, ...]:
    """Panel (d): one panel per instrument of the programme's alert policy (alliance, outcome)."""
    policy = alert_policy_for(team.programme_id)
    codes = list(dict.fromkeys((policy.alliance_instrument, policy.outcome_instrument)))
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + timedelta(days=1), dt.time.min, tzinfo=zone)
    rows = Response.objects.filter(
        episode__in=episodes_visible_to(user).filter(team=team).values("pk"),
        instrument_code__in=codes,
        completed_at__gte=since,
        completed_at__lt=until,
    ).values_list("instrument_code", "client_id", "completed_at", "scores")
    # Each client counts once per quarter, with their latest score in it.
    latest: dict[str, dict[tuple[int, int], dict[int, tuple[dt.datetime, float]]]] = {}
    heads = {code: _headline(code) for code in codes}
    for code, client_id, completed_at, scores in rows:
        value = scores.get(heads[code][1]) if isinstance(scores, dict) else None
        if not isinstance(value, int | float) or completed_at is None:
            continue
        local = timezone.localtime(completed_at, zone)
        key = (local.year, (local.month - 1) // 3 + 1)
        cell = latest.setdefault(code, {}).setdefault(key, {})
        if client_id not in cell or cell[client_id][0] <= completed_at:
            cell[client_id] = (completed_at, float(value))
    quarters = quarters_between(start, end)
    return tuple(
        _quarter_panel(heads[code][0], heads[code][1], quarters, latest.get(code, {}))
        for code in codes
    )


def _quarter_panel(
    title: str,
    score: str,
    quarters: Sequence[tuple[int, int]],
    by_quarter: dict[tuple[int, int], dict[int, tuple[dt.datetime, float]]],
) -> Panel:
    table: list[tuple[Cell, ...]] = []
    points: list[tuple[str, float | None]] = []
    scored = 0
    for year, quarter in quarters:
        values = [value for _when, value in by_quarter.get((year, quarter), {}).values()]
        n = len(values)
        scored += n
        mean = sum(values) / n if n else None
        label = quarter_label(year, quarter)
        table.append((label, shown(n, n), shown(number_text(mean, 2), n)))
        points.append((label, None if mean is None or is_small(n) else mean))
    return Panel(
        title=_("%(title)s by quarter") % {"title": title},
        svg=team_charts.quarterly_means(f"{title}: {score}", points),
        columns=(_("Quarter"), _("Clients"), _("Mean %(score)s") % {"score": score}),
        rows=table,
        caption=_(
            "Each client's latest %(score)s score in the quarter, averaged over the team's "
            "clients. Quarters with fewer than 5 clients are shown as <5 and left out of the chart."
        )
        % {"score": score},
        empty_text=_empty_outcome_text(title, scored),
    )


def _empty_outcome_text(title: str, scored: int) -> str:
    """Why there is no chart: no scores at all, or every quarter under five clients."""
    if scored == 0:
        return _(
            "No client of this team completed %(title)s in this period. Scores appear here "
            "once clients answer the measures their programme schedules; the caseload shows "
            "which are due."
        ) % {"title": title}
    return _(
        "No chart: every quarter rests on fewer than 5 clients, so its mean is hidden to "
        "protect their privacy. Choose a longer period to gather more clients."
    )
