"""Coded retrieval, the case and cross-case matrices and code co-occurrence, with their exports.

Each page is for every member and takes its choices from the query string; ``?export=csv`` or
``?export=xlsx`` downloads what the page shows (audited as an export of the project).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import user_of
from tandem.qualitative import matrices, selectors, tabular
from tandem.qualitative.coders import CONSENSUS, WITH_CONSENSUS
from tandem.qualitative.matrices import Table
from tandem.qualitative.models import ProjectRole
from tandem.qualitative.selectors import ProjectAccess
from tandem.qualitative.views.common import member_access

EXPORTS = ("csv", "xlsx")


class MatrixForm(forms.Form):
    """The choices every matrix page shares: whose codings."""

    coder = forms.ChoiceField(label=gettext_lazy("Coder"), required=False)
    export = forms.ChoiceField(
        required=False,
        choices=[("", ""), *((name, name) for name in EXPORTS)],
        widget=forms.HiddenInput,
    )

    def __init__(self, data: Any, *, user: User, access: ProjectAccess) -> None:
        super().__init__(data)
        coder = self.fields["coder"]
        assert isinstance(coder, forms.ChoiceField)  # noqa: S101 - declared above
        if access.role == ProjectRole.CODER:
            # A coder sees their own codings only: there is nothing to choose.
            coder.choices = [("", _("My codings"))]
            return
        coder.help_text = _(
            "All coders counts what the coders themselves coded, without the consensus codings "
            "recorded when reconciling, which repeat their stretches: a case or participant "
            "counts when any coder coded it. Consensus only counts the agreed coding alone."
        )
        coder.choices = [
            ("", _("All coders (without consensus codings)")),
            (CONSENSUS, _("Consensus only")),
            (WITH_CONSENSUS, _("All coders and consensus codings")),
            *((person.token, person.full_name) for person in matrices.coders_of(access)),
        ]


def _choices(request: HttpRequest, form: forms.Form) -> dict[str, Any]:
    """The cleaned choices, or the defaults when the query string is wrong (errors shown)."""
    if request.GET and form.is_valid():
        return dict(form.cleaned_data)
    return {name: field.initial for name, field in form.fields.items()}


def _export(user: User, access: ProjectAccess, table: Table, kind: str, fmt: str) -> HttpResponse:
    record_event(
        actor=user, action=Action.EXPORT, obj=access.project, agency_id=access.project.agency_id
    )
    name = f"project-{access.project.pk}-{kind}"
    if fmt == "xlsx":
        response = HttpResponse(tabular.to_xlsx(table, kind), content_type=tabular.XLSX_TYPE)
    else:
        response = HttpResponse(tabular.to_csv(table), content_type=tabular.CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _context(
    request: HttpRequest, access: ProjectAccess, form: forms.Form, **more: Any
) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("export", None)
    exports = []
    for fmt in EXPORTS:
        query["export"] = fmt
        exports.append((fmt.upper(), "?" + query.urlencode()))
    return {"access": access, "project": access.project, "form": form, "exports": exports, **more}


# ---- coded retrieval ----------------------------------------------------------------------------
class RetrievalForm(MatrixForm):
    code = forms.TypedChoiceField(
        label=gettext_lazy("Code"), required=False, coerce=int, empty_value=None
    )
    subcodes = forms.BooleanField(label=gettext_lazy("Include its subcodes"), required=False)

    def __init__(self, data: Any, *, user: User, access: ProjectAccess) -> None:
        super().__init__(data, user=user, access=access)
        codebook = matrices.codebook_of(access)
        code = self.fields["code"]
        assert isinstance(code, forms.TypedChoiceField)  # noqa: S101 - declared above
        code.choices = [("", "")] + [
            (c.pk, "\u00a0\u00a0" * codebook.depth[c.pk] + c.name) for c in codebook.codes
        ]
        self.attributes = matrices.attribute_choices(access)
        for attribute, values in self.attributes:
            self.fields[f"attribute_{attribute.pk}"] = forms.ChoiceField(
                label=attribute.name,
                required=False,
                choices=[("", _("Any")), *values],
            )


@require_GET
def retrieval(request: HttpRequest, pk: int) -> HttpResponse:
    """Every excerpt of one code (and its subcodes), narrowed by case attributes and coder."""
    user = user_of(request)
    access = member_access(user, pk)
    form = RetrievalForm(request.GET or None, user=user, access=access)
    chosen = _choices(request, form)
    result = None
    if chosen.get("code"):
        code = selectors.get_code_for(user, access, chosen["code"])
        filters = {
            attribute.pk: chosen[f"attribute_{attribute.pk}"]
            for attribute, _values in form.attributes
            if chosen.get(f"attribute_{attribute.pk}")
        }
        result = matrices.coded_retrieval(
            user,
            access,
            code,
            include_descendants=bool(chosen.get("subcodes")),
            coder=chosen.get("coder") or None,
            attribute_filters=filters,
        )
        if chosen.get("export"):
            return _export(user, access, result.table(), "retrieval", chosen["export"])
    return render(
        request, "qualitative/retrieval.html", _context(request, access, form, result=result)
    )


# ---- case summary matrix ------------------------------------------------------------------------
class CaseMatrixForm(MatrixForm):
    level = forms.TypedChoiceField(
        label=gettext_lazy("Columns"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, data: Any, *, user: User, access: ProjectAccess) -> None:
        super().__init__(data, user=user, access=access)
        depth = matrices.codebook_of(access).max_depth
        level = self.fields["level"]
        assert isinstance(level, forms.TypedChoiceField)  # noqa: S101 - declared above
        level.choices = [
            (n, _("Codes at level %(level)s of the codebook") % {"level": n + 1})
            for n in range(max(depth, 1) + 1)
        ]
        level.initial = 1


@require_GET
def case_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    """Cases by themes (the second level of the codebook, or another), with the excerpts."""
    user = user_of(request)
    access = member_access(user, pk)
    form = CaseMatrixForm(request.GET or None, user=user, access=access)
    chosen = _choices(request, form)
    level = chosen.get("level")
    result = matrices.case_matrix(
        user, access, level=1 if level is None else level, coder=chosen.get("coder") or None
    )
    if chosen.get("export"):
        return _export(user, access, result.table(), "case-matrix", chosen["export"])
    return render(
        request, "qualitative/case_matrix.html", _context(request, access, form, result=result)
    )


# ---- cross-case matrix --------------------------------------------------------------------------
class CrossCaseForm(MatrixForm):
    attribute = forms.TypedChoiceField(
        label=gettext_lazy("Group the cases by"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, data: Any, *, user: User, access: ProjectAccess) -> None:
        super().__init__(data, user=user, access=access)
        attribute = self.fields["attribute"]
        assert isinstance(attribute, forms.TypedChoiceField)  # noqa: S101 - declared above
        attribute.choices = [("", "")] + [(a.pk, a.name) for a in selectors.attributes_of(access)]


@require_GET
def cross_case(request: HttpRequest, pk: int) -> HttpResponse:
    """ "n of N cases" per code and group of an attribute's values."""
    user = user_of(request)
    access = member_access(user, pk)
    form = CrossCaseForm(request.GET or None, user=user, access=access)
    chosen = _choices(request, form)
    result = None
    if chosen.get("attribute"):
        attribute = selectors.get_attribute_for(user, access, chosen["attribute"])
        result = matrices.cross_case_matrix(
            user, access, attribute, coder=chosen.get("coder") or None
        )
        if chosen.get("export"):
            return _export(user, access, result.table(), "cross-case", chosen["export"])
    return render(
        request, "qualitative/cross_case.html", _context(request, access, form, result=result)
    )


# ---- code co-occurrence -------------------------------------------------------------------------
@require_GET
def co_occurrence(request: HttpRequest, pk: int) -> HttpResponse:
    """Codes by codes: overlapping coded stretches in the same document."""
    user = user_of(request)
    access = member_access(user, pk)
    form = MatrixForm(request.GET or None, user=user, access=access)
    chosen = _choices(request, form)
    result = matrices.co_occurrence(user, access, coder=chosen.get("coder") or None)
    if chosen.get("export"):
        return _export(user, access, result.table(), "co-occurrence", chosen["export"])
    return render(
        request, "qualitative/co_occurrence.html", _context(request, access, form, result=result)
    )
