"""A programme's responses exported to, and imported from, a spreadsheet by its manager."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.accounts.models import Role
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import (
    form_token_required,
)
from tandem.measures.exporting import export_responses, studies_of
from tandem.measures.forms import ExportForm, ImportForm
from tandem.measures.importing import import_csv
from tandem.measures.registry import get_instrument
from tandem.orgs.selectors import get_programme_for_manager


@require_http_methods(["GET"])
@role_required(Role.PROGRAMME_MANAGER)
def programme_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a programme's responses and scores to one instrument as CSV or SPSS."""
    programme = get_programme_for_manager(user_of(request), pk)
    form = ExportForm(request.GET or None, studies=studies_of(programme))
    if not form.is_valid():
        return render(
            request, "measures/programme_export.html", {"programme": programme, "form": form}
        )
    exported = export_responses(
        actor=user_of(request),
        programme=programme,
        instrument=get_instrument(form.cleaned_data["instrument"]),
        file_format=form.cleaned_data["format"],
        study=form.cleaned_data["study"],
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.PROGRAMME_MANAGER)
@form_token_required
def programme_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a CSV of responses: all rows are stored and scored, or none, with a report."""
    programme = get_programme_for_manager(user_of(request), pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_csv(
            actor=user_of(request),
            programme=programme,
            instrument=get_instrument(form.cleaned_data["instrument"]),
            text=form.cleaned_data["file"],
        )
        if result.is_ok:
            messages.success(
                request,
                _("%(count)d responses were imported and scored.") % {"count": result.created},
            )
            return redirect("measures:programme_import", programme.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "measures/programme_import.html",
        {"programme": programme, "form": form, "result": result},
        status=status,
    )
