"""The programme dashboard's flow through episodes: first contact, length of stay, teams.

One row per episode that started or ended in the period is read once (first client contact
annotated), then grouped by team; figures resting on fewer than five clients are suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Min, Q
from django.utils.translation import gettext as _

from tandem.clients.models import Episode
from tandem.core.display import Cell, rounded, shown
from tandem.dashboards.charts import Panel, bar_chart, mean_of, median_of
from tandem.dashboards.selectors import open_clients_by_team
from tandem.orgs.models import Programme, Team
from tandem.practice.models import ContactWith


@dataclass(frozen=True, slots=True)
class EpisodeInPeriod:
    """An episode that started or ended in the period, with its acceptance and first contact."""

    pk: int
    team_id: int
    start_date: date
    end_date: date | None
    accepted_on: date | None
    first_contact_on: date | None


def episodes_of(programme: Programme, start: date, end: date) -> list[EpisodeInPeriod]:
    """Episodes that started or ended in the period, with their first client contact."""
    in_period = Q(start_date__range=(start, end)) | Q(end_date__range=(start, end))
    rows = (
        Episode.objects.filter(in_period, programme=programme)
        .order_by()
        .values("pk", "team_id", "start_date", "end_date", "referral__decided_on")
        .annotate(
            # A join does not go through Contact's manager: leave voided contacts out here.
            first_contact=Min(
                "contacts__occurred_on",
                filter=Q(contacts__with_whom=ContactWith.CLIENT, contacts__voided_at__isnull=True),
            )
        )
    )
    return [
        EpisodeInPeriod(
            row["pk"],
            row["team_id"],
            row["start_date"],
            row["end_date"],
            row["referral__decided_on"],
            row["first_contact"],
        )
        for row in rows
    ]


def days_between(values: Iterable[tuple[date | None, date | None]]) -> list[float]:
    return [float((after - before).days) for before, after in values if before and after]


@dataclass(frozen=True, slots=True)
class TeamFlow:
    """Per team (and for all teams): the episode figures the panels and comparison share."""

    started: int
    contacted_days: list[float]
    accepted_days: list[float]
    closed_days: list[float]


def flows_by_team(
    episodes: list[EpisodeInPeriod], teams: list[Team], start: date, end: date
) -> dict[int | None, TeamFlow]:
    groups: dict[int | None, list[EpisodeInPeriod]] = {team.pk: [] for team in teams}
    groups[None] = []
    for episode in episodes:
        groups.setdefault(episode.team_id, []).append(episode)
        groups[None].append(episode)
    found = {}
    for key, members in groups.items():
        started = [e for e in members if start <= e.start_date <= end]
        closed = [e for e in members if e.end_date is not None and start <= e.end_date <= end]
        found[key] = TeamFlow(
            started=len(started),
            contacted_days=days_between((e.start_date, e.first_contact_on) for e in started),
            accepted_days=days_between(
                (e.accepted_on, e.first_contact_on) for e in started if e.accepted_on
            ),
            closed_days=days_between((e.start_date, e.end_date) for e in closed),
        )
    return found


def team_labels(teams: list[Team]) -> list[tuple[int | None, str]]:
    return [(team.pk, team.name) for team in teams] + [(None, _("All teams"))]


def first_contact_panel(teams: list[Team], flows: dict[int | None, TeamFlow]) -> Panel:
    table: list[tuple[Cell, ...]] = []
    for key, name in team_labels(teams):
        flow = flows[key]
        contacted = len(flow.contacted_days)
        accepted = len(flow.accepted_days)
        table.append(
            (
                name,
                shown(flow.started, flow.started),
                shown(contacted, contacted),
                shown(rounded(median_of(flow.contacted_days)), contacted),
                shown(rounded(median_of(flow.accepted_days)), accepted),
            )
        )
    return Panel(
        title=_("Time to first contact"),
        svg=bar_chart(
            [str(row[0]) for row in table],
            {
                _("From episode start"): [r[3] for r in table],
                _("From acceptance"): [r[4] for r in table],
            },
            ylabel=_("median days"),
        ),
        columns=(
            _("Team"),
            _("Episodes started"),
            _("With a first contact"),
            _("Median days from episode start"),
            _("Median days from referral acceptance"),
        ),
        rows=table,
        caption=_(
            "Episodes started in the period: days from the episode start, and from the "
            "referral's acceptance where the episode came from a referral, to the first "
            "contact with the client."
        ),
    )


def length_of_stay_panel(teams: list[Team], flows: dict[int | None, TeamFlow]) -> Panel:
    table: list[tuple[Cell, ...]] = []
    for key, name in team_labels(teams):
        days = flows[key].closed_days
        n = len(days)
        table.append(
            (
                name,
                shown(n, n),
                shown(rounded(median_of(days)), n),
                shown(max(days, default=None), n),
            )
        )
    return Panel(
        title=_("Length of stay"),
        svg=bar_chart(
            [str(row[0]) for row in table],
            {_("Median days"): [r[2] for r in table]},
            ylabel=_("days"),
        ),
        columns=(_("Team"), _("Episodes closed"), _("Median days"), _("Longest (days)")),
        rows=table,
        caption=_("Episodes closed in the period: days from start to end."),
    )


def comparison_panel(
    programme: Programme,
    teams: list[Team],
    flows: dict[int | None, TeamFlow],
    outcome_change: dict[int, list[float]],
) -> tuple[Panel, int]:
    open_now = open_clients_by_team(Episode.objects.filter(programme=programme))
    table: list[tuple[Cell, ...]] = []
    everyone_change = [c for changes in outcome_change.values() for c in changes]
    for key, name in team_labels(teams):
        flow = flows[key]
        clients = sum(open_now.values()) if key is None else open_now.get(key, 0)
        changes = everyone_change if key is None else outcome_change.get(key, [])
        contacted = len(flow.contacted_days)
        closed = len(flow.closed_days)
        table.append(
            (
                name,
                shown(clients, clients),
                shown(flow.started, flow.started),
                shown(closed, closed),
                shown(rounded(median_of(flow.contacted_days)), contacted),
                shown(rounded(median_of(flow.closed_days)), closed),
                shown(rounded(mean_of(changes)), len(changes)),
            )
        )
    team_rows = table[:-1]
    panel = Panel(
        title=_("Teams compared"),
        svg=bar_chart(
            [str(row[0]) for row in team_rows],
            {
                _("Open clients now"): [r[1] for r in team_rows],
                _("Episodes started"): [r[2] for r in team_rows],
                _("Episodes closed"): [r[3] for r in team_rows],
            },
            ylabel=_("clients"),
        ),
        columns=(
            _("Team"),
            _("Open clients now"),
            _("Episodes started"),
            _("Episodes closed"),
            _("Median days to first contact"),
            _("Median length of stay (days)"),
            _("Mean outcome change"),
        ),
        rows=table,
        caption=_(
            "Each team in the period. The outcome change is the mean change from first to last "
            "score of episodes closed in the period."
        ),
    )
    return panel, sum(open_now.values())
