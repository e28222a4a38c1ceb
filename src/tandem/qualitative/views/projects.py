"""The project list, a project's overview, its members and its history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.core.access import user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.orgs.models import Agency
from tandem.qualitative import selectors
from tandem.qualitative.forms import (
    ArchiveForm,
    MemberAddForm,
    MemberEditForm,
    NewProjectForm,
    ProjectEditForm,
)
from tandem.qualitative.models import ProjectRole
from tandem.qualitative.services import projects as services
from tandem.qualitative.views.common import member_access, save_correction

LEAD = (ProjectRole.LEAD,)


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    """The projects the user is a member of, with their role, and how to start one."""
    user = user_of(request)
    return render(
        request,
        "qualitative/project_list.html",
        {
            "rows": selectors.project_list_for(user),
            "may_create": selectors.may_create_projects(user),
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def project_new(request: HttpRequest) -> HttpResponse:
    """Start a project (agency administrators, researchers, programme managers)."""
    user = user_of(request)
    agencies = list(selectors.agencies_for_new_projects(user).values_list("pk", "name"))
    if not agencies:
        record_event(
            actor=user,
            action=Action.DENIED,
            object_type="view",
            object_id="qualitative:project_new",
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied
    form = NewProjectForm(request.POST or None, agencies=agencies)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                project = services.create_project(
                    actor=user,
                    agency=Agency.objects.get(pk=form.cleaned_data["agency"]),
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Project started. You are its lead."))
                return redirect("qualitative:project_detail", pk=project.pk)
    return render(
        request,
        "qualitative/form.html",
        {
            "form": form,
            "heading": _("Start a qualitative project"),
            "submit": _("Start the project"),
            "cancel_url": reverse("qualitative:project_list"),
        },
        status=status,
    )


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's overview: what it holds and what the reader may do next."""
    user = user_of(request)
    access = member_access(user, pk)
    project = access.project
    return render(
        request,
        "qualitative/project_detail.html",
        {
            "access": access,
            "project": project,
            "counts": selectors.project_counts(access),
            "project_memos": selectors.memos_of(access).filter(
                code=None, document=None, case=None, is_archived=False
            )[:5],
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the title or description, or archive or restore the project (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    project = access.project
    action = request.POST.get("action", "edit")
    initial = {
        "version": project.version,
        "title": project.title,
        "description": project.description,
    }
    edit = ProjectEditForm(request.POST if action == "edit" else None, initial=initial)
    archive = ArchiveForm(
        request.POST if action == "archive" else None, initial={"version": project.version}
    )

    def save(data: dict[str, Any]) -> object:
        if action == "archive":
            return services.set_project_archived(
                actor=user,
                project=project,
                expected_version=data["version"],
                archived=not project.is_archived,
                reason=data["reason"],
            )
        return services.update_project(
            actor=user,
            project=project,
            expected_version=data["version"],
            reason=data["reason"],
            title=data["title"],
            description=data["description"],
        )

    return save_correction(
        request,
        archive if action == "archive" else edit,
        save,
        lambda: selectors.stored_version(project),
        success=_("Saved. The change is in the project's history."),
        next_url=reverse("qualitative:project_detail", args=[project.pk]),
        template="qualitative/record_edit.html",
        context={
            "access": access,
            "project": project,
            "edit": None if project.is_archived else edit,
            "archive": archive,
            "is_archived": project.is_archived,
            "heading": _("Correct the project %(title)s") % {"title": project.title},
            "cancel_url": reverse("qualitative:project_detail", args=[project.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is in the project with which role; leads add people of the agency here."""
    user = user_of(request)
    access = member_access(user, pk)
    form = None
    status = 200
    if access.is_lead and not access.project.is_archived:
        form = MemberAddForm(
            request.POST or None, candidates=list(selectors.candidate_members(access))
        )
    if request.method == "POST":
        if form is None:
            selectors.require_project_role(user, access, *LEAD)
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                services.add_member(
                    actor=user,
                    project=access.project,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Member added."))
                return redirect("qualitative:member_list", pk=pk)
    return render(
        request,
        "qualitative/member_list.html",
        {
            "access": access,
            "project": access.project,
            "members": selectors.members_of(access),
            "form": form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def member_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Change a member's role or remove them from the project, with a reason (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    member = selectors.get_member_for(user, access, member_pk)
    form = MemberEditForm(
        request.POST or None,
        initial={"version": member.version, "role": member.role, "remove": not member.is_active},
    )
    return save_correction(
        request,
        form,
        lambda data: services.change_member(
            actor=user,
            member=member,
            expected_version=data["version"],
            role=data["role"],
            is_active=not data["remove"],
            reason=data["reason"],
        ),
        lambda: selectors.stored_version(member),
        success=_("Saved. The change is in the project's history."),
        next_url=reverse("qualitative:member_list", args=[pk]),
        template="qualitative/form.html",
        context={
            "access": access,
            "project": access.project,
            "heading": _("Change %(name)s's role") % {"name": member.user.full_name},
            "submit": _("Save"),
            "cancel_url": reverse("qualitative:member_list", args=[pk]),
        },
    )


@require_GET
def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every correction, archiving, move and merge in the project: who, when, what and why."""
    user = user_of(request)
    access = member_access(user, pk)
    return render(
        request,
        "qualitative/project_history.html",
        {
            "access": access,
            "project": access.project,
            "changes": selectors.history_of(user, access),
        },
    )
