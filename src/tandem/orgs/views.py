"""Team pages for supervisors and programme managers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.accounts.models import Role, User
from tandem.clients.models import Episode, EpisodeStatus
from tandem.clients.selectors import team_caseload_for
from tandem.core.access import role_required, user_of
from tandem.orgs import selectors


@dataclass
class WorkerCaseload:
    worker: User
    target: int
    episodes: list[Episode] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.episodes)

    @property
    def is_over_target(self) -> bool:
        return self.count > self.target


@require_GET
@role_required(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams I supervise or manage, with their open caseload."""
    open_filter = Q(episodes__status=EpisodeStatus.OPEN)
    teams = selectors.teams_supervised_by(user_of(request)).annotate(
        open_episodes=Count("episodes", filter=open_filter),
        workers=Count("episodes__primary_case_manager", filter=open_filter, distinct=True),
    )
    return render(request, "orgs/team_list.html", {"teams": teams})


@require_GET
@role_required(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One team: each case manager's open caseload against the programme's target."""
    user = user_of(request)
    team = selectors.get_team_for(user, pk)
    target = team.programme.caseload_target
    episodes = list(team_caseload_for(user, team.pk))
    workers: dict[int, WorkerCaseload] = {}
    for episode in episodes:
        workers.setdefault(
            episode.primary_case_manager_id,
            WorkerCaseload(worker=episode.primary_case_manager, target=target),
        ).episodes.append(episode)
    return render(
        request,
        "orgs/team_detail.html",
        {
            "team": team,
            "workers": list(workers.values()),
            "target": target,
            "total": len(episodes),
            "today": timezone.localdate(),
        },
    )
