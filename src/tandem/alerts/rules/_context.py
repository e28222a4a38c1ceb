"""What every rule reads first: the open episodes and teams in scope, and their thresholds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tandem.alerts.models import AlertPolicy, AlertRule
from tandem.clients.models import DEFAULT_SHORT_TERM_DAYS, Episode, EpisodeStatus
from tandem.orgs.models import ProgrammeModel, Team


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition that holds: what an alert would be about, and the numbers behind it.

    ``reason`` holds numbers, instrument codes and ISO dates only, never personal text.
    """

    rule: AlertRule
    team_id: int
    subject_key: str
    reason: dict[str, Any]
    episode_id: int | None = None
    client_id: int | None = None
    worker_id: int | None = None

    @property
    def key(self) -> tuple[str, int, str]:
        return (str(self.rule), self.team_id, self.subject_key)


@dataclass(frozen=True, slots=True)
class WatchedEpisode:
    """An open episode as the alert rules watch it: who, which team, and its time limit."""

    pk: int
    team_id: int
    client_id: int
    worker_id: int
    programme_id: int
    start_date: date
    time_limit_days: int | None

    @property
    def subject_key(self) -> str:
        return f"episode:{self.pk}"

    def condition(self, rule: AlertRule, reason: dict[str, Any], subject: str = "") -> Condition:
        return Condition(
            rule=rule,
            team_id=self.team_id,
            subject_key=subject or self.subject_key,
            reason=reason,
            episode_id=self.pk,
            client_id=self.client_id,
            worker_id=self.worker_id,
        )


@dataclass(frozen=True, slots=True)
class TeamFacts:
    pk: int
    programme_id: int
    agency_id: int
    caseload_target: int


@dataclass(frozen=True)
class RuleContext:
    today: date
    teams: dict[int, TeamFacts]
    episodes: list[WatchedEpisode]
    policies: dict[int, AlertPolicy] = field(default_factory=dict)

    def policy(self, programme_id: int) -> AlertPolicy:
        """The programme's thresholds; the model's defaults when it has set none."""
        found = self.policies.get(programme_id)
        if found is None:
            found = AlertPolicy(programme_id=programme_id)
            self.policies[programme_id] = found
        return found

    def policy_of_team(self, team_id: int) -> AlertPolicy:
        return self.policy(self.teams[team_id].programme_id)

    @property
    def episode_ids(self) -> list[int]:
        return [episode.pk for episode in self.episodes]


def _time_limit(limit: int | None, model: str) -> int | None:
    # Mirrors Episode.time_limit_days, read from values() rather than one episode at a time.
    if limit is None and model == ProgrammeModel.STCM:
        return DEFAULT_SHORT_TERM_DAYS
    return limit


def context_for(*, today: date, team_ids: Iterable[int] | None = None) -> RuleContext:
    """Read the teams, their open episodes and their programmes' policies (three queries)."""
    teams = Team.objects.all()
    if team_ids is not None:
        teams = teams.filter(pk__in=list(team_ids))
    team_facts = {
        pk: TeamFacts(pk, programme_id, agency_id, target)
        for pk, programme_id, agency_id, target in teams.values_list(
            "pk", "programme_id", "programme__agency_id", "programme__caseload_target"
        )
    }
    rows = (
        Episode.objects.filter(status=EpisodeStatus.OPEN, team_id__in=list(team_facts))
        .order_by("pk")
        .values_list(
            "pk",
            "team_id",
            "client_id",
            "primary_case_manager_id",
            "programme_id",
            "start_date",
            "programme__time_limit_days",
            "programme__model",
        )
    )
    episodes = [
        WatchedEpisode(pk, team, client, worker, programme, start, _time_limit(limit, model))
        for pk, team, client, worker, programme, start, limit, model in rows
    ]
    programme_ids = {team.programme_id for team in team_facts.values()}
    policies = {
        policy.programme_id: policy
        for policy in AlertPolicy.objects.filter(programme_id__in=programme_ids)
    }
    return RuleContext(today=today, teams=team_facts, episodes=episodes, policies=policies)
