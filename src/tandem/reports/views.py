"""Report pages: the list with the request forms, the request, and the PDF download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.orgs.selectors import programmes_managed_by, teams_supervised_by
from tandem.reports import selectors, services
from tandem.reports.forms import ReportRequestForm
from tandem.reports.models import ReportKind

REPORTING_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
LIST_LIMIT = 100


def _request_form(user: User, data: Any = None, kind: str = "") -> ReportRequestForm:
    return ReportRequestForm(
        data,
        teams=teams_supervised_by(user),
        programmes=programmes_managed_by(user),
        today=timezone.localdate(),
        initial={"kind": kind},
    )


def _list_page(
    request: HttpRequest, *, bound: ReportRequestForm | None = None, status: int = 200
) -> HttpResponse:
    user = user_of(request)
    record_event(actor=user, action=Action.LIST, object_type="reports.report")
    forms = {
        kind: bound if bound is not None and bound.data.get("kind") == kind else None
        for kind in ReportKind.values
    }
    team_form = forms[ReportKind.TEAM_QUARTER] or _request_form(user, kind=ReportKind.TEAM_QUARTER)
    programme_form = forms[ReportKind.PROGRAMME] or _request_form(user, kind=ReportKind.PROGRAMME)
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": list(selectors.reports_visible_to(user)[:LIST_LIMIT]),
            "team_form": team_form,
            "programme_form": programme_form,
            "has_teams": team_form.fields["team"].queryset.exists(),  # type: ignore[attr-defined]  # ModelChoiceField
            "has_programmes": programme_form.fields["programme"].queryset.exists(),  # type: ignore[attr-defined]  # ModelChoiceField
        },
        status=status,
    )


@require_GET
@role_required(*REPORTING_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports of my teams and programmes, newest first, and the forms to ask for one."""
    return _list_page(request)


@require_POST
@role_required(*REPORTING_ROLES)
@form_token_required
def report_request(request: HttpRequest) -> HttpResponse:
    """Queue a report; it is generated in the background and listed when ready."""
    user = user_of(request)
    form = _request_form(user, request.POST)
    if not form.is_valid():
        return _list_page(request, bound=form, status=400)
    start, end = form.cleaned_data["period"]
    services.request_report(
        actor=user,
        kind=form.cleaned_data["kind"],
        team=form.cleaned_data.get("team"),
        programme=form.cleaned_data.get("programme"),
        start=start,
        end=end,
        language=get_language() or "en",
    )
    messages.success(request, _("The report is being generated. It is listed here when ready."))
    return redirect("reports:report_list")


@require_GET
@role_required(*REPORTING_ROLES)
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished PDF as an attachment (audited as an export)."""
    report = selectors.get_report_pdf_for(user_of(request), pk)
    name = "team" if report.kind == ReportKind.TEAM_QUARTER else "programme"
    # The PDF is one bytes value from its row, so it is sent in one piece.
    response = HttpResponse(bytes(report.pdf or b""), content_type="application/pdf")
    filename = f"tandem-{name}-report-{report.pk}-{report.period_start:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
