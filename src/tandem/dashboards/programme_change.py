"""Intake-to-discharge change of the episodes closed in a period: needs and outcome.

First and last completed score of each closed episode, read in one query; the share reliably
improved uses the programme's reference SD and reliability, else ``measures.history``'s.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.utils.translation import gettext as _

from tandem.alerts.selectors import alert_policy_for
from tandem.core.display import Cell, rounded, shown
from tandem.dashboards.charts import Panel, bar_chart, mean_of
from tandem.dashboards.programme_flow import EpisodeInPeriod
from tandem.measures.history import CHANGE_NORMS, ChangeNorm, headline_score
from tandem.measures.labels import localised
from tandem.measures.models import Response
from tandem.measures.registry import UnknownInstrumentError, get_instrument
from tandem.orgs.models import Programme
from tandem.stats import reliable_change

NEEDS_INSTRUMENT = "cansas"
NEEDS_SCORE = "unmet"  # unmet needs: lower is better


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """First and last scores of episodes closed in the period, on one instrument's score."""

    instrument: str
    score: str
    higher_is_better: bool
    n: int
    mean_first: float | None
    mean_last: float | None
    mean_change: float | None
    share_improved: float | None  # None where no reliable-change norm exists


def _pairs(
    closed_ids: list[int], wanted: dict[str, str]
) -> dict[str, dict[int, tuple[float, float]]]:
    """Per instrument, per episode: (first, last) of its score, for episodes with two or more."""
    series: dict[tuple[str, int], list[float]] = defaultdict(list)
    rows = (
        Response.objects.filter(
            episode_id__in=closed_ids,
            instrument_code__in=list(wanted),
            completed_at__isnull=False,
        )
        .order_by("episode_id", "completed_at", "pk")
        .values_list("episode_id", "instrument_code", "scores")
    )
    for episode_id, code, scores in rows:
        value = scores.get(wanted[code]) if isinstance(scores, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            series[(code, episode_id)].append(float(value))
    found: dict[str, dict[int, tuple[float, float]]] = {code: {} for code in wanted}
    for (code, episode_id), values in series.items():
        if len(values) >= 2:
            found[code][episode_id] = (values[0], values[-1])
    return found


def _summary(
    code: str,
    score: str,
    pairs: dict[int, tuple[float, float]],
    norm: ChangeNorm | None,
    *,
    higher_is_better: bool,
) -> ChangeSummary:
    first = [pair[0] for pair in pairs.values()]
    last = [pair[1] for pair in pairs.values()]
    share = None
    if norm is not None and pairs:
        result = reliable_change(
            first, last, norm.sd, norm.reliability, higher_is_better=higher_is_better
        )
        share = float(np.mean(np.asarray(result.category) == "improved"))
    return ChangeSummary(
        instrument=code,
        score=score,
        higher_is_better=higher_is_better,
        n=len(pairs),
        mean_first=mean_of(first),
        mean_last=mean_of(last),
        mean_change=mean_of([b - a for a, b in zip(first, last, strict=True)]),
        share_improved=share,
    )


def change_summaries(
    programme: Programme, episodes: list[EpisodeInPeriod], start: date, end: date
) -> tuple[list[ChangeSummary], dict[int, list[float]]]:
    """Needs and outcome change over episodes closed in the period; also episode -> team."""
    policy = alert_policy_for(programme.pk)
    closed = {
        e.pk: e.team_id for e in episodes if e.end_date is not None and start <= e.end_date <= end
    }
    outcome = policy.outcome_instrument
    outcome_score = headline_score(outcome)
    wanted = {NEEDS_INSTRUMENT: NEEDS_SCORE}
    if outcome_score is not None and outcome != NEEDS_INSTRUMENT:
        wanted[outcome] = outcome_score
    pairs = _pairs(list(closed), wanted)
    summaries = [
        _summary(
            NEEDS_INSTRUMENT, NEEDS_SCORE, pairs[NEEDS_INSTRUMENT], None, higher_is_better=False
        )
    ]
    if outcome in wanted and outcome != NEEDS_INSTRUMENT:
        norm = CHANGE_NORMS.get(outcome)
        if policy.outcome_sd is not None and policy.outcome_reliability is not None:
            norm = ChangeNorm(
                wanted[outcome],
                sd=policy.outcome_sd,
                reliability=policy.outcome_reliability,
                source="programme policy",
            )
        summaries.append(
            _summary(outcome, wanted[outcome], pairs[outcome], norm, higher_is_better=True)
        )
    return summaries, _outcome_change_by_team(pairs.get(outcome, {}), closed)


def _outcome_change_by_team(
    pairs: dict[int, tuple[float, float]], team_of: dict[int, int]
) -> dict[int, list[float]]:
    found: dict[int, list[float]] = defaultdict(list)
    for episode_id, (first, last) in pairs.items():
        found[team_of[episode_id]].append(last - first)
    return dict(found)


def _instrument_title(code: str) -> str:
    try:
        return localised(get_instrument(code).title)
    except UnknownInstrumentError:
        return code


def change_panel(summaries: list[ChangeSummary]) -> Panel:
    table: list[tuple[Cell, ...]] = []
    for s in summaries:
        label = (
            _("Needs: %(title)s, %(score)s (lower is better)")
            if not s.higher_is_better
            else _("Outcome: %(title)s, %(score)s (higher is better)")
        ) % {"title": _instrument_title(s.instrument), "score": s.score}
        share = None if s.share_improved is None else round(100 * s.share_improved)
        table.append(
            (
                label,
                shown(s.n, s.n),
                shown(rounded(s.mean_first), s.n),
                shown(rounded(s.mean_last), s.n),
                shown(rounded(s.mean_change), s.n),
                shown(share, s.n),
            )
        )
    labels = [s.instrument.upper() for s in summaries]
    return Panel(
        title=_("Change from intake to discharge"),
        svg=bar_chart(
            labels,
            {_("Mean first"): [r[2] for r in table], _("Mean last"): [r[3] for r in table]},
            ylabel=_("score"),
        ),
        columns=(
            _("Measure"),
            _("Episodes"),
            _("Mean first"),
            _("Mean last"),
            _("Mean change"),
            _("Reliably improved (%)"),
        ),
        rows=table,
        caption=_(
            "Episodes closed in the period with at least two scores: first and last score of "
            "the episode. Reliable improvement needs a reference standard deviation and "
            "reliability; without one the share is left empty."
        ),
    )
