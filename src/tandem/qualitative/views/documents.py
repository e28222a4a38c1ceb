"""The document list, import (upload or paste), reading a document, and its corrections."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.core.access import user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.qualitative import selectors
from tandem.qualitative.forms import ArchiveForm, DocumentEditForm, DocumentForm
from tandem.qualitative.models import MAX_UPLOAD_BYTES, ProjectRole
from tandem.qualitative.services import documents as services
from tandem.qualitative.views.coding import document_page
from tandem.qualitative.views.common import member_access, save_correction

LEAD = (ProjectRole.LEAD,)


@require_GET
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's documents: title, case, length, source (no text: one query)."""
    user = user_of(request)
    access = member_access(user, pk)
    return render(
        request,
        "qualitative/document_list.html",
        {
            "access": access,
            "project": access.project,
            "documents": selectors.documents_of(user, access),
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a .txt or .docx file, or paste a text (leads); the encoding found is reported."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    cases = selectors.active_cases_of(access)
    form = DocumentForm(request.POST or None, request.FILES or None, cases=cases)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload:
                    if upload.size > MAX_UPLOAD_BYTES:
                        raise ValidationError(
                            {
                                "file": _("The file is larger than %(max)s MB.")
                                % {"max": MAX_UPLOAD_BYTES // (1024 * 1024)}
                            }
                        )
                    document = services.import_file(
                        actor=user,
                        project=access.project,
                        title=form.cleaned_data["title"],
                        filename=upload.name or "",
                        content=upload.read(),
                        case=form.cleaned_data["case"],
                    )
                else:
                    document = services.import_text(
                        actor=user,
                        project=access.project,
                        title=form.cleaned_data["title"],
                        text=form.cleaned_data["text"],
                        case=form.cleaned_data["case"],
                    )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                if document.detected_encoding:
                    messages.success(
                        request,
                        _("Document imported: %(count)s characters, read as %(encoding)s.")
                        % {
                            "count": document.char_count,
                            "encoding": document.detected_encoding.upper(),
                        },
                    )
                else:
                    messages.success(
                        request,
                        _("Document imported: %(count)s characters.")
                        % {"count": document.char_count},
                    )
                return redirect("qualitative:document_detail", pk=pk, document_pk=document.pk)
    return render(
        request,
        "qualitative/form.html",
        {
            "access": access,
            "project": access.project,
            "form": form,
            "multipart": True,
            "heading": _("Import a document"),
            "intro": _(
                "Line endings are made uniform once, on import; after that the text never "
                "changes, so that codings always point at the same words."
            ),
            "submit": _("Import"),
            "cancel_url": reverse("qualitative:document_list", args=[pk]),
        },
        status=status,
    )


@require_GET
def document_detail(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Read a document, line by line with line numbers, with the reader's own codings (every
    read is audited)."""
    user = user_of(request)
    access = member_access(user, pk)
    document = selectors.get_document_for(user, access, document_pk)
    return document_page(request, user, access, document)


@require_http_methods(["GET", "POST"])
@form_token_required
def document_edit(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Correct a document's title or case, or archive or restore it (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    document = selectors.get_document_for(user, access, document_pk)
    cases = selectors.active_cases_of(access)
    action = request.POST.get("action", "edit")
    edit = DocumentEditForm(
        request.POST if action == "edit" else None,
        cases=cases,
        initial={
            "version": document.version,
            "title": document.title,
            "case": str(document.case_id or ""),
        },
    )
    archive = ArchiveForm(
        request.POST if action == "archive" else None, initial={"version": document.version}
    )

    def save(data: dict[str, Any]) -> object:
        if action == "archive":
            return services.set_document_archived(
                actor=user,
                document=document,
                expected_version=data["version"],
                archived=not document.is_archived,
                reason=data["reason"],
            )
        return services.update_document(
            actor=user,
            document=document,
            expected_version=data["version"],
            reason=data["reason"],
            title=data["title"],
            case=data["case"],
        )

    return save_correction(
        request,
        archive if action == "archive" else edit,
        save,
        lambda: selectors.stored_version(document),
        success=_("Saved. The change is in the project's history."),
        next_url=reverse("qualitative:document_detail", args=[pk, document.pk]),
        template="qualitative/record_edit.html",
        context={
            "access": access,
            "project": access.project,
            "edit": edit,
            "archive": archive,
            "is_archived": document.is_archived,
            "heading": _("Correct the document %(title)s") % {"title": document.title},
            "intro": _("The text itself never changes; its title and case may."),
            "cancel_url": reverse("qualitative:document_detail", args=[pk, document.pk]),
        },
    )
