"""Coding a document in the browser, the agreement between coders, and reconciliation."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.core.access import deny_read, user_of
from tandem.core.display import number_text
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.qualitative import agreement as qda
from tandem.qualitative import selectors
from tandem.qualitative.coders import Coder, of_coder
from tandem.qualitative.models import Code, Coding, Document, ProjectRole
from tandem.qualitative.selectors import ProjectAccess
from tandem.qualitative.services import coding as services
from tandem.qualitative.views.common import member_access
from tandem.stats import CodingAgreementResult

CODERS = (ProjectRole.LEAD, ProjectRole.CODER)
LEAD = (ProjectRole.LEAD,)
EXCERPT_CHARS = 200


class CodingForm(forms.Form):
    """Code a stretch of the text: the JavaScript fills start and end from a selection."""

    code = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Codes"),
        queryset=Code.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one code.")},
    )
    start = forms.IntegerField(
        label=gettext_lazy("From character"),
        min_value=0,
        help_text=gettext_lazy("Counted from 0 at the start of the text."),
    )
    end = forms.IntegerField(
        label=gettext_lazy("To character (not included)"),
        min_value=1,
    )

    def __init__(self, *args: Any, codes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = codes  # type: ignore[attr-defined]


class RemoveCodingForm(forms.Form):
    coding = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Reason for removing"), max_length=500)


CHOICES = [
    ("a", gettext_lazy("Coder A's")),
    ("b", gettext_lazy("Coder B's")),
    ("both", gettext_lazy("Both (the whole stretch)")),
    ("neither", gettext_lazy("Neither")),
]


class ReconcileForm(forms.Form):
    start = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    end = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    choice = forms.ChoiceField(label=gettext_lazy("Consensus"), choices=CHOICES)


class UndoReconcileForm(forms.Form):
    """Undo the reconciliation of one stretch, whatever its outcome, with a reason (leads)."""

    start = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    end = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("Reason for undoing"),
        max_length=500,
        error_messages={"required": gettext_lazy("Say why the reconciliation is undone.")},
    )


# ---- the document page --------------------------------------------------------------------------
@dataclass
class Segment:
    text: str
    codings: list[Coding] = field(default_factory=list)

    @property
    def colour(self) -> str:
        return self.codings[-1].code.colour if self.codings else ""

    @property
    def text_colour(self) -> str:
        return self.codings[-1].code.text_colour if self.codings else ""

    @property
    def label(self) -> str:
        return ", ".join(c.code.name for c in self.codings)


@dataclass
class Line:
    start: int
    segments: list[Segment]

    @property
    def colours(self) -> str:
        """The colours of the codes coded on this line, once each, for the margin bars."""
        seen: dict[str, None] = {}
        for segment in self.segments:
            for coding in segment.codings:
                seen.setdefault(coding.code.colour, None)
        return " ".join(seen)


def highlighted_lines(text: str, codings: list[Coding]) -> list[Line]:
    """The text's lines, each cut where a coding starts or ends, with the codings covering each
    piece (in the order they start): one pass over the lines and the sorted boundaries."""
    starts: dict[int, list[Coding]] = defaultdict(list)
    ends: dict[int, list[Coding]] = defaultdict(list)
    for coding in codings:
        starts[coding.start].append(coding)
        ends[coding.end].append(coding)
    points = sorted(set(starts) | set(ends))
    active: dict[int, Coding] = {}
    applied = 0
    lines = []
    position = 0
    for raw in text.split("\n"):
        line_end = position + len(raw)
        segments = []
        here = position
        while True:
            while applied < len(points) and points[applied] <= here:
                for coding in ends[points[applied]]:
                    active.pop(coding.pk, None)
                for coding in starts[points[applied]]:
                    active[coding.pk] = coding
                applied += 1
            if here >= line_end:
                break
            upto = line_end
            following = bisect_right(points, here, lo=applied)
            if following < len(points) and points[following] < line_end:
                upto = points[following]
            segments.append(
                Segment(text[here:upto], sorted(active.values(), key=lambda c: (c.start, c.pk)))
            )
            here = upto
        lines.append(Line(start=position, segments=segments))
        position = line_end + 1
    return lines


def _excerpt(text: str, start: int, end: int) -> str:
    piece = text[start:end]
    return piece if len(piece) <= EXCERPT_CHARS else piece[: EXCERPT_CHARS - 1] + "…"


def document_page(
    request: HttpRequest,
    user: User,
    access: ProjectAccess,
    document: Document,
    *,
    coding_form: CodingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The document with the reader's own codings highlighted, and the coding form for coders."""
    codings = list(
        of_coder(Coding.objects.filter(document=document), Coder(user).key)
        .select_related("code")
        .order_by("start", "end", "pk")
    )
    may_code = access.role in CODERS and not document.is_archived
    codes = Code.objects.filter(project=access.project, is_archived=False).order_by("name", "pk")
    if may_code and coding_form is None:
        coding_form = CodingForm(codes=codes)
    return render(
        request,
        "qualitative/document_detail.html",
        {
            "access": access,
            "project": access.project,
            "document": document,
            "lines": highlighted_lines(document.text, codings),
            "line_count": document.text.count("\n") + 1,
            "may_code": may_code and not access.project.is_archived,
            "coding_form": coding_form,
            "codings": [(c, _excerpt(document.text, c.start, c.end)) for c in codings],
            "remove_form": RemoveCodingForm(),
            "memos": selectors.memos_of(access).filter(document=document),
            "memo_subject": f"document={document.pk}",
        },
        status=status,
    )


