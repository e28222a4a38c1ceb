"""Self-efficacy pages: a participant answers a wave signed in (and corrects it while it is
open); the cohort's trainers open waves and read the report, on screen and as PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.measures import selectors as measure_selectors
from tandem.measures.answers import clean_answers, missing_items
from tandem.measures.forms import answers_from_post, item_rows
from tandem.measures.registry import get_instrument
from tandem.measures.views._common import ShownWording, errors_by_field
from tandem.training import selectors, services
from tandem.training.forms import (
    EfficacyCorrectionForm,
    VoidForm,
    WaveCorrectionForm,
    WaveForm,
)
from tandem.training.models import Cohort, EfficacyWave, WaveKind
from tandem.training.report import efficacy_report


def _wording(wave: EfficacyWave, agency_id: int | None) -> ShownWording:
    """The participant's agency's licensed item texts in the page's language, if loaded."""
    instrument = get_instrument(wave.instrument_code)
    language = translation.get_language() or "en"
    language = "fr" if language.startswith("fr") else "en"
    row = measure_selectors.latest_wording(instrument, language, agency_id)
    if row is None:
        return ShownWording({}, language)
    return ShownWording({str(k): str(v) for k, v in row.texts.items()}, language, row.is_demo)


@require_http_methods(["GET", "POST"])
@form_token_required
def efficacy_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant's own self-efficacy questionnaire for one wave: answered, then corrected
    with a reason until the wave closes."""
    user = user_of(request)
    wave = selectors.get_wave_for(user, pk)
    place = selectors.participant_of(user, wave.cohort)
    if place is None:
        raise PermissionDenied
    instrument = get_instrument(wave.instrument_code)
    response = selectors.own_response(wave, place)
    saved: dict[str, Any] = dict(response.answers) if response else {}
    wording = _wording(wave, user.agency_id or wave.cohort.host_agency_id)
    is_open = wave.is_open_on(timezone.localdate())
    correction = (
        EfficacyCorrectionForm(
            request.POST if request.method == "POST" else None,
            initial={"version": response.version},
            auto_id="fix-%s",
        )
        if response is not None
        else None
    )
    context: dict[str, Any] = {
        "wave": wave,
        "cohort": wave.cohort,
        "instrument": instrument,
        "response": response,
        "is_open": is_open,
        "wording": wording,
        "correction": correction,
    }
    if request.method == "GET":
        items = item_rows(instrument, saved, wording=wording.texts)
        return render(request, "training/efficacy_answer.html", {**context, "items": items})
    given = answers_from_post(instrument, request.POST)
    cleaned, errors = clean_answers(instrument, given)
    missing = missing_items(instrument, cleaned) if not errors else []
    confirmed = request.POST.get("action") == "confirm"
    reason_ok = correction is None or correction.is_valid()
    if errors or (missing and not confirmed) or not reason_ok:
        rows = item_rows(instrument, given, errors, wording.texts, missing=missing)
        return render(
            request,
            "training/efficacy_answer.html",
            {
                **context,
                "items": rows,
                "has_errors": bool(errors) or not reason_ok,
                "missing": [row for row in rows if row.is_missing],
            },
            status=400 if errors or not reason_ok else 200,
        )
    status = 400
    try:
        if response is None:
            services.submit_efficacy(actor=user, wave=wave, answers=given)
        else:
            assert correction is not None  # noqa: S101  # made above for an existing response
            services.correct_efficacy(
                actor=user,
                response=response,
                expected_version=correction.cleaned_data["version"],
                answers=given,
                reason=correction.cleaned_data["reason"],
            )
    except services.CohortChangedError:
        status = 409
        failure = {
            "__all__": _(
                "Your answers were changed elsewhere while you were editing. What you typed is "
                "kept below: check it, then save again."
            )
        }
        response = selectors.own_response(wave, place)
        if response is not None and correction is not None:
            data = correction.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
            data["version"] = str(response.version)
            correction.data = data
    except ValidationError as error:
        failure = errors_by_field(error)
        if correction is not None and "reason" in failure:
            show_service_error(correction, ValidationError({"reason": failure.pop("reason")}))
    else:
        messages.success(request, _("Your answers are saved. Thank you."))
        return redirect("training:my_training")
    rows = item_rows(instrument, given, failure, wording.texts)
    return render(
        request,
        "training/efficacy_answer.html",
        {**context, "items": rows, "has_errors": True, "failure": failure.get("__all__", "")},
        status=status,
    )


def _trained_cohort(request: HttpRequest, pk: int) -> Cohort:
    user = user_of(request)
    cohort = selectors.get_cohort_for(user, pk)
    if not selectors.trains(user, cohort):
        raise PermissionDenied
    return cohort


@require_http_methods(["GET", "POST"])
@form_token_required
def efficacy(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainer's self-efficacy page: waves (open one) and the cohort's report."""
    user = user_of(request)
    cohort = _trained_cohort(request, pk)
    waves = list(selectors.waves_of(cohort).prefetch_related("responses"))
    taken = {w.kind for w in waves if not w.is_voided}
    today = timezone.localdate()
    next_kind = next((k for k in WaveKind.values if k not in taken), None)
    form = WaveForm(
        request.POST or None, initial={"kind": next_kind, "opens_on": today, "closes_on": today}
    )
    form.fields["kind"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
        (k, label) for k, label in WaveKind.choices if k not in taken
    ]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.open_wave(
                    actor=user,
                    cohort=cohort,
                    kind=data["kind"],
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("The wave is open: each participant is asked."))
                return redirect("training:efficacy", pk=cohort.pk)
    n_participants = cohort.participants.filter(is_active=True).count()
    return render(
        request,
        "training/efficacy.html",
        {
            "cohort": cohort,
            "waves": [(w, len(w.responses.all())) for w in waves],
            "n_participants": n_participants,
            "form": form if next_kind is not None else None,
            "report": efficacy_report(cohort),
            "has_voided": any(w.is_voided for w in waves),
            "today": today,
        },
        status=status,
    )


