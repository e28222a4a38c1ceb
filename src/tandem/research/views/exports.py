"""A study's exports: the list (polled while one is being built), asking for one, the download
behind a fresh password, and the void. Study members and the agency's administrators only."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from tandem.accounts.models import Role, User
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.core.access import deny_read, role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.research.exports import selectors, services
from tandem.research.exports.forms import ExportRequestForm, ExportVoidForm, ReauthForm
from tandem.research.models import DatasetExport, Study

EXPORT_ROLES = (Role.RESEARCHER, Role.AGENCY_ADMIN)
# A password typed for a download opens this one and any other for a few minutes.
REAUTH_SESSION_KEY = "research_export_reauth_at"
REAUTH_SECONDS = 5 * 60
LIST_LIMIT = 50


def export_section(
    user: User, study: Study, form: ExportRequestForm | None = None
) -> dict[str, Any] | None:
    """What the study page's "Exports" section shows, or None for people who may not see it."""
    if not selectors.may_see_exports(user, study):
        return None
    exports = list(selectors.exports_of(study)[:LIST_LIMIT])
    return {
        "study": study,
        "exports": exports,
        "form": form or ExportRequestForm(),
        "may_download": selectors.may_download(user, study),
        "polling": any(e.is_in_progress for e in exports),
    }


@require_http_methods(["GET", "POST"])
@role_required(*EXPORT_ROLES)
@form_token_required
def export_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The study's exports (a fragment for htmx polling, else a page); POST asks for one."""
    user = user_of(request)
    study = selectors.get_export_study_for(user, pk)
    form = ExportRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.request_export(
                    actor=user, study=study, export_format=form.cleaned_data["format"]
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(
                    request, _("The export is being built. It is listed here when ready.")
                )
                return redirect("research:export_list", pk=study.pk)
    record_event(actor=user, action=Action.LIST, obj=study, agency_id=study.agency_id)
    section = export_section(user, study, form if request.method == "POST" else None)
    template = (
        "research/_exports.html"
        if request.headers.get("HX-Request")
        else "research/export_list.html"
    )
    return render(request, template, {"section": section, "study": study}, status=status)


def _reauth_fresh(request: HttpRequest) -> bool:
    at = request.session.get(REAUTH_SESSION_KEY)
    return isinstance(at, (int, float)) and 0 <= time.time() - at < REAUTH_SECONDS


def _send(user: User, export: DatasetExport) -> HttpResponse:
    try:
        download = services.open_export(actor=user, export=export)
    except services.ExportNotReadyError:
        deny_read(user, "research.export", export.pk)
    # The view guards are typed for HttpResponse: the file is read whole (tens of MB at most).
    with download.file as handle:
        response = HttpResponse(handle.read(), content_type=download.media_type)
    response["Content-Disposition"] = f'attachment; filename="{download.name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@role_required(*EXPORT_ROLES)
@sensitive_post_parameters("password")
@form_token_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's file, after the person types their password again (good for a few
    minutes in this session); a wrong password counts as a failed sign-in."""
    user = user_of(request)
    export = selectors.get_export_for(user, pk)
    if not selectors.may_download(user, export.study):
        record_event(
            actor=user,
            action=Action.EXPORT,
            obj=export,
            agency_id=export.study.agency_id,
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied
    if not export.is_ready:
        deny_read(user, "research.export", export.pk)
    form = ReauthForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            again = authenticate(
                request, username=user.email, password=form.cleaned_data["password"]
            )
            if again is not None and again.pk == user.pk:
                request.session[REAUTH_SESSION_KEY] = time.time()
                return _send(user, export)
            form.add_error("password", _("This password is not right."))
            status = 403
    elif _reauth_fresh(request):
        return _send(user, export)
    return render(
        request,
        "research/export_download.html",
        {"export": export, "study": export.study, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*EXPORT_ROLES)
@form_token_required
def export_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void an export with a reason; its file is removed."""
    user = user_of(request)
    export = selectors.get_export_for(user, pk)
    if not selectors.may_void(user, export):
        raise PermissionDenied
    form = ExportVoidForm(request.POST or None)
    status = 200
    if request.method == "POST" and not export.is_voided:
        status = 400
        if form.is_valid():
            try:
                services.void_export(actor=user, export=export, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("The export is voided and its file removed."))
                return redirect("research:export_list", pk=export.study_id)
    return render(
        request,
        "research/export_void.html",
        {"export": export, "study": export.study, "form": form},
        status=status,
    )
