"""Analysis runs: queue one, follow its progress, read its report (HTML and PDF), void it.

Only the study's members and its agency's administrators reach these pages; everything on
them is an aggregate of the de-identified data set.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.models import Role
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import deny_read, role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.research import selectors
from tandem.research.models import AnalysisRun, RunStatus, Study
from tandem.research.runs import selectors as run_selectors
from tandem.research.runs import services as run_services
from tandem.research.runs.forms import RunForm, run_initial
from tandem.research.runs.report import report_context

RUN_ROLES = (Role.RESEARCHER, Role.AGENCY_ADMIN)


def _study_for_runs(request: HttpRequest, pk: int) -> Study:
    user = user_of(request)
    study = selectors.get_study_for(user, pk)
    if not run_selectors.may_run(user, study):
        deny_read(user, "research.analysisrun", f"study:{study.pk}")
    return study


def runs_section(request: HttpRequest, study: Study) -> dict[str, Any]:
    """What the study page's Runs section needs (for members and administrators)."""
    from tandem.research.runs.report import over_time

    runs = list(run_selectors.runs_of(study))
    chart, table = over_time(list(run_selectors.finished_runs_of(study)))
    return {
        "runs": [(run, run_selectors.data_notes(run, runs, study)) for run in runs],
        "run_form": RunForm(initial=run_initial(study), study=study),
        "over_time_chart": chart,
        "over_time_table": table,
    }


@require_http_methods(["GET", "POST"])
@role_required(*RUN_ROLES)
@form_token_required
def run_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a run of the study's analysis with these settings."""
    user = user_of(request)
    study = _study_for_runs(request, pk)
    form = RunForm(request.POST or None, initial=run_initial(study), study=study)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and form.settings is not None:
            try:
                run = run_services.queue_run(actor=user, study=study, settings=form.settings)
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Run %(number)s is queued.") % {"number": run.number})
                return redirect("research:run_detail", pk=run.pk)
    return render(request, "research/run_new.html", {"study": study, "form": form}, status=status)


@require_GET
@role_required(*RUN_ROLES)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The run: its settings and status, and, once done, its report."""
    user = user_of(request)
    run = run_selectors.get_run_for(user, pk)
    runs = list(run_selectors.runs_of(run.study))
    context = {
        "study": run.study,
        "run": run,
        "notes": run_selectors.data_notes(run, runs, run.study),
        **report_context(run),
    }
    return render(request, "research/run_detail.html", context)


@require_GET
@role_required(*RUN_ROLES)
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the run's status row, polled until it is finished."""
    run = run_selectors.get_run_for(user_of(request), pk)
    return render(request, "research/_run_status.html", {"run": run})


@require_GET
@role_required(*RUN_ROLES)
def run_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's report as an A4 PDF (WeasyPrint)."""
    user = user_of(request)
    run = run_selectors.get_run_for(user, pk)
    if run.status != RunStatus.DONE:
        deny_read(user, "research.analysisrun.pdf", run.pk)
    runs = list(run_selectors.runs_of(run.study))
    html = render_to_string(
        "research/run_pdf.html",
        {
            "study": run.study,
            "run": run,
            "notes": run_selectors.data_notes(run, runs, run.study),
            "generated": timezone.localtime(),
            **report_context(run),
        },
    )
    from weasyprint import HTML  # loads Pango and its fonts: only where a PDF is made

    pdf: bytes = HTML(string=html).write_pdf()
    record_event(actor=user, action=Action.EXPORT, obj=run, agency_id=run.study.agency_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="analysis-{run.study.slug}-{run.number}.pdf"'
    )
    return response


@require_http_methods(["GET", "POST"])
@role_required(*RUN_ROLES)
@form_token_required
def run_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void a run, with a reason."""
    user = user_of(request)
    run: AnalysisRun = run_selectors.get_run_for(user, pk)
    reason = request.POST.get("reason", "") if request.method == "POST" else ""
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        try:
            run_services.void_run(actor=user, run=run, reason=reason)
        except ValidationError as error:
            errors = [str(m) for m in error.messages]
        else:
            messages.success(request, _("Run %(number)s is voided.") % {"number": run.number})
            return redirect("research:run_detail", pk=run.pk)
    return render(
        request,
        "research/run_void.html",
        {"study": run.study, "run": run, "reason": reason, "errors": errors},
        status=status,
    )
