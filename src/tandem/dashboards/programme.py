"""The programme manager's dashboard: flow into, through and out of a programme, by team.

Referrals are counted by the date they were received; episodes by their start (time to first
contact) or end (length of stay, intake-to-discharge change) inside the period. Each figure is
aggregated by the database or from one row per episode, in a fixed number of queries. Every
cell that counts fewer than five clients, and every figure derived from it, is suppressed
(``core.display.shown``): these are aggregates outside anyone's own caseload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.display import Cell, rounded, shown
from tandem.dashboards.charts import Panel, median_of
from tandem.dashboards.programme_change import change_panel, change_summaries
from tandem.dashboards.programme_flow import (
    comparison_panel,
    episodes_of,
    first_contact_panel,
    flows_by_team,
    length_of_stay_panel,
)
from tandem.dashboards.programme_intake import (
    declines_panel,
    referrals_panel,
    waitlist_panel,
)
from tandem.orgs.models import Programme, Team
from tandem.orgs.selectors import programmes_managed_by


@dataclass(frozen=True, slots=True)
class Headline:
    """One headline figure of a dashboard, already suppressed where it must be."""

    label: str
    value: Cell


@dataclass(frozen=True, slots=True)
class ProgrammeDashboard:
    """Everything the programme dashboard (and the programme PDF report) shows."""

    programme: Programme
    start: date
    end: date
    today: date
    headlines: list[Headline]
    panels: list[Panel]


def programme_dashboard(
    user: User, programme: Programme, *, start: date, end: date, today: date | None = None
) -> ProgrammeDashboard:
    """The programme's dashboard for ``start``..``end`` (inclusive); managers of it only.

    Raises ``PermissionDenied`` for a user who does not manage the programme: views look the
    programme up through ``orgs.selectors.get_programme_for_manager`` first (404).
    """
    if not programmes_managed_by(user).filter(pk=programme.pk).exists():
        raise PermissionDenied
    if start > end:
        raise ValueError("start is after end")
    today = today or timezone.localdate()
    teams = list(Team.objects.filter(programme=programme).order_by("name", "pk"))
    referrals, (received, accepted, declined) = referrals_panel(programme, start, end)
    waitlist, waiting, median_wait = waitlist_panel(programme, today)
    episodes = episodes_of(programme, start, end)
    flows = flows_by_team(episodes, teams, start, end)
    summaries, outcome_change = change_summaries(programme, episodes, start, end)
    comparison, open_clients = comparison_panel(programme, teams, flows, outcome_change)
    everyone = flows[None]
    headlines = [
        Headline(_("Referrals received"), shown(received, received)),
        Headline(_("Referrals accepted"), shown(accepted, accepted)),
        Headline(_("Referrals declined"), shown(declined, declined)),
        Headline(_("Waiting now"), shown(waiting, waiting)),
        Headline(_("Median days waiting"), shown(rounded(median_wait), waiting)),
        Headline(_("Open clients now"), shown(open_clients, open_clients)),
        Headline(
            _("Median days to first contact"),
            shown(rounded(median_of(everyone.contacted_days)), len(everyone.contacted_days)),
        ),
        Headline(
            _("Median length of stay (days)"),
            shown(rounded(median_of(everyone.closed_days)), len(everyone.closed_days)),
        ),
    ]
    return ProgrammeDashboard(
        programme=programme,
        start=start,
        end=end,
        today=today,
        headlines=headlines,
        panels=[
            referrals,
            declines_panel(programme, start, end),
            waitlist,
            first_contact_panel(teams, flows),
            length_of_stay_panel(teams, flows),
            change_panel(summaries),
            comparison,
        ],
    )
