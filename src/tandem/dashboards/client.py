"""The client's dashboard: alliance and outcome over time, team fidelity, goals, contacts.

Scores are the stored ones (``measures.history``); the alliance and outcome instruments are
the programme's ``AlertPolicy`` choices (``rprs`` and ``mcas`` by default), and any other
instrument the client completed follows them. The team fidelity before each alliance and
outcome measurement comes from ``client_fidelity``. One person's own record: nothing is
suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.alerts.models import AlertPolicy
from tandem.alerts.selectors import alert_policy_for
from tandem.clients.models import Client
from tandem.clients.selectors import client_episodes_for
from tandem.core.display import Cell, day_text, month_text
from tandem.dashboards import selectors
from tandem.dashboards.charts import Panel, bar_chart
from tandem.dashboards.client_fidelity import (
    MeasurementExposure,
    exposure_panel,
    measurement_exposures,
)
from tandem.dashboards.periods import month_start_before, month_starts
from tandem.measures.history import (
    ChangeClassification,
    ChangeNorm,
    InstrumentHistory,
    classify_change,
    headline_score,
    histories,
)
from tandem.measures.selectors import client_responses_for
from tandem.orgs.models import Programme
from tandem.practice.models import ContactMode, GoalStatus

CONTACT_MONTHS = 12


@dataclass(frozen=True, slots=True)
class ClientDashboard:
    """Everything the client dashboard shows, ready for the page or a report."""

    client: Client
    programme: Programme | None
    alliance_instrument: str
    outcome_instrument: str
    panels: list[Panel]
    # Instrument code -> first-to-latest reliable change, None where it cannot be classified.
    changes: dict[str, ChangeClassification | None]
    # Alliance and outcome responses, oldest first, with the team fidelity before each.
    exposures: list[MeasurementExposure]


def _policy_norm(history: InstrumentHistory, policy: AlertPolicy) -> ChangeNorm | None:
    """The programme's own SD and reliability for its alliance or outcome instrument, if set."""
    if history.code == policy.alliance_instrument:
        sd, reliability = policy.alliance_sd, policy.alliance_reliability
    elif history.code == policy.outcome_instrument:
        sd, reliability = policy.outcome_sd, policy.outcome_reliability
    else:
        return None
    if sd is None or reliability is None:
        return None
    score = history.change_score or headline_score(history.code) or history.score_names[0]
    return ChangeNorm(score, sd=sd, reliability=reliability, source="programme policy")


def _change(
    history: InstrumentHistory, policy: AlertPolicy
) -> tuple[str, ChangeClassification | None]:
    """(score compared, classification): the programme's norm first, else the reference one."""
    norm = _policy_norm(history, policy)
    if norm is None:
        return history.change_score, history.change
    values = [value for row in history.rows if (value := row.scores.get(norm.score)) is not None]
    if len(values) < 2:
        return norm.score, None
    return norm.score, classify_change(values[0], values[-1], norm)


def _category_words(category: str) -> str:
    if category == "improved":
        return _("Reliably improved")
    if category == "deteriorated":
        return _("Reliably deteriorated")
    return _("No reliable change")


def _score_panel(
    history: InstrumentHistory,
    policy: AlertPolicy,
    role: str,
    changes: dict[str, ChangeClassification | None],
) -> Panel:
    score, change = _change(history, policy)
    changes[history.code] = change
    if change is not None:
        caption = _(
            "%(role)s%(title)s: change in %(score)s from the first to the latest score, "
            "RCI %(rci)s (reliable change beyond %(threshold)s points): %(category)s."
        ) % {
            "role": role,
            "title": history.title,
            "score": score,
            "rci": number_format(change.rci, 2, use_l10n=True),
            "threshold": number_format(change.threshold, 1, use_l10n=True),
            "category": _category_words(change.category),
        }
    elif len(history.rows) < 2:
        caption = _("%(role)s%(title)s: reliable change needs two scores.") % {
            "role": role,
            "title": history.title,
        }
    else:
        caption = _(
            "%(role)s%(title)s: no reference standard deviation and reliability, so no "
            "reliable-change classification."
        ) % {"role": role, "title": history.title}
    rows: list[tuple[Cell, ...]] = [
        (
            day_text(row.completed_at.date()),
            *(_score_cell(row.scores.get(name)) for name in history.score_names),
        )
        for row in history.rows
    ]
    return Panel(
        title=_("%(title)s over time") % {"title": history.title},
        svg=history.svg,
        columns=(_("Completed"), *history.score_labels),
        rows=rows,
        caption=caption,
    )


