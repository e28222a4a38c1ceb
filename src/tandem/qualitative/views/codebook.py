"""The codebook tree: codes added, corrected, moved, reordered, merged; versions compared."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.core.access import user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.qualitative import selectors
from tandem.qualitative.forms import (
    ArchiveForm,
    CodeEditForm,
    CodeForm,
    CompareForm,
    MergeForm,
    VersionForm,
)
from tandem.qualitative.models import ProjectRole
from tandem.qualitative.services import codebook as services
from tandem.qualitative.versions import compare_codebooks
from tandem.qualitative.views.common import member_access, save_correction

LEAD = (ProjectRole.LEAD,)


@require_GET
def codebook(request: HttpRequest, pk: int) -> HttpResponse:
    """The codebook as a tree, with reorder buttons for leads; archived codes below."""
    user = user_of(request)
    access = member_access(user, pk)
    return render(
        request,
        "qualitative/codebook.html",
        {
            "access": access,
            "project": access.project,
            "nodes": selectors.codebook_tree(access),
            "archived": selectors.codebook_tree(access, archived=True),
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def code_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a category, theme or code anywhere in the tree (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    nodes = selectors.codebook_tree(access)
    parent = request.GET.get("parent", "")
    form = CodeForm(request.POST or None, nodes=nodes, initial={"parent": parent})
    return save_correction(
        request,
        form,
        lambda data: services.add_code(
            actor=user,
            project=access.project,
            parent=data["parent"],
            name=data["name"],
            **form.code_fields(),
        ),
        None,
        success=lambda code: _("Code added: %(name)s.") % {"name": code.name},
        next_url=reverse("qualitative:codebook", args=[pk]),
        context={
            "access": access,
            "project": access.project,
            "heading": _("Add a code"),
            "submit": _("Add the code"),
            "cancel_url": reverse("qualitative:codebook", args=[pk]),
        },
    )


@require_GET
def code_detail(request: HttpRequest, pk: int, code_pk: int) -> HttpResponse:
    """A code's definition, criteria and example, its place in the tree and its memos."""
    user = user_of(request)
    access = member_access(user, pk)
    code = selectors.get_code_for(user, access, code_pk)
    return render(
        request,
        "qualitative/code_detail.html",
        {
            "access": access,
            "project": access.project,
            "code": code,
            "children": selectors.subcodes_of(code),
            "coding_count": selectors.coding_count(code),
            "memos": selectors.memos_of(access).filter(code=code),
            "memo_subject": f"code={code.pk}",
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def code_edit(request: HttpRequest, pk: int, code_pk: int) -> HttpResponse:
    """Correct a code or move it under another parent, or archive or restore it (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    code = selectors.get_code_for(user, access, code_pk)
    action = request.POST.get("action", "edit")
    edit = CodeEditForm(
        request.POST if action == "edit" else None,
        nodes=selectors.codebook_tree(access),
        excluding=code,
        initial={
            "version": code.version,
            "name": code.name,
            "parent": str(code.parent_id or ""),
            "colour": code.colour,
            "definition": code.definition,
            "inclusion": code.inclusion,
            "exclusion": code.exclusion,
            "example": code.example,
        },
    )
    archive = ArchiveForm(
        request.POST if action == "archive" else None, initial={"version": code.version}
    )

    def save(data: dict[str, Any]) -> object:
        if action == "archive":
            return services.set_code_archived(
                actor=user,
                code=code,
                expected_version=data["version"],
                archived=not code.is_archived,
                reason=data["reason"],
            )
        return services.update_code(
            actor=user,
            code=code,
            expected_version=data["version"],
            reason=data["reason"],
            parent=data["parent"],
            name=data["name"],
            **edit.code_fields(),
        )

    return save_correction(
        request,
        archive if action == "archive" else edit,
        save,
        lambda: selectors.stored_version(code),
        success=_("Saved. The change is in the project's history."),
        next_url=reverse("qualitative:code_detail", args=[pk, code.pk]),
        template="qualitative/record_edit.html",
        context={
            "access": access,
            "project": access.project,
            "edit": None if code.is_archived else edit,
            "archive": archive,
            "is_archived": code.is_archived,
            "heading": _("Correct the code %(name)s") % {"name": code.name},
            "cancel_url": reverse("qualitative:code_detail", args=[pk, code.pk]),
        },
    )


@require_POST
@form_token_required
def code_reorder(request: HttpRequest, pk: int, code_pk: int) -> HttpResponse:
    """Move a code one place up or down among its siblings (leads); back to the codebook."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    code = selectors.get_code_for(user, access, code_pk)
    try:
        services.move_code_step(actor=user, code=code, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("qualitative:codebook", args=[pk]))
    return redirect(reverse("qualitative:codebook", args=[pk]) + f"#code-{code.pk}")


@require_http_methods(["GET", "POST"])
@form_token_required
def code_merge(request: HttpRequest, pk: int, code_pk: int) -> HttpResponse:
    """Merge this code into another: its codings, subcodes and memos follow (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    code = selectors.get_code_for(user, access, code_pk)
    form = MergeForm(request.POST or None, nodes=selectors.codebook_tree(access), source=code)
    return save_correction(
        request,
        form,
        lambda data: services.merge_codes(
            actor=user, source=code, target=data["target"], reason=data["reason"]
        ),
        None,
        success=lambda target: (
            _("%(source)s is merged into %(target)s.")
            % {"source": code.name, "target": target.name}
        ),
        next_url=lambda target: reverse("qualitative:code_detail", args=[pk, target.pk]),
        context={
            "access": access,
            "project": access.project,
            "heading": _("Merge the code %(name)s") % {"name": code.name},
            "intro": _(
                "Its codings, subcodes and memos move to the code you choose; it stays in the "
                "history, archived. A coding the other code already has is not doubled."
            ),
            "submit": _("Merge"),
            "cancel_url": reverse("qualitative:code_detail", args=[pk, code.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def codebook_versions(request: HttpRequest, pk: int) -> HttpResponse:
    """Saved versions of the codebook; leads save the codebook as it stands under a label."""
    user = user_of(request)
    access = member_access(user, pk)
    if request.method == "POST":
        selectors.require_project_role(user, access, *LEAD)
    form = VersionForm(request.POST or None) if access.is_lead else None
    status = 200
    if request.method == "POST" and form is not None:
        status = 400
        if form.is_valid():
            try:
                services.save_codebook_version(
                    actor=user, project=access.project, label=form.cleaned_data["label"]
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Codebook version saved."))
                return redirect("qualitative:codebook_versions", pk=pk)
    versions = list(selectors.codebook_versions_of(access))
    return render(
        request,
        "qualitative/codebook_versions.html",
        {
            "access": access,
            "project": access.project,
            "versions": versions,
            "form": form,
            "compare": CompareForm(versions=versions) if versions else None,
        },
        status=status,
    )


@require_GET
def codebook_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Codes added, removed, renamed and moved between two versions (or a version and now)."""
    user = user_of(request)
    access = member_access(user, pk)
    versions = list(selectors.codebook_versions_of(access))
    form = CompareForm(request.GET or None, versions=versions)
    comparison = None
    if request.GET and form.is_valid():
        before = form.cleaned_data["before"]
        after = form.cleaned_data["after"]
        comparison = compare_codebooks(
            before.codes,
            after.codes if after is not None else services.codebook_snapshot(access.project),
        )
    return render(
        request,
        "qualitative/codebook_compare.html",
        {
            "access": access,
            "project": access.project,
            "form": form,
            "versions": versions,
            "comparison": comparison,
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )
