"""The home page: each person starts where they come for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role
from tandem.core.access import role_required, user_of
from tandem.fidelity.indicators.targets import targets_in_force
from tandem.orgs.selectors import get_programme_for_configuration, programmes_configurable_by
from tandem.site import configuration as config

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
        "Training cohorts are under Training: you start a cohort, take each session's "
        "attendance, keep the presentation rota and read the case consultation notes. The "
        "pre/post self-efficacy questionnaires are not in Tandem yet."
    ),
    Role.AGENCY_ADMIN: _(
        "As the agency administrator you look after people's access: roles and their changes, "
        "locked accounts, fidelity scales, and the administration site for users, teams and "
        "instruments. Under Configuration you set each programme's measurement schedules, "
        "intake questions, indicator targets and alert thresholds."
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


@require_GET
@role_required(Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)
def configuration(request: HttpRequest) -> HttpResponse:
    """The programmes the person configures, and the latest changes to any of them."""
    user = user_of(request)
    return render(
        request,
        "site/configuration.html",
        {
            "programmes": list(programmes_configurable_by(user)),
            "history": config.history_for(user)[:10],
        },
    )


@require_GET
@role_required(Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)
def programme_configuration(request: HttpRequest, pk: int) -> HttpResponse:
    """One programme's configuration: schedules, intake, targets, thresholds, defaults, history."""
    user = user_of(request)
    programme = get_programme_for_configuration(user, pk)
    thresholds, thresholds_default = config.threshold_rows(programme)
    return render(
        request,
        "site/programme_configuration.html",
        {
            "programme": programme,
            "schedules": config.schedule_rows(programme),
            "intake": config.intake_summary(programme),
            "targets": targets_in_force(programme),
            "thresholds": thresholds,
            "thresholds_default": thresholds_default,
            "defaults": config.defaults_for(programme),
            "history": config.history_for(user, programme),
        },
    )
