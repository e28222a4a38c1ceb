"""Alert rules: which conditions hold today, over all open episodes of the given teams at once.

Each rule is one function taking the :class:`RuleContext` (the open episodes and the policies,
read once) and returning the :class:`Condition` objects that hold. A rule reads its facts in one
or two set-based queries; none queries per episode. ``alerts.services.evaluate_alerts`` turns
conditions into alerts and resolves the alerts whose condition has cleared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tandem.alerts.models import AlertRule
from tandem.alerts.rules._context import Condition, RuleContext, TeamFacts, context_for
from tandem.alerts.rules.casework import (
    caseload_above_target,
    measure_overdue,
    no_recent_contact,
    supervision_not_held,
    time_limit_near,
)
from tandem.alerts.rules.scores import (
    ScoreNorm,
    alliance_drop,
    norm_for,
    not_on_track,
    outcome_deteriorated,
)

Rule = Callable[[RuleContext], list[Condition]]

RULES: dict[str, Rule] = {
    AlertRule.ALLIANCE_DROP: alliance_drop,
    AlertRule.OUTCOME_DETERIORATED: outcome_deteriorated,
    AlertRule.NOT_ON_TRACK: not_on_track,
    AlertRule.MEASURE_OVERDUE: measure_overdue,
    AlertRule.TIME_LIMIT_NEAR: time_limit_near,
    AlertRule.NO_RECENT_CONTACT: no_recent_contact,
    AlertRule.CASELOAD_ABOVE_TARGET: caseload_above_target,
    AlertRule.SUPERVISION_NOT_HELD: supervision_not_held,
}

# The rules that read client scores: evaluated again as soon as a response is completed.
SCORE_RULES = frozenset(
    {AlertRule.ALLIANCE_DROP, AlertRule.OUTCOME_DETERIORATED, AlertRule.NOT_ON_TRACK}
)


def conditions_holding(context: RuleContext, rules: Iterable[str] | None = None) -> list[Condition]:
    """Every condition of ``rules`` (all by default) that holds in the context's teams today."""
    wanted = list(RULES) if rules is None else [AlertRule(rule) for rule in rules]
    return [condition for rule in wanted for condition in RULES[rule](context)]


__all__ = [
    "RULES",
    "SCORE_RULES",
    "Condition",
    "RuleContext",
    "ScoreNorm",
    "TeamFacts",
    "alliance_drop",
    "caseload_above_target",
    "conditions_holding",
    "context_for",
    "measure_overdue",
    "no_recent_contact",
    "norm_for",
    "not_on_track",
    "outcome_deteriorated",
    "supervision_not_held",
    "time_limit_near",
]
