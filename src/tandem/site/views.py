"""The home page: each person starts where they come for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role

# What each role without a clinical starting page finds in Tandem today, and what it does not.
# The links themselves are the menu's (site.context_processors.navigation).
INTRODUCTIONS: dict[Role, Promise] = {
    Role.ASSESSOR: _(
        "As a fidelity assessor you rate a team's fidelity review on your own, then reconcile "
        "the ratings with the second assessor. Open a review from the list of fidelity reviews."
    ),
    Role.RESEARCHER: _(
        "As a researcher you see no identified client data. Studies, consent records and "
        "de-identified data sets are not in Tandem yet: until they are, a programme's manager "
        "exports its measures for a study (clients appear by id only, and the export is "
        "audited) and passes the file on to you."
    ),
    Role.TRAINER: _(
        "Training cohorts, case consultations and the pre/post self-efficacy questionnaires are "
        "not in Tandem yet. Until they are, your account holds nothing more than its password; "
        "the case managers you train use their own accounts."
    ),
    Role.AGENCY_ADMIN: _(
        "As the agency administrator you look after people's access: roles and their changes, "
        "locked accounts, fidelity scales, and the administration site for users, teams and "
        "instruments."
    ),
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page they come for; a page of what they can reach for others."""
    scope = scope_for(request.user)
    if scope.has_role(Role.CASE_MANAGER):
        return redirect("practice:caseload")
    if scope.has_role(Role.SUPERVISOR, Role.PROGRAMME_MANAGER):
        return redirect("clients:team_list")
    introductions = [
        {"role": role.label, "text": INTRODUCTIONS[role]}
        for role in Role
        if role in INTRODUCTIONS and scope.has_role(role)
    ]
    return render(request, "site/home.html", {"introductions": introductions})
