"""Caseload and client pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role
from tandem.clients import selectors
from tandem.core.access import role_required, user_of
from tandem.measures.selectors import measure_status_by_episode
from tandem.practice.selectors import next_steps_for, with_practice_facts


@require_GET
@role_required(Role.CASE_MANAGER)
def caseload(request: HttpRequest) -> HttpResponse:
    """My caseload: clients of my open episodes, status and days in episode."""
    user = user_of(request)
    today = timezone.localdate()
    episodes = list(with_practice_facts(selectors.caseload_for(user)))
    next_steps = next_steps_for(episodes)
    measures = measure_status_by_episode(e.pk for e in episodes)
    rows = [
        {
            "episode": e,
            "client": e.client,
            "days": e.days_in_episode(today),
            "weeks_remaining": e.weeks_remaining(today),
            "near_end": e.is_near_end(today),
            "next_step": next_steps.get(e.pk),
            "measures": measures.get(e.pk, {}),
            "days_since_contact": (
                (today - e.last_contact_on).days  # type: ignore[attr-defined]  # annotated
                if e.last_contact_on is not None  # type: ignore[attr-defined]  # annotated
                else None
            ),
        }
        for e in episodes
    ]
    targets = {e.programme.caseload_target for e in episodes}
    context = {
        "rows": rows,
        "today": today,
        "caseload_target": min(targets) if targets else None,
        "discharge_warnings": sum(1 for row in rows if row["near_end"]),
        "waitlists": selectors.waitlist_summary_for_teams(
            scope_for(user).team_ids(Role.CASE_MANAGER)
        ),
    }
    return render(request, "clients/caseload.html", context)


@require_GET
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's record: demographics and episodes of care."""
    user = user_of(request)
    client = selectors.get_client_for(user, pk)
    today = timezone.localdate()
    episodes = list(selectors.client_episodes_for(user, client))
    return render(
        request,
        "clients/client_detail.html",
        {
            "client": client,
            "age": client.age_on(today),
            "episodes": [{"episode": e, "days": e.days_in_episode(today)} for e in episodes],
            "identifiers": list(client.identifiers.all()),
        },
    )
