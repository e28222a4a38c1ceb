"""Research consent on the client's record: recorded, corrected, withdrawn or voided by the
people who may open the record. Researchers never reach these pages (404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.clients.models import Client
from tandem.clients.selectors import get_client_for
from tandem.core.access import deny_read, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.research import selectors, services
from tandem.research.forms import (
    ConsentCorrectionForm,
    ConsentForm,
    VoidForm,
    WithdrawForm,
)
from tandem.research.views.common import changed_elsewhere


def _client_for(request: HttpRequest, pk: int) -> Client:
    user = user_of(request)
    if not selectors.may_record_consent(user):
        deny_read(user, "clients.client", pk)
    return get_client_for(user, pk)


@require_http_methods(["GET", "POST"])
@form_token_required
def client_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's research consents, and the form to record a new one."""
    user = user_of(request)
    client = _client_for(request, pk)
    rows = selectors.consent_panel_for(user, client)
    open_studies = [r.study for r in rows if r.enrolment is None]
    form = ConsentForm(
        request.POST or None,
        studies=open_studies,
        initial={"consented_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            study = next((s for s in open_studies if s.pk == data["study"]), None)
            try:
                if study is None:
                    raise ValidationError({"study": _("Choose one of the studies listed.")})
                services.enrol(
                    actor=user,
                    study=study,
                    client=client,
                    consented_on=data["consented_on"],
                    form_version=data["form_version"],
                    diagnosis_group=data["diagnosis_group"],
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("The research consent is recorded."))
                return redirect("research:client_consent", pk=client.pk)
    history = list(selectors.enrolments_for(user, client).filter(is_voided=True))
    return render(
        request,
        "research/client_consent.html",
        {
            "client": client,
            "rows": rows,
            "form": form if open_studies else None,
            "voided": history,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One consent record: correct it, record its withdrawal, or void it, each with a reason."""
    user = user_of(request)
    enrolment = selectors.get_enrolment_for(user, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    bound = request.POST if request.method == "POST" else None
    forms: dict[str, Form] = {
        "correct": ConsentCorrectionForm(
            bound if action == "correct" else None,
            initial={
                "consented_on": enrolment.consented_on,
                "form_version": enrolment.form_version,
                "diagnosis_group": enrolment.diagnosis_group,
                "version": enrolment.version,
            },
        ),
        "withdraw": WithdrawForm(
            bound if action == "withdraw" else None,
            auto_id="withdraw-%s",
            initial={"withdrawn_on": timezone.localdate(), "version": enrolment.version},
        ),
        "void": VoidForm(
            bound if action == "void" else None,
            auto_id="void-%s",
            initial={"version": enrolment.version},
        ),
    }
    status = 200
    if action in forms and not enrolment.is_voided:
        form = forms[action]
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "correct":
                    services.correct_enrolment(
                        actor=user,
                        enrolment=enrolment,
                        expected_version=data["version"],
                        reason=data["reason"],
                        consented_on=data["consented_on"],
                        form_version=data["form_version"],
                        diagnosis_group=data["diagnosis_group"],
                    )
                    done = _("The consent record is corrected.")
                elif action == "withdraw":
                    services.withdraw_enrolment(
                        actor=user,
                        enrolment=enrolment,
                        expected_version=data["version"],
                        withdrawn_on=data["withdrawn_on"],
                        reason=data["reason"],
                    )
                    done = _("The withdrawal is recorded: the client leaves every later data set.")
                else:
                    services.void_enrolment(
                        actor=user,
                        enrolment=enrolment,
                        expected_version=data["version"],
                        reason=data["reason"],
                    )
                    done = _("The consent record is voided.")
            except services.StudyChangedError:
                enrolment.refresh_from_db()
                changed_elsewhere(form, enrolment.version)
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, done)
                return redirect("research:client_consent", pk=enrolment.client_id)
    return render(
        request,
        "research/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "client": enrolment.client,
            "forms": forms,
            "changes": list(enrolment.changes.select_related("changed_by")),
        },
        status=status,
    )
