"""Study pages: the list, starting a study, the study (protocol, members and counts), its
protocol and analysis defaults, and its members. Researchers read aggregates only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.models import Role
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.measures.labels import localised
from tandem.measures.registry import all_instruments
from tandem.orgs.models import Programme, Team
from tandem.research import selectors, services
from tandem.research.forms import MemberForm, StudyEditForm, StudyForm, study_initial
from tandem.research.models import COVARIATE_LABELS, StudyMember
from tandem.research.runs.selectors import may_run
from tandem.research.views.common import changed_elsewhere
from tandem.research.views.exports import export_section
from tandem.research.views.runs import runs_section

STUDY_ROLES = (Role.RESEARCHER, Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER)


def instrument_list() -> list[dict[str, object]]:
    """Each instrument's code, title and score names, for the protocol's help."""
    return [
        {"code": i.code, "title": localised(i.title), "scores": [s.name for s in i.scores]}
        for i in all_instruments()
    ]


@require_GET
@role_required(*STUDY_ROLES)
def study_list(request: HttpRequest) -> HttpResponse:
    """The studies the user belongs to, administers or whose programmes they manage."""
    user = user_of(request)
    studies = list(selectors.studies_visible_to(user).select_related("agency"))
    may_create = selectors.agencies_for_studies_of(user).exists()
    return render(
        request, "research/study_list.html", {"studies": studies, "may_create": may_create}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER)
@form_token_required
def study_new(request: HttpRequest) -> HttpResponse:
    """Start a draft study over programmes the user may reach."""
    user = user_of(request)
    agencies = selectors.agencies_for_studies_of(user)
    form = StudyForm(
        request.POST or None,
        agencies=agencies,
        programmes=selectors.programmes_for_studies_of(user),
        teams=selectors.teams_for_studies_of(user),
        leads=selectors.eligible_leads_for(user),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                study = services.create_study(
                    actor=user,
                    agency=data["agency"],
                    title=data["title"],
                    slug=data["slug"],
                    description=data["description"],
                    programmes=list(data["programmes"]),
                    teams=list(data["teams"]),
                    exposure_days=data["exposure_days"],
                    date_mode=data["date_mode"],
                    lead=data["lead"],
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(
                    request, _("The study is started as a draft: now set its protocol.")
                )
                return redirect("research:study_detail", pk=study.pk)
    return render(request, "research/study_new.html", {"form": form}, status=status)


@require_GET
@role_required(*STUDY_ROLES)
def study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The study: protocol, waves and measures, members, and consent counts (no names)."""
    user = user_of(request)
    study = selectors.get_study_for(user, pk)
    waves = list(study.waves.prefetch_related("measures"))
    runs = runs_section(request, study) if may_run(user, study) else {}
    return render(
        request,
        "research/study_detail.html",
        {
            "study": study,
            "programmes": list(study.programmes.order_by("name")),
            "teams": list(study.teams.select_related("programme").order_by("name")),
            "waves": waves,
            "members": list(selectors.members_of(study)),
            "counts": selectors.study_counts(study),
            "manages": selectors.manages(user, study),
            "covariates": [str(COVARIATE_LABELS.get(c, c)) for c in study.covariates],
            "export_section": export_section(user, study),
            "may_run": bool(runs),
            **runs,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*STUDY_ROLES)
@form_token_required
def study_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the study's details, protocol and analysis defaults; a stale form gets 409."""
    user = user_of(request)
    study = selectors.get_study_for(user, pk)
    if not selectors.manages(user, study):
        raise PermissionDenied
    form = StudyEditForm(
        request.POST or None,
        initial=study_initial(study),
        programmes=Programme.objects.filter(agency=study.agency_id)
        .select_related("agency")
        .order_by("name"),
        teams=Team.objects.filter(programme__agency=study.agency_id)
        .select_related("programme")
        .order_by("programme__name", "name"),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_study(
                    actor=user,
                    study=study,
                    expected_version=data["version"],
                    title=data["title"],
                    slug=data["slug"],
                    description=data["description"],
                    status=data["status"],
                    programmes=list(data["programmes"]),
                    teams=list(data["teams"]),
                    exposure_days=data["exposure_days"],
                    date_mode=data["date_mode"],
                    waves=data["waves"],
                    measures=data["measures"],
                    analysis=form.analysis(),
                )
            except services.StudyChangedError:
                study.refresh_from_db()
                changed_elsewhere(form, study.version)
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("The study is saved."))
                return redirect("research:study_detail", pk=study.pk)
    return render(
        request,
        "research/study_edit.html",
        {"study": study, "form": form, "instruments": instrument_list()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*STUDY_ROLES)
@form_token_required
def study_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Add researchers to the study, or take them off it."""
    user = user_of(request)
    study = selectors.get_study_for(user, pk)
    if not selectors.manages(user, study):
        raise PermissionDenied
    members = list(selectors.members_of(study))
    people = selectors.eligible_members(study.agency_id).exclude(
        pk__in=[m.user_id for m in members]
    )
    action = request.POST.get("action") if request.method == "POST" else None
    form = MemberForm(request.POST if action == "add" else None, people=people)
    status = 200
    if action == "remove":
        wanted = request.POST.get("member", "")
        member = StudyMember.objects.filter(
            study=study, pk=int(wanted) if wanted.isdigit() else 0
        ).first()
        if member is None:
            messages.error(request, _("This person is no longer a member."))
        else:
            services.remove_member(actor=user, member=member)
            messages.success(request, _("The person is taken off the study."))
        return redirect("research:study_members", pk=study.pk)
    if action == "add":
        status = 400
        if form.is_valid():
            try:
                services.add_member(
                    actor=user,
                    study=study,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("The person is added to the study."))
                return redirect("research:study_members", pk=study.pk)
    return render(
        request,
        "research/study_members.html",
        {"study": study, "members": members, "form": form},
        status=status,
    )