@require_POST
@form_token_required
def coding_add(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Code a stretch of the document as the signed-in coder (leads and coders)."""
    user = user_of(request)
    access = member_access(user, pk, *CODERS)
    document = selectors.get_document_for(user, access, document_pk)
    codes = Code.objects.filter(project=access.project, is_archived=False).order_by("name", "pk")
    form = CodingForm(request.POST, codes=codes)
    if form.is_valid():
        try:
            added = services.add_codings(
                actor=user,
                document=document,
                codes=list(form.cleaned_data["code"]),
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            first = added[0]
            messages.success(
                request,
                _("Coded %(code)s: characters %(start)s to %(end)s.")
                % {
                    "code": ", ".join(c.code.name for c in added),
                    "start": first.start,
                    "end": first.end,
                },
            )
            url = reverse("qualitative:document_detail", args=[pk, document.pk])
            return redirect(f"{url}#coding-{first.pk}")
    return document_page(request, user, access, document, coding_form=form, status=400)


@require_POST
@form_token_required
def coding_remove(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Remove one of the reader's codings, with a reason (kept, voided, in the history)."""
    user = user_of(request)
    access = member_access(user, pk, *CODERS)
    document = selectors.get_document_for(user, access, document_pk)
    form = RemoveCodingForm(request.POST)
    url = reverse("qualitative:document_detail", args=[pk, document.pk])
    if not form.is_valid():
        messages.error(request, _("Say why the coding is removed."))
        return document_page(request, user, access, document, status=400)
    coding = Coding.objects.filter(
        pk=form.cleaned_data["coding"], document=document, is_voided=False
    ).first()
    if coding is None:
        deny_read(user, "qualitative.coding", form.cleaned_data["coding"])
    try:
        services.remove_coding(actor=user, coding=coding, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return document_page(request, user, access, document, status=400)
    messages.success(request, _("Coding removed. The change is in the project's history."))
    return redirect(url)


# ---- agreement ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShownResult:
    """A result's figures as the reader's locale writes them."""

    percent: Any
    kappa: Any
    result: CodingAgreementResult


def _shown(result: CodingAgreementResult) -> ShownResult:
    return ShownResult(
        percent=number_text(result.percent_agreement, 1),
        kappa=number_text(result.kappa, 3),
        result=result,
    )


def _pair(
    request: HttpRequest, ranked: list[tuple[Coder, int]]
) -> tuple[Coder | None, Coder | None]:
    """Coders A and B chosen on the page (``?a=&b=``), among those who coded; else the default."""
    by_token = {coder.token: coder for coder, _count in ranked}
    a = by_token.get(request.GET.get("a", ""))
    b = by_token.get(request.GET.get("b", ""))
    if a is not None and b is not None and a.key == b.key:
        b = None
    return a, b


@require_http_methods(["GET"])
def agreement_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Kappa of two coders per code and document, per code and overall, and alpha over all
    coders (leads and coders)."""
    user = user_of(request)
    access = member_access(user, pk, *CODERS)
    ranked = qda.coders_by_codings(access.project)
    a, b = _pair(request, ranked)
    found = qda.project_agreement(access.project, a, b)
    context: dict[str, Any] = {
        "access": access,
        "project": access.project,
        "ranked": ranked,
        "found": found,
    }
    if found is not None:
        context.update(
            {
                "by_code": [(row, _shown(row.result)) for row in found.by_code],
                "by_document": [(row, _shown(row.result)) for row in found.by_document],
                "overall": _shown(found.overall),
                "alpha": number_text(found.alpha, 3),
            }
        )
    return render(request, "qualitative/agreement.html", context)


@require_http_methods(["GET", "POST"])
@form_token_required
def disagreement(request: HttpRequest, pk: int, document_pk: int, code_pk: int) -> HttpResponse:
    """Where coders A and B differ on one code in one document, side by side; the lead records
    the consensus of each stretch (A's, B's, both, or neither)."""
    user = user_of(request)
    access = member_access(user, pk, *LEAD)
    document = selectors.get_document_for(user, access, document_pk)
    code = selectors.get_code_for(user, access, code_pk)
    ranked = qda.coders_by_codings(access.project)
    a, b = _pair(request, ranked)
    if len(ranked) < 2:
        return render(
            request,
            "qualitative/disagreement.html",
            {"access": access, "project": access.project, "document": document, "code": code},
        )
    a = a or ranked[0][0]
    b = b or next(coder for coder, _count in ranked if coder.key != a.key)
    found = qda.differences(document, code, a, b)
    status = 200
    undoing = request.method == "POST" and "undo" in request.POST
    form = ReconcileForm(None if undoing else (request.POST or None))
    undo_form = UndoReconcileForm(request.POST if undoing else None)
    back = reverse("qualitative:disagreement", args=[pk, document.pk, code.pk])
    back += f"?{urlencode({'a': a.token, 'b': b.token})}"
    if undoing:
        status = 400
        if undo_form.is_valid():
            try:
                services.undo_reconciliation(
                    actor=user,
                    document=document,
                    code=code,
                    start=undo_form.cleaned_data["start"],
                    end=undo_form.cleaned_data["end"],
                    reason=undo_form.cleaned_data["reason"],
                )
            except ValidationError as error:
                show_service_error(undo_form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Reconciliation of characters %(start)s to %(end)s undone. The change "
                        "is in the project's history."
                    )
                    % {
                        "start": undo_form.cleaned_data["start"],
                        "end": undo_form.cleaned_data["end"],
                    },
                )
                return redirect(back)
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            chosen = next(
                (
                    d
                    for d in found
                    if (d.start, d.end) == (form.cleaned_data["start"], form.cleaned_data["end"])
                ),
                None,
            )
            if chosen is None:
                form.add_error(None, _("This stretch no longer differs: reload the page."))
            else:
                choice = form.cleaned_data["choice"]
                stretches = {
                    "a": chosen.spans_a,
                    "b": chosen.spans_b,
                    "both": [(chosen.start, chosen.end)],
                }.get(choice, [])
                try:
                    if choice == services.NEITHER:
                        services.reconcile_neither(
                            actor=user,
                            document=document,
                            code=code,
                            start=chosen.start,
                            end=chosen.end,
                        )
                    else:
                        services.reconcile(
                            actor=user, document=document, code=code, stretches=stretches
                        )
                except ValidationError as error:
                    show_service_error(form, error)
                else:
                    messages.success(
                        request,
                        _("Consensus recorded for characters %(start)s to %(end)s.")
                        % {"start": chosen.start, "end": chosen.end},
                    )
                    return redirect(back)
    consensus = list(
        Coding.objects.filter(document=document, code=code, is_consensus=True, is_voided=False)
    )
    neither = services.neither_stretches(document, code)
    text = document.text
    rows = [
        {
            "difference": d,
            "a": [(s, e, _excerpt(text, s, e)) for s, e in d.spans_a],
            "b": [(s, e, _excerpt(text, s, e)) for s, e in d.spans_b],
            "reconciled": any(c.start < d.end and c.end > d.start for c in consensus)
            or any(s < d.end and e > d.start for s, e in neither),
            "form": ReconcileForm(initial={"start": d.start, "end": d.end}),
            # The reason typed stays in the undo form of the stretch it was typed for.
            "undo_form": undo_form
            if undoing and undo_form.data.get("start") == str(d.start)
            else UndoReconcileForm(initial={"start": d.start, "end": d.end}),
        }
        for d in found
    ]
    return render(
        request,
        "qualitative/disagreement.html",
        {
            "access": access,
            "project": access.project,
            "document": document,
            "code": code,
            "coder_a": a,
            "coder_b": b,
            "rows": rows,
            "consensus": [(c, _excerpt(text, c.start, c.end)) for c in consensus],
            "errors": (
                [error for errors in undo_form.errors.values() for error in errors]
                if undoing
                else form.non_field_errors()
                if request.method == "POST"
                else []
            ),
        },
        status=status,
    )
