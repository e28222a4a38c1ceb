"""Case attributes, the case list and a case's page."""

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
from tandem.qualitative.forms import (
    ArchiveForm,
    AttributeEditForm,
    AttributeForm,
    CaseEditForm,
    CaseForm,
)
from tandem.qualitative.models import ProjectRole
from tandem.qualitative.services import cases as services
from tandem.qualitative.services.cases import value_field_name
from tandem.qualitative.views.common import member_access, save_correction

LEAD = (ProjectRole.LEAD,)


@require_http_methods(["GET", "POST"])
@form_token_required
def attribute_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The attributes every case may carry, and a form to define another (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    form = AttributeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.define_attribute(actor=user, project=access.project, **form.cleaned_data)
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Attribute added."))
                return redirect("qualitative:attribute_list", pk=pk)
    return render(
        request,
        "qualitative/attribute_list.html",
        {
            "access": access,
            "project": access.project,
            "attributes": selectors.attributes_of(access, archived=True),
            "form": form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def attribute_edit(request: HttpRequest, pk: int, attribute_pk: int) -> HttpResponse:
    """Correct, archive or restore an attribute (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    attribute = selectors.get_attribute_for(user, access, attribute_pk)
    form = AttributeEditForm(
        request.POST or None,
        initial={
            "version": attribute.version,
            "name": attribute.name,
            "value_type": attribute.value_type,
            "description": attribute.description,
            "is_archived": attribute.is_archived,
        },
    )
    return save_correction(
        request,
        form,
        lambda data: services.update_attribute(
            actor=user,
            attribute=attribute,
            expected_version=data["version"],
            **{k: data[k] for k in ("reason", "name", "value_type", "description", "is_archived")},
        ),
        lambda: selectors.stored_version(attribute),
        success=_("Saved. The change is in the project's history."),
        next_url=reverse("qualitative:attribute_list", args=[pk]),
        template="qualitative/form.html",
        context={
            "access": access,
            "project": access.project,
            "heading": _("Correct the attribute %(name)s") % {"name": attribute.name},
            "submit": _("Save the correction"),
            "cancel_url": reverse("qualitative:attribute_list", args=[pk]),
        },
    )


@require_GET
def case_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's cases with their attribute values, one column per attribute."""
    user = user_of(request)
    access = member_access(user, pk)
    attributes = list(selectors.attributes_of(access))
    rows = []
    for case in selectors.cases_of(user, access):
        by_attribute = {value.attribute_id: value.value for value in case.values.all()}
        rows.append((case, [(a, by_attribute.get(a.pk)) for a in attributes]))
    return render(
        request,
        "qualitative/case_list.html",
        {"access": access, "project": access.project, "attributes": attributes, "rows": rows},
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def case_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a case with its attribute values, each checked against its type (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    form = CaseForm(request.POST or None, attributes=list(selectors.attributes_of(access)))
    return save_correction(
        request,
        form,
        lambda data: services.create_case(
            actor=user,
            project=access.project,
            name=data["name"],
            description=data["description"],
            values=form.attribute_values(),
        ),
        None,
        success=_("Case added."),
        next_url=lambda case: reverse("qualitative:case_detail", args=[pk, case.pk]),
        context={
            "access": access,
            "project": access.project,
            "heading": _("Add a case"),
            "submit": _("Add the case"),
            "cancel_url": reverse("qualitative:case_list", args=[pk]),
        },
    )


@require_GET
def case_detail(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    """A case: its attribute values, its documents and the memos about it."""
    user = user_of(request)
    access = member_access(user, pk)
    case = selectors.get_case_for(user, access, case_pk)
    values = selectors.values_by_attribute(case)
    return render(
        request,
        "qualitative/case_detail.html",
        {
            "access": access,
            "project": access.project,
            "case": case,
            "values": [
                (attribute, values[attribute.pk].value if attribute.pk in values else None)
                for attribute in selectors.attributes_of(access)
            ],
            "documents": selectors.documents_of_case(case),
            "memos": selectors.memos_of(access).filter(case=case),
            "memo_subject": f"case={case.pk}",
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def case_edit(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    """Correct a case or its values, or archive or restore it, with a reason (leads)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    case = selectors.get_case_for(user, access, case_pk)
    attributes = list(selectors.attributes_of(access))
    values = selectors.values_by_attribute(case)
    action = request.POST.get("action", "edit")
    initial: dict[str, Any] = {
        "version": case.version,
        "name": case.name,
        "description": case.description,
        **{value_field_name(a): values[a.pk].value for a in attributes if a.pk in values},
    }
    edit = CaseEditForm(
        request.POST if action == "edit" else None, attributes=attributes, initial=initial
    )
    archive = ArchiveForm(
        request.POST if action == "archive" else None, initial={"version": case.version}
    )

    def save(data: dict[str, Any]) -> object:
        if action == "archive":
            return services.set_case_archived(
                actor=user,
                case=case,
                expected_version=data["version"],
                archived=not case.is_archived,
                reason=data["reason"],
            )
        return services.update_case(
            actor=user,
            case=case,
            expected_version=data["version"],
            reason=data["reason"],
            name=data["name"],
            description=data["description"],
            values=edit.attribute_values(),
        )

    return save_correction(
        request,
        archive if action == "archive" else edit,
        save,
        lambda: selectors.stored_version(case),
        success=_("Saved. The change is in the project's history."),
        next_url=reverse("qualitative:case_detail", args=[pk, case.pk]),
        template="qualitative/record_edit.html",
        context={
            "access": access,
            "project": access.project,
            "edit": edit,
            "archive": archive,
            "is_archived": case.is_archived,
            "heading": _("Correct the case %(name)s") % {"name": case.name},
            "cancel_url": reverse("qualitative:case_detail", args=[pk, case.pk]),
        },
    )
