"""The team dashboard page, for the team's supervisors and its programme's managers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.accounts.models import Role
from tandem.core.access import role_required, user_of
from tandem.feedback.dashboard_forms import PeriodForm
from tandem.feedback.dashboards.team import team_dashboard
from tandem.orgs.selectors import get_team_for


@require_GET
@role_required(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
def team_dashboard_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Fidelity over time, indicators against target, and the clients' scores by quarter."""
    user = user_of(request)
    team = get_team_for(user, pk)
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    if not form.is_valid():
        context = {"team": team, "form": form, "dashboard": None}
        return render(request, "feedback/dashboard_team.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    dashboard = team_dashboard(user, team, start=start, end=end)
    # The form shows the period used, defaults included.
    shown_form = PeriodForm(initial={"start": start, "end": end}, today=today)
    return render(
        request,
        "feedback/dashboard_team.html",
        {"team": team, "form": shown_form, "dashboard": dashboard},
    )
