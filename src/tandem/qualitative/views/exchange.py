"""REFI-QDA exchange pages: export a project or its codebook, import a project or a codebook.

Exports are downloads named after the project's title (no personal data in the URL, which
carries the project's number only). An import that is refused shows every problem the file
has, with its element and line, keeps what the person chose, and saves nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.core.access import user_of
from tandem.core.form_tokens import form_token_required
from tandem.orgs.models import Agency
from tandem.qualitative import selectors
from tandem.qualitative.exchange import ExchangeError, Problem
from tandem.qualitative.models import Project, ProjectRole
from tandem.qualitative.services import exchange as services
from tandem.qualitative.views.common import member_access

# A .qdpx holds the transcripts of a whole study; larger files are refused before reading.
MAX_EXCHANGE_UPLOAD_BYTES = 50 * 1024 * 1024
TOOLS = "NVivo, ATLAS.ti, MAXQDA, QualCoder"

# What each kind of problem means, in the reader's language; the detail stays as the file
# reader wrote it (element names are those of the file).
PROBLEM_KINDS = {
    "xml-entity": gettext_lazy("The file declares XML entities, which are refused for safety."),
    "xml-malformed": gettext_lazy("The XML is malformed."),
    "xml-encoding": gettext_lazy("The XML's text encoding cannot be read."),
    "not-zip": gettext_lazy("The file is not a .qdpx (zip) file."),
    "zip-corrupt": gettext_lazy("The zip file is damaged."),
    "zip-encrypted": gettext_lazy("The zip file is encrypted."),
    "zip-too-large": gettext_lazy("The file unpacks to more than is allowed."),
    "zip-entries": gettext_lazy("The zip file holds too many files."),
    "zip-path": gettext_lazy("A name in the zip file points outside it."),
    "too-large": gettext_lazy("The file is too large."),
    "source-path": gettext_lazy("A text is outside the file."),
    "no-project-xml": gettext_lazy("The file holds no project (.qde)."),
    "several-project-xml": gettext_lazy("The file holds several projects."),
    "not-project": gettext_lazy("The file is not a REFI-QDA project."),
    "not-codebook": gettext_lazy("The file is not a REFI-QDA codebook."),
    "codebook-empty": gettext_lazy("The codebook has no code."),
    "selection-range": gettext_lazy("A coded passage lies outside its text."),
    "selection-mismatch": gettext_lazy("Codings of one passage disagree on where it is."),
    "record": gettext_lazy("Tandem cannot store this record."),
}


def _exchange_help() -> str:
    """The upload field's help, formatted in the language of the request that shows it."""
    return _("Exported from NVivo, ATLAS.ti, MAXQDA, QualCoder or Tandem; at most %(max)s MB.") % {
        "max": MAX_EXCHANGE_UPLOAD_BYTES // (1024 * 1024)
    }


class ImportProjectForm(forms.Form):
    agency = forms.ChoiceField(label=gettext_lazy("Agency"))
    name = forms.CharField(
        label=gettext_lazy("Project title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty to keep the title the file gives."),
    )
    file = forms.FileField(
        label=gettext_lazy("REFI-QDA project file (.qdpx)"),
        help_text=lazy(_exchange_help, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ".qdpx"}),
    )

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(str(pk), name) for pk, name in agencies]
        if len(agencies) == 1:
            field.widget = forms.HiddenInput()
            field.initial = str(agencies[0][0])

    def clean_file(self) -> Any:
        return _checked_upload(self.cleaned_data["file"])


class ImportCodebookForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("REFI-QDA codebook file (.qdc)"),
        help_text=lazy(_exchange_help, str)(),
        widget=forms.ClearableFileInput(attrs={"accept": ".qdc"}),
    )

    def clean_file(self) -> Any:
        return _checked_upload(self.cleaned_data["file"])


def _checked_upload(upload: Any) -> Any:
    if (upload.size or 0) > MAX_EXCHANGE_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(max)s MB.")
            % {"max": MAX_EXCHANGE_UPLOAD_BYTES // (1024 * 1024)}
        )
    return upload


def problem_rows(error: ExchangeError) -> list[dict[str, Any]]:
    """Each problem as the page lists it: what it means, where, and the reader's detail."""
    return [_row(problem) for problem in error.problems]


def _row(problem: Problem) -> dict[str, Any]:
    return {
        "kind": PROBLEM_KINDS.get(problem.code, ""),
        "element": problem.element,
        "line": problem.line,
        "message": problem.message,
    }


