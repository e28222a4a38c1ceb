"""A client's administrations for workers: answer or enter them, issue and follow their links."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.clients.selectors import get_client_for
from tandem.core.access import deny_read, role_required, user_of
from tandem.core.form_tokens import (
    form_token_required,
    submission_not_saved,
    submission_saved,
)
from tandem.measures import selectors, services
from tandem.measures.answers import clean_answers
from tandem.measures.forms import (
    CloseForm,
    CorrectionForm,
    LinkForm,
    PaperEntryForm,
    ReopenForm,
    answer_rows,
    answers_from_post,
    item_rows,
    limit_completion_date,
    score_rows,
)
from tandem.measures.models import (
    Administration,
    AdministrationStatus,
    InvitationChannel,
    Response,
)
from tandem.measures.registry import get_instrument
from tandem.measures.views._common import (
    CLINICAL,
    errors_by_field,
    licensed_wording,
    wording_context,
)


def _administration_page(
    request: HttpRequest,
    administration: Administration,
    *,
    answers: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    entry_form: PaperEntryForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    instrument = get_instrument(administration.instrument_code)
    wording = licensed_wording(administration, translation.get_language() or "en")
    if administration.status == AdministrationStatus.COMPLETED:
        response = selectors.completed_response_of(administration)
        if response is not None:
            return _completed_page(request, administration, response, status=status)
    draft = services.draft_for(administration)
    if answers is None and draft is not None:
        answers = dict(draft.answers)
    entry_form = entry_form or PaperEntryForm()
    limit_completion_date(entry_form, window_opens=administration.window_opens)
    return render(
        request,
        "measures/administration.html",
        {
            "administration": administration,
            "client": administration.client,
            "instrument": instrument,
            "is_self_report": instrument.respondent == "client",
            "items": item_rows(instrument, answers or {}, errors, wording.texts),
            "errors": errors or {},
            "link_form": LinkForm(),
            "live_link": administration.links.filter(
                used_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now()
            ).exists(),
            "entry_form": entry_form,
            "close_form": close_form
            or CloseForm(
                initial={"version": administration.version, "reason": administration.closed_reason}
            ),
            "changes": administration.changes.select_related("changed_by").order_by("-pk"),
            "draft": draft,
            "validate_url": reverse("measures:validate_item", args=[administration.pk]),
            **wording_context(request.user, wording),
        },
        status=status,
    )


def _completed_page(
    request: HttpRequest,
    administration: Administration,
    response: Response,
    *,
    form: CorrectionForm | None = None,
    answers: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    correcting: bool = False,
    status: int = 200,
) -> HttpResponse:
    instrument = get_instrument(response.instrument_code)
    wording = licensed_wording(administration, translation.get_language() or "en")
    current = dict(response.answers)
    form = form or CorrectionForm(
        initial={
            "version": response.version,
            "completed_on": timezone.localdate(response.completed_at)
            if response.completed_at
            else None,
        }
    )
    limit_completion_date(form, window_opens=administration.window_opens)
    return render(
        request,
        "measures/response.html",
        {
            "administration": administration,
            "client": administration.client,
            "instrument": instrument,
            "response": response,
            "answers": answer_rows(instrument, current, wording.texts),
            "scores": score_rows(instrument, response.scores),
            "corrections": response.corrections.select_related("corrected_by").order_by(
                "-revision"
            ),
            "correcting": correcting,
            "items": item_rows(
                instrument, current if answers is None else answers, errors, wording.texts
            ),
            "errors": errors or {},
            "form": form,
            "validate_url": reverse("measures:validate_item", args=[administration.pk]),
            **wording_context(request.user, wording),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL)
@form_token_required
def administration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One measure: enter a clinician-rated or paper form, hand the client a link, or, once
    completed, read the answers and scores back."""
    user = user_of(request)
    administration = selectors.get_administration_for(user, pk)
    if request.method == "GET":
        return _administration_page(request, administration)
    instrument = get_instrument(administration.instrument_code)
    raw = answers_from_post(instrument, request.POST)
    entry_form = PaperEntryForm(request.POST)
    if not entry_form.is_valid():
        submission_not_saved(request)
        return _administration_page(
            request,
            administration,
            answers=raw,
            errors={},
            entry_form=entry_form,
            status=400,
        )
    try:
        services.submit_response(
            actor=user,
            administration=administration,
            answers=raw,
            language=translation.get_language() or "en",
            expected_version=_posted_version(request),
            completed_on=entry_form.cleaned_data["completed_on"],
        )
    except ValidationError as error:
        submission_not_saved(request)
        # A stale form shows the client's current answers, not the worker's overwrite of them.
        stale = (
            "stale" in {e.code for e in error.error_dict.get("answers", [])}
            if hasattr(error, "error_dict")
            else False
        )
        errors = errors_by_field(error)
        if "completed_on" in errors:
            entry_form.add_error("completed_on", errors.pop("completed_on"))
        return _administration_page(
            request,
            administration,
            answers=None if stale else raw,
            errors=errors,
            entry_form=entry_form,
            status=409 if stale else 400,
        )
    messages.success(request, _("The answers were saved and scored."))
    return redirect("clients:client_detail", administration.client_id)


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL)
@form_token_required
def response_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a completed response's answers or date, with a reason; it is scored again."""
    user = user_of(request)
    response = selectors.get_response_for(user, pk)
    administration = response.administration
    if administration is None:
        # Only a wave's response can be corrected: an imported one answers as if absent.
        deny_read(user, "measures.response", pk)
    if request.method == "GET":
        return _completed_page(request, administration, response, correcting=True)
    instrument = get_instrument(response.instrument_code)
    raw = answers_from_post(instrument, request.POST)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        submission_not_saved(request)
        return _completed_page(
            request,
            administration,
            response,
            form=form,
            answers=raw,
            correcting=True,
            status=400,
        )
    try:
        services.correct_response(
            actor=user,
            response=response,
            answers=raw,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            completed_on=form.cleaned_data["completed_on"],
        )
    except ValidationError as error:
        submission_not_saved(request)
        errors = errors_by_field(error)
        for field in ("reason", "completed_on"):
            if field in errors:
                form.add_error(field, errors.pop(field))
        if "__all__" in errors:
            errors["answers"] = f"{errors.get('answers', '')} {errors.pop('__all__')}".strip()
        stale = (
            "stale" in {e.code for e in error.error_dict.get("answers", [])}
            if hasattr(error, "error_dict")
            else False
        )
        if stale:
            response.refresh_from_db()
        return _completed_page(
            request,
            administration,
            response,
            form=CorrectionForm(
                initial={
                    "version": response.version,
                    "reason": form.cleaned_data["reason"],
                    "completed_on": form.cleaned_data["completed_on"],
                }
            )
            if stale
            else form,
            answers=None if stale else raw,
            errors=errors,
            correcting=True,
            status=409 if stale else 400,
        )
    messages.success(request, _("The answers were corrected and scored again."))
    return redirect("measures:administration", administration.pk)


