"""The home page: each person starts where they come for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page they come for; a page of links for everyone else."""
    scope = scope_for(request.user)
    if scope.has_role(Role.CASE_MANAGER):
        return redirect("practice:caseload")
    if scope.has_role(Role.SUPERVISOR, Role.PROGRAMME_MANAGER):
        return redirect("clients:team_list")
    return render(request, "site/home.html")
