"""Reads behind the dashboards: stored alerts, indicators, contacts, goals and scores.

Every function reads what is already stored (nightly indicators, scores, alerts) with a fixed
number of queries whatever the number of rows; callers pass episodes already narrowed to the
user by ``clients.selectors``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.alerts.links import alert_about_url
from tandem.alerts.models import Alert, AlertStatus
from tandem.alerts.reasons import describe
from tandem.alerts.selectors import alerts_visible_to, open_alerts_by_episode
from tandem.clients.models import Client, Episode, EpisodeStatus
from tandem.clients.selectors import episodes_visible_to
from tandem.core.display import SUPPRESSED, Cell, is_small
from tandem.fidelity.indicators.definitions import IndicatorDefinition, get_indicator
from tandem.fidelity.models import IndicatorValue
from tandem.practice.models import Contact, Goal


@dataclass(frozen=True, slots=True)
class AlertLine:
    """One open alert as a dashboard shows it."""

    pk: int
    rule: str
    rule_label: str
    reason: str
    status_label: str
    opened_on: date
    # The alert's own page, and the page of what it is about ("" when the reader has none).
    url: str = ""
    about_url: str = ""


def alert_line(alert: Alert, viewer: User) -> AlertLine:
    """One alert as the dashboards show it to ``viewer``, with its links."""
    return AlertLine(
        pk=alert.pk,
        rule=alert.rule,
        rule_label=str(alert.get_rule_display()),
        reason=describe(alert),
        status_label=str(alert.get_status_display()),
        opened_on=alert.opened_on,
        url=reverse("alerts:alert_detail", args=[alert.pk]),
        about_url=alert_about_url(alert, viewer),
    )


def alert_lines_by_episode(episode_ids: Iterable[int], viewer: User) -> dict[int, list[AlertLine]]:
    """Unresolved alerts per episode, newest first, with their reasons in words (one query)."""
    return {
        episode_id: [alert_line(alert, viewer) for alert in alerts]
        for episode_id, alerts in open_alerts_by_episode(episode_ids).items()
    }


def open_worker_alerts(worker: User) -> list[AlertLine]:
    """Unresolved alerts about the worker's own work rather than one client (caseload size)."""
    rows = (
        alerts_visible_to(worker)
        .filter(worker=worker, episode__isnull=True)
        .exclude(status=AlertStatus.RESOLVED)
        .order_by("-opened_on", "-pk")
    )
    return [alert_line(alert, worker) for alert in rows]


# ---- client -------------------------------------------------------------------------------------
def open_client_alerts(user: User, client: Client) -> list[AlertLine]:
    """The client's unresolved alerts the user may see, newest first (one query)."""
    rows = (
        alerts_visible_to(user)
        .filter(client=client)
        .exclude(status=AlertStatus.RESOLVED)
        .order_by("-opened_on", "-pk")
    )
    return [alert_line(alert, user) for alert in rows]


def client_goals(user: User, client: Client) -> list[tuple[str, date | None]]:
    """(status, achieved on) of every goal in the client's episodes the user may see."""
    visible = episodes_visible_to(user).filter(client=client)
    return list(
        Goal.objects.filter(plan__episode__in=visible)
        .order_by("achieved_on", "pk")
        .values_list("status", "achieved_on")
    )


def contacts_by_month_and_mode(
    user: User, client: Client, *, start: date
) -> dict[tuple[date, str], int]:
    """Contacts with or about the client since ``start``, counted per month and mode."""
    visible = episodes_visible_to(user).filter(client=client)
    rows = (
        Contact.objects.filter(client=client, episode__in=visible, occurred_on__gte=start)
        .annotate(month=TruncMonth("occurred_on"))
        .order_by()
        .values("month", "mode")
        .annotate(n=Count("pk"))
    )
    return {(as_date(row["month"]), row["mode"]): row["n"] for row in rows}


def as_date(value: date) -> date:
    """A ``TruncMonth``/``TruncWeek`` of a DateField as a date: some backends give datetimes."""
    return value.date() if isinstance(value, datetime) else value


def open_clients_by_team(episodes: QuerySet[Episode]) -> dict[int, int]:
    """Team id -> clients with an open episode among ``episodes`` (one query)."""
    return dict(
        episodes.filter(status=EpisodeStatus.OPEN)
        .order_by()
        .values("team_id")
        .annotate(n=Count("client_id", distinct=True))
        .values_list("team_id", "n")
    )


# ---- case manager -------------------------------------------------------------------------------
def contacts_by_week_and_mode(worker: User, *, start: date) -> dict[tuple[date, str], int]:
    """The worker's own contacts since ``start``, per ISO week (Monday) and mode."""
    rows = (
        Contact.objects.filter(worker=worker, occurred_on__gte=start)
        .annotate(week=TruncWeek("occurred_on"))
        .order_by()
        .values("week", "mode")
        .annotate(n=Count("pk"))
    )
    return {(as_date(row["week"]), row["mode"]): row["n"] for row in rows}


@dataclass(frozen=True, slots=True)
class IndicatorLine:
    """One stored indicator of the worker or of their team, on the latest computed day."""

    code: str
    label: str
    is_mine: bool
    team_name: str
    day: date
    value: Cell
    target: Cell


def _indicator_meta(code: str) -> IndicatorDefinition | None:
    try:
        return get_indicator(code)
    except KeyError:  # a stored row of an indicator since withdrawn
        return None


def indicators_for_worker(worker: User) -> list[IndicatorLine]:
    """The worker's own rows and their teams' rows, each team on its latest computed day.

    A team row that rests on the team's clients is suppressed when the team has fewer than
    five open clients: it describes more than the worker's own caseload.
    """
    teams = scope_for(worker).team_ids(Role.CASE_MANAGER)
    latest = (
        IndicatorValue.objects.filter(team_id=OuterRef("team_id"))
        .order_by("-day")
        .values("day")[:1]
    )
    rows = (
        IndicatorValue.objects.filter(team_id__in=teams)
        .filter(Q(worker=worker) | Q(worker__isnull=True))
        .filter(day=Subquery(latest))
        .select_related("team")
        .order_by("team__name", "worker_id", "code")
    )
    clients = open_clients_by_team(Episode.objects.filter(team_id__in=teams))
    found = []
    for row in rows:
        definition = _indicator_meta(row.code)
        value: Cell = None
        if row.value is not None:
            value = definition.display(row.value) if definition else str(row.value)
        is_mine = row.worker_id is not None
        counts_clients = definition is None or definition.counts_clients
        if not is_mine and counts_clients and is_small(clients.get(row.team_id, 0)):
            value = SUPPRESSED
        found.append(
            IndicatorLine(
                code=row.code,
                label=str(definition.label) if definition else row.code,
                is_mine=is_mine,
                team_name=row.team.name,
                day=row.day,
                value=value,
                target=(
                    definition.display(row.target)
                    if definition and row.target is not None
                    else row.target
                ),
            )
        )
    return found