@require_POST
@role_required(*CLINICAL)
@form_token_required
def administration_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a wave as not collected, with a reason (or correct the reason of a closed one)."""
    user = user_of(request)
    administration = selectors.get_administration_for(user, pk)
    form = CloseForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.close_not_collected(
                actor=user,
                administration=administration,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            if "stale" in {e.code for e in error.error_dict.get("__all__", [])}:
                status = 409
            for field, message in errors_by_field(error).items():
                form.add_error(None if field == "__all__" else field, message)
        else:
            messages.success(request, _("The measure was closed as not collected."))
            return redirect("measures:administration", administration.pk)
    submission_not_saved(request)
    if status == 409:
        # Offer the current version with what was typed, so that a second send can succeed.
        administration.refresh_from_db()
        stale_errors = form.non_field_errors()
        form = CloseForm({"version": administration.version, "reason": form.cleaned_data["reason"]})
        form.is_valid()
        for stale_message in stale_errors:
            form.add_error(None, str(stale_message))
    return _administration_page(request, administration, close_form=form, status=status)


@require_POST
@role_required(*CLINICAL)
@form_token_required
def administration_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo "not collected": the wave is open (or missed) again as its dates say."""
    user = user_of(request)
    administration = selectors.get_administration_for(user, pk)
    form = ReopenForm(request.POST)
    error_text = _("The form was incomplete. Reload the page and try again.")
    if form.is_valid():
        try:
            services.reopen_administration(
                actor=user,
                administration=administration,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            error_text = " ".join(error.messages)
        else:
            messages.success(request, _("The measure was reopened."))
            return redirect("measures:administration", administration.pk)
    submission_not_saved(request)
    messages.error(request, error_text)
    return redirect("measures:administration", administration.pk)


def _posted_version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@require_POST
@role_required(*CLINICAL)
def validate_item(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: check one answer as it is typed and return its error fragment."""
    administration = selectors.get_administration_for(user_of(request), pk)
    instrument = get_instrument(administration.instrument_code)
    raw = answers_from_post(instrument, request.POST)
    _cleaned, errors = clean_answers(instrument, raw)
    item_id = next(iter(raw), "")
    return render(
        request,
        "measures/_item_error.html",
        {"item_id": item_id, "error": errors.get(item_id, "")},
    )


def _link_url(request: HttpRequest) -> Any:
    def build(token: str) -> str:
        return request.build_absolute_uri(reverse("measures:self_report", args=[token]))

    return build


def _qr_svg(url: str) -> str:
    qr = segno.make(url, error="m")
    return str(qr.svg_inline(scale=4, dark="#111", light="#fff", title=_("QR code of the link")))


def _link_page(
    request: HttpRequest, issued: services.IssuedLink, administration: Administration
) -> HttpResponse:
    url = _link_url(request)(issued.token)
    response = render(
        request,
        "measures/link_issued.html",
        {
            "administration": administration,
            "client": administration.client,
            "link": issued.link,
            "url": url,
            "qr_svg": _qr_svg(url),
            "by_email": issued.link.invitations.filter(channel=InvitationChannel.EMAIL).exists(),
        },
    )
    # The page holds a live token: never cached, never sent on as a referrer.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
@role_required(*CLINICAL)
@form_token_required
def link_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a one-time link; show it once with its QR code, or send it by email."""
    user = user_of(request)
    administration = selectors.get_administration_for(user, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _administration_page(request, administration, status=400)
    try:
        issued = services.issue_link(
            actor=user,
            administration=administration,
            channel=form.cleaned_data["channel"],
            build_url=_link_url(request),
        )
    except ValidationError as error:
        return _administration_page(
            request, administration, errors=errors_by_field(error), status=400
        )
    # The page shows the new link once; a second click lands on the invitation log instead.
    submission_saved(
        request, to=reverse("measures:invitation_log", args=[administration.client_id])
    )
    return _link_page(request, issued, administration)


@require_http_methods(["GET"])
@role_required(*CLINICAL)
def invitation_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Every link and reminder of a client: sent, pending or cancelled."""
    user = user_of(request)
    client = get_client_for(user, pk)
    return render(
        request,
        "measures/invitation_log.html",
        {"client": client, "invitations": selectors.client_invitations_for(user, client)},
    )


@require_POST
@role_required(*CLINICAL)
@form_token_required
def cancel_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a link and its pending reminder."""
    user = user_of(request)
    link = selectors.get_link_for(user, pk)
    try:
        services.cancel_invitation(actor=user, link=link)
    except ValidationError as error:
        submission_not_saved(request)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The link was cancelled."))
    return redirect("measures:invitation_log", link.administration.client_id)


@require_POST
@role_required(*CLINICAL)
@form_token_required
def resend_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace a link by a new one, sent the same way; answers given so far carry over."""
    user = user_of(request)
    link = selectors.get_link_for(user, pk)
    try:
        issued = services.resend_invitation(actor=user, link=link, build_url=_link_url(request))
    except ValidationError as error:
        submission_not_saved(request)
        messages.error(request, " ".join(error.messages))
        return redirect("measures:invitation_log", link.administration.client_id)
    submission_saved(
        request, to=reverse("measures:invitation_log", args=[link.administration.client_id])
    )
    return _link_page(request, issued, link.administration)
