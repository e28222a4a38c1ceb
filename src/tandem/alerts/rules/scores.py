"""Rules over client scores: alliance drop, outcome deterioration, not on track at mid-episode.

Reliable change is Jacobson and Truax's (``tandem.stats.reliable_change``): a change counts when
it exceeds 1.96 standard errors of the difference, from the reference SD and reliability. These
come from the programme's ``AlertPolicy``; where the policy leaves them empty, from the
reference values in ``measures.history.CHANGE_NORMS``; an instrument with neither has no
reliable-change amount, and these rules do not apply to it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tandem.alerts.models import AlertPolicy, AlertRule
from tandem.alerts.rules._context import Condition, RuleContext, WatchedEpisode
from tandem.measures.history import CHANGE_NORMS, headline_score
from tandem.measures.models import Response
from tandem.stats import reliable_change

# Instruments whose headline score falls as the client gets better (CANSAS counts needs). The
# registry's definitions carry no direction; every other built-in rises with improvement (the
# RPRS with a stronger alliance, the MCAS with better community functioning).
LOWER_IS_BETTER = frozenset({"cansas"})


@dataclass(frozen=True, slots=True)
class ScoreNorm:
    """How one instrument's headline score is judged for reliable change."""

    instrument: str
    score: str
    sd: float
    reliability: float
    higher_is_better: bool
    from_policy: bool


def norm_for(code: str, sd: float | None, reliability: float | None) -> ScoreNorm | None:
    """The policy's SD and reliability if both are set, else the reference norm, else None."""
    score = headline_score(code)
    if score is None:
        return None
    higher = code not in LOWER_IS_BETTER
    if sd is not None and reliability is not None:
        return ScoreNorm(code, score, sd, reliability, higher, from_policy=True)
    reference = CHANGE_NORMS.get(code)
    if reference is None:
        return None
    return ScoreNorm(code, score, reference.sd, reference.reliability, higher, from_policy=False)


def alliance_norm(policy: AlertPolicy) -> ScoreNorm | None:
    return norm_for(policy.alliance_instrument, policy.alliance_sd, policy.alliance_reliability)


def outcome_norm(policy: AlertPolicy) -> ScoreNorm | None:
    return norm_for(policy.outcome_instrument, policy.outcome_sd, policy.outcome_reliability)


Series = list[tuple[int, float]]  # (response id, headline score), oldest first


def _series(ctx: RuleContext, norms: dict[int, ScoreNorm]) -> dict[int, Series]:
    """Each episode's completed scores on its norm's instrument, in one query."""
    if not norms:
        return {}
    codes = {norm.instrument for norm in norms.values()}
    rows = (
        Response.objects.filter(
            episode_id__in=list(norms), instrument_code__in=codes, completed_at__isnull=False
        )
        .order_by("episode_id", "completed_at", "pk")
        .values_list("pk", "episode_id", "instrument_code", "scores")
    )
    found: dict[int, Series] = defaultdict(list)
    for pk, episode_id, code, scores in rows:
        norm = norms.get(episode_id)
        if norm is None or code != norm.instrument:
            continue
        value = scores.get(norm.score) if isinstance(scores, dict) else None
        if isinstance(value, int | float):
            found[episode_id].append((pk, float(value)))
    return found


@dataclass(frozen=True, slots=True)
class _Change:
    before: float
    after: float
    rci: float
    category: str
    threshold: float


def _classify(
    pairs: dict[int, tuple[float, float]], norms: dict[int, ScoreNorm]
) -> dict[int, _Change]:
    """Classify every episode's (before, after) pair, one vectorised call per distinct norm."""
    by_norm: dict[ScoreNorm, list[int]] = defaultdict(list)
    for episode_id in pairs:
        by_norm[norms[episode_id]].append(episode_id)
    found: dict[int, _Change] = {}
    for norm, ids in by_norm.items():
        before = [pairs[i][0] for i in ids]
        after = [pairs[i][1] for i in ids]
        result = reliable_change(
            before, after, norm.sd, norm.reliability, higher_is_better=norm.higher_is_better
        )
        for index, episode_id in enumerate(ids):
            found[episode_id] = _Change(
                before[index],
                after[index],
                float(result.rci[index]),
                str(result.category[index]),
                result.threshold,
            )
    return found


