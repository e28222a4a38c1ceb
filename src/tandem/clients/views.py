"""Caseload and client pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.accounts.models import Role
from tandem.clients import selectors
from tandem.core.access import role_required, user_of


@require_GET
@role_required(Role.CASE_MANAGER)
def caseload(request: HttpRequest) -> HttpResponse:
    """My caseload: clients of my open episodes, status and days in episode."""
    today = timezone.localdate()
    episodes = list(selectors.caseload_for(user_of(request)))
    rows = [{"episode": e, "client": e.client, "days": e.days_in_episode(today)} for e in episodes]
    return render(request, "clients/caseload.html", {"rows": rows, "today": today})


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
