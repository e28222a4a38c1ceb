"""A team's continuous fidelity indicators, and refreshing them on demand."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.models import Role
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.fidelity.indicators.team import refresh_team_indicators, team_indicators_for


@require_GET
@role_required(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
def team_indicators(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest value of each indicator, its review domain, target and twelve weeks before."""
    result = team_indicators_for(user_of(request), pk)
    return render(request, "fidelity/team_indicators.html", {"result": result})


@require_POST
@role_required(Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
@form_token_required
def indicators_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the team's indicators for today, then go back where the person came from."""
    refresh_team_indicators(actor=user_of(request), team_pk=pk)
    messages.success(request, _("The team's indicators were recomputed for today."))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(back)
    return redirect("clients:team_detail", pk=pk)