def _numbers(norm: ScoreNorm, change: _Change) -> dict[str, Any]:
    return {
        "instrument": norm.instrument,
        "score": norm.score,
        "change": round(change.after - change.before, 2),
        "threshold": round(change.threshold, 2),
        "rci": round(change.rci, 2),
    }


def _norms(ctx: RuleContext, which: str) -> dict[int, ScoreNorm]:
    pick = alliance_norm if which == "alliance" else outcome_norm
    found: dict[int, ScoreNorm] = {}
    for episode in ctx.episodes:
        norm = pick(ctx.policy(episode.programme_id))
        if norm is not None:
            found[episode.pk] = norm
    return found


def _by_pk(ctx: RuleContext) -> dict[int, WatchedEpisode]:
    return {episode.pk: episode for episode in ctx.episodes}


def alliance_drop(ctx: RuleContext) -> list[Condition]:
    """The latest alliance score fell reliably below the one before it."""
    norms = _norms(ctx, "alliance")
    series = _series(ctx, norms)
    pairs = {pk: (rows[-2][1], rows[-1][1]) for pk, rows in series.items() if len(rows) >= 2}
    episodes = _by_pk(ctx)
    found = []
    for pk, change in sorted(_classify(pairs, norms).items()):
        if change.category != "deteriorated":
            continue
        rows = series[pk]
        reason = {
            **_numbers(norms[pk], change),
            "previous": change.before,
            "latest": change.after,
            "response": rows[-1][0],
        }
        found.append(episodes[pk].condition(AlertRule.ALLIANCE_DROP, reason))
    return found


def outcome_deteriorated(ctx: RuleContext) -> list[Condition]:
    """The latest outcome score is reliably worse than the first (in the instrument's direction)."""
    norms = _norms(ctx, "outcome")
    series = _series(ctx, norms)
    pairs = {pk: (rows[0][1], rows[-1][1]) for pk, rows in series.items() if len(rows) >= 2}
    episodes = _by_pk(ctx)
    found = []
    for pk, change in sorted(_classify(pairs, norms).items()):
        if change.category != "deteriorated":
            continue
        reason = {
            **_numbers(norms[pk], change),
            "baseline": change.before,
            "latest": change.after,
            "responses": len(series[pk]),
        }
        found.append(episodes[pk].condition(AlertRule.OUTCOME_DETERIORATED, reason))
    return found


def not_on_track(ctx: RuleContext) -> list[Condition]:
    """A time-limited episode at or past half its limit without reliable improvement yet.

    Judged from the baseline outcome score to the latest; an episode with only its baseline has
    shown no improvement. Without a baseline there is nothing to judge (``measure_overdue`` and
    the caseload show the missing measure).
    """
    midway = {
        episode.pk: episode
        for episode in ctx.episodes
        if episode.time_limit_days is not None
        and 2 * (ctx.today - episode.start_date).days >= episode.time_limit_days
    }
    norms = {pk: norm for pk, norm in _norms(ctx, "outcome").items() if pk in midway}
    series = _series(ctx, norms)
    pairs = {pk: (rows[0][1], rows[-1][1]) for pk, rows in series.items() if rows}
    found = []
    for pk, change in sorted(_classify(pairs, norms).items()):
        if change.category == "improved":
            continue
        episode = midway[pk]
        reason = {
            **_numbers(norms[pk], change),
            "baseline": change.before,
            "latest": change.after,
            "responses": len(series[pk]),
            "days_in_episode": (ctx.today - episode.start_date).days,
            "time_limit_days": episode.time_limit_days,
        }
        found.append(episode.condition(AlertRule.NOT_ON_TRACK, reason))
    return found
