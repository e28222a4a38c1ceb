"""Home page, health check and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page they come for; a page of links for everyone else."""
    scope = scope_for(request.user)
    if scope.has_role(Role.CASE_MANAGER):
        return redirect("clients:caseload")
    if scope.has_role(Role.SUPERVISOR, Role.PROGRAMME_MANAGER):
        return redirect("orgs:team_list")
    return render(request, "core/home.html")


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for the load balancer; reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