@require_GET
def efficacy_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort's self-efficacy report as an A4 PDF (WeasyPrint, as the team report)."""
    user = user_of(request)
    cohort = _trained_cohort(request, pk)
    html = render_to_string(
        "training/efficacy_pdf.html",
        {
            "cohort": cohort,
            "report": efficacy_report(cohort),
            "has_voided": cohort.efficacy_waves.filter(voided_at__isnull=False).exists(),
            "generated": timezone.localtime(),
        },
    )
    from weasyprint import HTML  # loads Pango and its fonts: only where a PDF is made

    pdf: bytes = HTML(string=html).write_pdf()
    record_event(actor=user, action=Action.EXPORT, obj=cohort, agency_id=cohort.host_agency_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="self-efficacy-{cohort.pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@form_token_required
def wave_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainer corrects a wave's window or voids it, each with a reason; a stale form is
    refused (409)."""
    user = user_of(request)
    wave = selectors.get_wave_for(user, pk)
    cohort = wave.cohort
    if not selectors.trains(user, cohort):
        raise PermissionDenied
    action = request.POST.get("action") if request.method == "POST" else None
    edit = WaveCorrectionForm(
        request.POST if action == "edit" else None,
        initial={"opens_on": wave.opens_on, "closes_on": wave.closes_on, "version": wave.version},
    )
    void = VoidForm(
        request.POST if action == "void" else None,
        auto_id="void-%s",
        initial={"version": wave.version},
    )
    status = 200
    if action in ("edit", "void") and not wave.is_voided:
        form: Form = edit if action == "edit" else void
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "edit":
                    services.correct_wave(
                        actor=user,
                        wave=wave,
                        expected_version=data["version"],
                        reason=data["reason"],
                        opens_on=data["opens_on"],
                        closes_on=data["closes_on"],
                    )
                else:
                    services.void_wave(
                        actor=user,
                        wave=wave,
                        expected_version=data["version"],
                        reason=data["reason"],
                    )
            except services.CohortChangedError:
                wave.refresh_from_db()
                form.add_error(
                    None,
                    _(
                        "This record was changed by someone else while you were editing. Your "
                        "input is kept below: read the record as it is now, then save again."
                    ),
                )
                data_copy = form.data.copy()  # type: ignore[attr-defined]  # a bound QueryDict
                data_copy["version"] = str(wave.version)
                form.data = data_copy
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
            else:
                done = _("The wave is voided.") if action == "void" else _("The wave is corrected.")
                messages.success(request, done)
                return redirect("training:efficacy", pk=cohort.pk)
    return render(
        request,
        "training/wave_edit.html",
        {
            "wave": wave,
            "cohort": cohort,
            "edit_form": edit,
            "void_form": void,
            "history": selectors.history_of("efficacywave", wave.pk),
        },
        status=status,
    )
