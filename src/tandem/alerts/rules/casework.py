"""Rules over routine casework: overdue measures, time limits, contacts, caseload, supervision.

Each counts "N days or more": a contact exactly ``no_contact_days`` ago, or supervision exactly
``supervision_gap_days`` ago, already fires the alert.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone

from tandem.accounts.models import Membership, Role
from tandem.alerts.models import AlertRule
from tandem.alerts.rules._context import Condition, RuleContext
from tandem.measures.models import Administration, AdministrationStatus
from tandem.practice.models import Contact, SupervisionKind, SupervisionSession


def measure_overdue(ctx: RuleContext) -> list[Condition]:
    """Each administration past its due date and still unanswered (status overdue)."""
    episodes = {episode.pk: episode for episode in ctx.episodes}
    rows = (
        Administration.objects.filter(
            episode_id__in=list(episodes), status=AdministrationStatus.OVERDUE
        )
        .order_by("episode_id", "due_date", "pk")
        .values_list("pk", "episode_id", "instrument_code", "due_date")
    )
    found = []
    for pk, episode_id, code, due in rows:
        episode = episodes[episode_id]
        reason = {
            "administration": pk,
            "instrument": code,
            "due_date": due.isoformat(),
            "days_overdue": (ctx.today - due).days,
        }
        subject = f"{episode.subject_key}:administration:{pk}"
        found.append(episode.condition(AlertRule.MEASURE_OVERDUE, reason, subject))
    return found


def time_limit_near(ctx: RuleContext) -> list[Condition]:
    """A time-limited episode within the programme's warning days of its end (or past it)."""
    found = []
    for episode in ctx.episodes:
        if episode.time_limit_days is None:
            continue
        warning_days = ctx.policy(episode.programme_id).time_limit_warning_days
        planned_end = episode.start_date + timedelta(days=episode.time_limit_days)
        days_left = (planned_end - ctx.today).days
        if days_left > warning_days:
            continue
        reason = {
            "planned_end": planned_end.isoformat(),
            "days_left": days_left,
            "time_limit_days": episode.time_limit_days,
            "warning_days": warning_days,
        }
        found.append(episode.condition(AlertRule.TIME_LIMIT_NEAR, reason))
    return found


def no_recent_contact(ctx: RuleContext) -> list[Condition]:
    """An episode open at least ``no_contact_days`` with no contact in that many days."""
    last_contact: dict[int, date] = dict(
        Contact.objects.filter(episode_id__in=ctx.episode_ids)
        .order_by()
        .values("episode_id")
        .annotate(last=Max("occurred_on"))
        .values_list("episode_id", "last")
    )
    found = []
    for episode in ctx.episodes:
        limit = ctx.policy(episode.programme_id).no_contact_days
        days_open = (ctx.today - episode.start_date).days
        if days_open < limit:
            continue
        last = last_contact.get(episode.pk)
        days_since = None if last is None else (ctx.today - last).days
        if days_since is not None and days_since < limit:
            continue
        reason = {
            "last_contact": None if last is None else last.isoformat(),
            "days_since_contact": days_since,
            "days_in_episode": days_open,
            "no_contact_days": limit,
        }
        found.append(episode.condition(AlertRule.NO_RECENT_CONTACT, reason))
    return found


def caseload_above_target(ctx: RuleContext) -> list[Condition]:
    """A case manager whose open episodes in a team exceed the programme's caseload target."""
    counts = Counter((episode.team_id, episode.worker_id) for episode in ctx.episodes)
    found = []
    for (team_id, worker_id), count in sorted(counts.items()):
        target = ctx.teams[team_id].caseload_target
        if count <= target:
            continue
        found.append(
            Condition(
                rule=AlertRule.CASELOAD_ABOVE_TARGET,
                team_id=team_id,
                subject_key=f"worker:{worker_id}",
                reason={"open_episodes": count, "target": target, "over_by": count - target},
                worker_id=worker_id,
            )
        )
    return found


def _gap(
    ctx: RuleContext, team_id: int, kind: SupervisionKind, last: date | None, since: date
) -> dict[str, Any] | None:
    """The reason of a supervision gap, or None within the programme's days.

    Without a session yet, days count from joining (``since``).
    """
    gap = ctx.policy_of_team(team_id).supervision_gap_days
    days = (ctx.today - (last or since)).days
    if days < gap:
        return None
    return {
        "kind": kind.value,
        "last_held": None if last is None else last.isoformat(),
        "days_without": days,
        "gap_days": gap,
    }


def supervision_not_held(ctx: RuleContext) -> list[Condition]:
    """No group supervision for the team, or no individual session for a case manager, lately.

    A team is judged from its first case manager's joining, a case manager from their own, so
    that a new team or worker is not flagged on the first day.
    """
    team_ids = list(ctx.teams)
    members = list(
        Membership.objects.filter(
            role=Role.CASE_MANAGER, team_id__in=team_ids, user__is_active=True
        ).values_list("team_id", "user_id", "created_at")
    )
    joined: dict[tuple[int, int], date] = {}
    for team_id, user_id, created in members:
        day = timezone.localdate(created)
        key = (team_id, user_id)
        joined[key] = min(day, joined.get(key, day))
    group_last: dict[int, date] = dict(
        SupervisionSession.objects.filter(
            team_id__in=team_ids, kind=SupervisionKind.GROUP, held_on__lte=ctx.today
        )
        .order_by()
        .values("team_id")
        .annotate(last=Max("held_on"))
        .values_list("team_id", "last")
    )
    individual_last: dict[tuple[int, int], date] = {
        (team_id, user_id): last
        for team_id, user_id, last in SupervisionSession.objects.filter(
            team_id__in=team_ids,
            kind=SupervisionKind.INDIVIDUAL,
            held_on__lte=ctx.today,
            attendees__isnull=False,
        )
        .order_by()
        .values("team_id", "attendees")
        .annotate(last=Max("held_on"))
        .values_list("team_id", "attendees", "last")
    }
    found = []
    team_since: dict[int, date] = {}
    for (team_id, _user_id), day in joined.items():
        team_since[team_id] = min(day, team_since.get(team_id, day))
    for team_id, since in sorted(team_since.items()):
        reason = _gap(ctx, team_id, SupervisionKind.GROUP, group_last.get(team_id), since)
        if reason is not None:
            found.append(
                Condition(AlertRule.SUPERVISION_NOT_HELD, team_id, f"team:{team_id}:group", reason)
            )
    for (team_id, user_id), since in sorted(joined.items()):
        last = individual_last.get((team_id, user_id))
        reason = _gap(ctx, team_id, SupervisionKind.INDIVIDUAL, last, since)
        if reason is not None:
            found.append(
                Condition(
                    AlertRule.SUPERVISION_NOT_HELD,
                    team_id,
                    f"worker:{user_id}:individual",
                    reason,
                    worker_id=user_id,
                )
            )
    return found
