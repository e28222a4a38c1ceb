"""The summary at the top of a client's page: what needs doing now, then the plan in short.

First what a case manager acts on today (next steps, measures due, open alerts), then the
recovery plan, the strengths the person named, the latest contacts, and the alliance and
outcome scores with their charts. Every read goes through the owning app's selectors, which
narrow to what the user may see and audit the read; the charts come from the cache when their
numbers have not changed (``core.chart_cache``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from tandem.accounts.models import User
from tandem.alerts.selectors import alert_policy_for
from tandem.clients.models import Client, Episode
from tandem.dashboards.selectors import AlertLine, open_client_alerts
from tandem.measures.history import InstrumentHistory, headline_score, histories
from tandem.measures.models import Administration
from tandem.measures.selectors import (
    ATTENTION_STATUSES,
    by_urgency,
    client_administrations_for,
    client_responses_for,
)
from tandem.practice.models import (
    Contact,
    DomainEntry,
    Goal,
    GoalStatus,
    RecoveryPlan,
    Step,
    StepStatus,
)
from tandem.practice.selectors import (
    assessments_for,
    current_episode_for,
    plan_for,
    recent_contacts_for,
)

# How many of each list the summary shows; the full lists are one link away.
FIRST_ITEMS = 3
RECENT_CONTACTS = 3


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """The latest alliance or outcome score, its reliable change, and its chart."""

    role: str  # "alliance" or "outcome"
    history: InstrumentHistory
    score: str
    latest: float | None
    latest_on: date

    @property
    def change_category(self) -> str:
        return self.history.change.category if self.history.change is not None else ""


@dataclass(frozen=True, slots=True)
class ClientSummary:
    """What the top of the client page shows."""

    client: Client
    today: date
    episode: Episode | None
    plan: RecoveryPlan | None
    next_steps: list[Step]
    steps_planned: int
    measures: list[Administration]
    measures_waiting: int
    alerts: list[AlertLine]
    goals: list[Goal]
    strengths: list[DomainEntry]
    strengths_on: date | None
    contacts: list[Contact]
    scores: list[ScoreSummary] = field(default_factory=list)


def client_summary(user: User, client: Client, *, today: date | None = None) -> ClientSummary:
    """The summary of a client the user may see (the caller read it with ``get_client_for``)."""
    today = today or timezone.localdate()
    episode = current_episode_for(user, client)
    plan = plan_for(user, episode) if episode is not None else None
    goals = list(plan.goals.all()) if plan is not None else []
    planned = sorted(
        (
            step
            for goal in goals
            if goal.status == GoalStatus.ACTIVE
            for step in goal.steps.all()
            if step.status == StepStatus.PLANNED
        ),
        key=lambda step: (step.due_on, step.pk),
    )
    # Overdue first, then due, then recently missed; waves missed long ago stay on the
    # measures section below, folded, not among what to act on today.
    measures = by_urgency(
        (a for a in client_administrations_for(user, client) if a.status in ATTENTION_STATUSES),
        today=today,
    ).current
    assessments = assessments_for(user, client)
    latest = assessments[0] if assessments else None
    return ClientSummary(
        client=client,
        today=today,
        episode=episode,
        plan=plan,
        next_steps=planned[:FIRST_ITEMS],
        steps_planned=len(planned),
        measures=measures[:FIRST_ITEMS],
        measures_waiting=len(measures),
        alerts=open_client_alerts(user, client),
        goals=[goal for goal in goals if goal.status == GoalStatus.ACTIVE],
        strengths=[entry for entry in latest.entries.all() if entry.wants or entry.own_words]
        if latest is not None
        else [],
        strengths_on=latest.assessed_on if latest is not None else None,
        contacts=recent_contacts_for(user, client, limit=RECENT_CONTACTS),
        scores=_scores(user, client, episode),
    )


def _scores(user: User, client: Client, episode: Episode | None) -> list[ScoreSummary]:
    """The programme's alliance and outcome instruments, as far as the client answered them."""
    policy = alert_policy_for(episode.programme_id if episode is not None else None)
    by_code = {history.code: history for history in histories(client_responses_for(user, client))}
    found = []
    for role, code in (
        ("alliance", policy.alliance_instrument),
        ("outcome", policy.outcome_instrument),
    ):
        history = by_code.get(code)
        if history is None or not history.rows:
            continue
        score = headline_score(code) or history.score_names[0]
        last = history.rows[-1]
        value = last.scores.get(score)
        found.append(
            ScoreSummary(
                role=role,
                history=history,
                score=score,
                latest=None if value is None else float(value),
                latest_on=timezone.localtime(last.completed_at).date(),
            )
        )
    return found
