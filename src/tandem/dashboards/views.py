"""The dashboard pages: client, case manager, team and programme, thin views over the builders."""

from __future__ import annotations

import dataclasses

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.accounts.models import Role
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.selectors import get_client_for
from tandem.core.access import deny_read, role_required, user_of
from tandem.dashboards.charts import deferred_charts
from tandem.dashboards.client import client_dashboard
from tandem.dashboards.forms import PeriodForm
from tandem.dashboards.programme import programme_dashboard
from tandem.dashboards.team import team_dashboard
from tandem.dashboards.worker import worker_dashboard
from tandem.orgs.selectors import get_programme_for_manager, get_team_for


@require_GET
def client_dashboard_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's alliance and outcome trends, goals and contacts (as the client record)."""
    user = user_of(request)
    client = get_client_for(user, pk)
    dashboard = client_dashboard(user, client)
    return render(request, "dashboards/client.html", {"dashboard": dashboard})


@require_GET
@role_required(Role.CASE_MANAGER)
def my_dashboard_page(request: HttpRequest) -> HttpResponse:
    """The case manager's own clients with their alerts, measures due and indicators."""
    dashboard = worker_dashboard(user_of(request))
    return render(request, "dashboards/worker.html", {"dashboard": dashboard})


@require_GET
@role_required(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
def team_dashboard_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Fidelity over time, what moved, indicators against target, and the clients' scores.

    Charts already drawn for the same numbers come from the cache; the others are fetched by
    the page (``team_dashboard_chart``), so that it answers at the speed of its queries.
    """
    user = user_of(request)
    team = get_team_for(user, pk)
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    if not form.is_valid():
        context = {"team": team, "form": form, "dashboard": None}
        return render(request, "dashboards/team.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    with deferred_charts():
        dashboard = team_dashboard(user, team, start=start, end=end)
    # The form shows the period used, defaults included.
    shown_form = PeriodForm(initial={"start": start, "end": end}, today=today)
    return render(
        request,
        "dashboards/team.html",
        {
            "team": team,
            "form": shown_form,
            "dashboard": dashboard,
            "period": {"start": start.isoformat(), "end": end.isoformat()},
        },
    )


@require_GET
@role_required(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
def team_dashboard_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """One chart of the team dashboard (``?panel=``, counted from 0), drawn: an htmx fragment."""
    user = user_of(request)
    team = get_team_for(user, pk)
    form = PeriodForm(request.GET, today=timezone.localdate())
    panel_text = request.GET.get("panel", "0")
    if not form.is_valid() or not panel_text.isdigit():
        return HttpResponse(status=400)
    index = int(panel_text)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    with deferred_charts() as deferred:
        dashboard = team_dashboard(user, team, start=start, end=end)
    panels = dashboard.panels
    if not 0 <= index < len(panels):
        deny_read(user, "dashboards.chart", index)
    panel = dataclasses.replace(panels[index], svg=deferred.draw(panels[index].svg))
    return render(request, "dashboards/_chart.html", {"panel": panel})


@require_GET
@role_required(Role.PROGRAMME_MANAGER)
def programme_dashboard_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme's referrals, waitlist, flow and change, by team, over a chosen period."""
    user = user_of(request)
    programme = get_programme_for_manager(user, pk)
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    if not form.is_valid():
        return render(
            request,
            "dashboards/programme.html",
            {"programme": programme, "form": form, "dashboard": None},
            status=400,
        )
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    record_event(
        actor=user,
        action=Action.VIEW,
        object_type="dashboards.programme_dashboard",
        object_id=str(programme.pk),
        agency_id=programme.agency_id,
    )
    dashboard = programme_dashboard(user, programme, start=start, end=end, today=today)
    # The form shows the period used, defaults included.
    shown_form = PeriodForm(initial={"start": start, "end": end}, today=today)
    return render(
        request,
        "dashboards/programme.html",
        {"programme": programme, "form": shown_form, "dashboard": dashboard},
    )