def _score_cell(value: float | None) -> Cell:
    return None if value is None else round(float(value), 1)


def _goals_panel(goals: list[tuple[str, date | None]]) -> Panel:
    counts = dict.fromkeys(GoalStatus.values, 0)
    dates: list[date] = []
    for status, achieved_on in goals:
        counts[status] = counts.get(status, 0) + 1
        if status == GoalStatus.ACHIEVED and achieved_on is not None:
            dates.append(achieved_on)
    labels = [str(GoalStatus(status).label) for status in counts]
    rows: list[tuple[Cell, ...]] = [
        (
            str(GoalStatus(status).label),
            n,
            ", ".join(day_text(d) for d in sorted(dates)) if status == GoalStatus.ACHIEVED else "",
        )
        for status, n in counts.items()
    ]
    return Panel(
        title=_("Goals"),
        svg=bar_chart(labels, {_("Goals"): list(counts.values())}, ylabel=_("goals")),
        columns=(_("Status"), _("Goals"), _("Achieved on")),
        rows=rows,
        caption=_("Recovery-plan goals by status, and the dates goals were achieved."),
        empty_text=_(
            "No goal yet: the chart appears once the recovery plan has goals. Add them with "
            "the client on the recovery plan page."
        ),
    )


def contacts_panel(
    counts: dict[tuple[date, str], int],
    starts: list[date],
    labels: list[str],
    *,
    title: str,
    period_column: str,
    caption: str,
    empty_text: str = "",
) -> Panel:
    """Contacts per period (``starts``, shown as ``labels``) and mode, stacked, with totals."""
    modes = list(ContactMode)
    series = {
        str(mode.label): [counts.get((start, mode.value), 0) for start in starts] for mode in modes
    }
    rows: list[tuple[Cell, ...]] = [
        (
            label,
            *(counts.get((start, mode.value), 0) for mode in modes),
            sum(counts.get((start, mode.value), 0) for mode in modes),
        )
        for label, start in zip(labels, starts, strict=True)
    ]
    return Panel(
        title=title,
        svg=bar_chart(labels, series, ylabel=_("contacts"), stacked=True),
        columns=(period_column, *(str(mode.label) for mode in modes), _("Total")),
        rows=rows,
        caption=caption,
        empty_text=empty_text,
    )


def client_dashboard(user: User, client: Client, *, today: date | None = None) -> ClientDashboard:
    """The client's dashboard; the user must be allowed to see the client (404 otherwise).

    The caller has read the client through ``clients.selectors.get_client_for``, which audits
    the view; the scores' read is audited by ``measures.selectors.client_responses_for``.
    """
    today = today or timezone.localdate()
    episodes = list(client_episodes_for(user, client))
    programme = episodes[0].programme if episodes else None
    policy = alert_policy_for(programme.pk if programme else None)
    responses = client_responses_for(user, client)
    found = histories(responses)
    by_code = {history.code: history for history in found}
    exposures, daily = measurement_exposures(
        responses,
        codes=[policy.alliance_instrument, policy.outcome_instrument],
        titles={history.code: history.title for history in found},
        episodes=episodes,
    )
    panels = []
    changes: dict[str, ChangeClassification | None] = {}
    alliance = by_code.pop(policy.alliance_instrument, None)
    if alliance is not None:
        panels.append(_score_panel(alliance, policy, _("Alliance: "), changes))
    outcome = by_code.pop(policy.outcome_instrument, None)
    if outcome is not None:
        panels.append(_score_panel(outcome, policy, _("Outcome: "), changes))
    panels.extend(_score_panel(history, policy, "", changes) for history in by_code.values())
    panels.append(exposure_panel(exposures, daily))
    panels.append(_goals_panel(selectors.client_goals(user, client)))
    months = month_starts(month_start_before(today, CONTACT_MONTHS - 1), today)
    panels.append(
        contacts_panel(
            selectors.contacts_by_month_and_mode(user, client, start=months[0]),
            months,
            [month_text(month) for month in months],
            title=_("Contacts per month"),
            period_column=_("Month"),
            caption=_("Contacts per month and mode, over the last twelve months."),
            empty_text=_(
                "No contact recorded in the last twelve months. Record contacts on the "
                "client's contacts page and they are counted here."
            ),
        )
    )
    return ClientDashboard(
        client=client,
        programme=programme,
        alliance_instrument=policy.alliance_instrument,
        outcome_instrument=policy.outcome_instrument,
        panels=panels,
        changes=changes,
        exposures=exposures,
    )
