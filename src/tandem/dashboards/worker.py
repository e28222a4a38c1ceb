"""The case manager's dashboard: my clients with their open alerts, my measures, my indicators.

Everything is the worker's own caseload (nothing suppressed) except the team's indicator rows,
which ``selectors.indicators_for_worker`` suppresses for teams of fewer than five clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.clients.models import Episode
from tandem.clients.selectors import caseload_for
from tandem.core.display import day_text
from tandem.dashboards import selectors
from tandem.dashboards.charts import Panel
from tandem.dashboards.client import contacts_panel
from tandem.dashboards.periods import week_starts
from tandem.dashboards.selectors import AlertLine, IndicatorLine
from tandem.measures.selectors import (
    ATTENTION_STATUSES,
    AttentionList,
    administrations_visible_to,
    by_urgency,
)

CONTACT_WEEKS = 12


@dataclass(frozen=True, slots=True)
class EpisodeRow:
    """One open episode of my caseload and its unresolved alerts."""

    episode: Episode
    days_in_episode: int
    alerts: list[AlertLine]


@dataclass(frozen=True, slots=True)
class WorkerDashboard:
    """Everything the case manager's dashboard shows."""

    worker: User
    today: date
    episodes: list[EpisodeRow]
    worker_alerts: list[AlertLine]
    measures: AttentionList
    indicators: list[IndicatorLine]
    panels: list[Panel]

    @property
    def open_alert_count(self) -> int:
        return sum(len(row.alerts) for row in self.episodes) + len(self.worker_alerts)

    @property
    def indicator_day(self) -> date | None:
        return max((line.day for line in self.indicators), default=None)


def worker_dashboard(user: User, *, today: date | None = None) -> WorkerDashboard:
    """The signed-in case manager's own dashboard (reads audited by the selectors it calls)."""
    today = today or timezone.localdate()
    episodes = list(caseload_for(user))
    ids = [episode.pk for episode in episodes]
    alerts = selectors.alert_lines_by_episode(ids, user)
    measures = by_urgency(
        administrations_visible_to(user)
        .filter(episode_id__in=ids, status__in=ATTENTION_STATUSES)
        .select_related("client"),
        today=today,
    )
    weeks = week_starts(today - timedelta(weeks=CONTACT_WEEKS - 1), today)
    contacts = selectors.contacts_by_week_and_mode(user, start=weeks[0])
    return WorkerDashboard(
        worker=user,
        today=today,
        episodes=[
            EpisodeRow(episode, episode.days_in_episode(today), alerts.get(episode.pk, []))
            for episode in episodes
        ],
        worker_alerts=selectors.open_worker_alerts(user),
        measures=measures,
        indicators=selectors.indicators_for_worker(user),
        panels=[
            contacts_panel(
                contacts,
                weeks,
                [day_text(week) for week in weeks],
                title=_("My contacts per week"),
                period_column=_("Week of"),
                caption=_("My contacts per week and mode, over the last twelve weeks."),
            )
        ],
    )