def _download(data: bytes, project: Project, extension: str, content_type: str) -> HttpResponse:
    name = slugify(project.title) or f"project-{project.pk}"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def project_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the project as a REFI-QDA ``.qdpx`` file (any member)."""
    user = user_of(request)
    access = member_access(user, pk)
    try:
        data = services.export_project(user=user, project=access.project)
    except ExchangeError as error:
        return _refused_export(request, access.project, error)
    return _download(data, access.project, "qdpx", "application/zip")


@require_GET
def codebook_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the codebook as a REFI-QDA ``.qdc`` file (any member)."""
    user = user_of(request)
    access = member_access(user, pk)
    try:
        data = services.export_codebook(user=user, project=access.project)
    except ExchangeError as error:
        return _refused_export(request, access.project, error)
    return _download(data, access.project, "qdc", "application/xml")


def _refused_export(request: HttpRequest, project: Project, error: ExchangeError) -> HttpResponse:
    if error.codes == {"codebook-empty"}:
        messages.error(request, _("The codebook is empty: add a code before exporting it."))
    else:
        messages.error(
            request,
            _("The project cannot be exported: %(problems)s")
            % {"problems": "; ".join(str(problem) for problem in error.problems)},
        )
    return redirect("qualitative:project_detail", pk=project.pk)


@require_http_methods(["GET", "POST"])
@form_token_required
def project_import(request: HttpRequest) -> HttpResponse:
    """Start a project from a ``.qdpx`` file (those who may start projects); all or nothing."""
    user = user_of(request)
    agencies = list(selectors.agencies_for_new_projects(user).values_list("pk", "name"))
    if not agencies:
        record_event(
            actor=user,
            action=Action.DENIED,
            object_type="view",
            object_id="qualitative:project_import",
            outcome=Outcome.DENIED,
        )
        raise PermissionDenied
    form = ImportProjectForm(request.POST or None, request.FILES or None, agencies=agencies)
    status = 200
    problems: list[dict[str, Any]] = []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                project = services.import_project(
                    user=user,
                    agency=Agency.objects.get(pk=int(form.cleaned_data["agency"])),
                    data=form.cleaned_data["file"].read(),
                    name=form.cleaned_data["name"] or None,
                )
            except ExchangeError as error:
                problems = problem_rows(error)
            else:
                counts = services.project_counts(project)
                messages.success(
                    request,
                    _(
                        "Project imported: %(codes)s codes, %(sources)s documents, "
                        "%(codings)s codings, %(cases)s cases, %(users)s coders. You are its lead."
                    )
                    % counts,
                )
                return redirect("qualitative:project_detail", pk=project.pk)
    return render(
        request,
        "qualitative/exchange_import.html",
        {
            "form": form,
            "problems": problems,
            "heading": _("Import a REFI-QDA project"),
            "intro": _(
                "A .qdpx file holds a whole project: codebook, transcripts, cases with their "
                "attributes, codings with their coders, and memos. %(tools)s export one "
                "(look for REFI-QDA or “Export project” in their menus)."
            )
            % {"tools": TOOLS},
            "help": _(
                "The file's coders are matched by name: codings by someone with your full "
                "name become yours; every other coder is kept under their name, so that "
                "agreement between coders can still be computed. You become the project's "
                "lead; add its members afterwards."
            ),
            "submit": _("Import the project"),
            "cancel_url": reverse("qualitative:project_list"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def codebook_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a ``.qdc`` codebook's codes to the project (leads), without duplicating codes."""
    user = user_of(request)
    access = member_access(user, pk, ProjectRole.LEAD)
    project = access.project
    form = ImportCodebookForm(request.POST or None, request.FILES or None)
    status = 200
    problems: list[dict[str, Any]] = []
    if request.method == "POST":
        status = 400
        if project.is_archived:
            form.add_error(None, _("This project is archived: restore it before changing it."))
        elif form.is_valid():
            try:
                result = services.import_codebook(
                    user=user, project=project, data=form.cleaned_data["file"].read()
                )
            except ExchangeError as error:
                problems = problem_rows(error)
            else:
                messages.success(
                    request,
                    _(
                        "Codebook imported: %(created)s codes added, %(existing)s already "
                        "there with the same name at the same place."
                    )
                    % {"created": result.created, "existing": result.existing},
                )
                return redirect("qualitative:codebook", pk=project.pk)
    return render(
        request,
        "qualitative/exchange_import.html",
        {
            "access": access,
            "project": project,
            "form": form,
            "problems": problems,
            "heading": _("Import a codebook"),
            "intro": _(
                "A .qdc file holds a codebook alone. %(tools)s export one. Its codes are added "
                "to this project's codebook; a code with the same name at the same place is "
                "kept, not duplicated."
            )
            % {"tools": TOOLS},
            "submit": _("Import the codebook"),
            "cancel_url": reverse("qualitative:codebook", args=[project.pk]),
        },
        status=status,
    )
