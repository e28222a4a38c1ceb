"""A client's administrations for workers: answer or enter them, issue and follow their links."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.clients.selectors import get_client_for
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import (
    form_token_required,
    submission_not_saved,
    submission_saved,
)
from tandem.measures import selectors, services
from tandem.measures.answers import clean_answers
from tandem.measures.forms import LinkForm, answers_from_post, item_rows
from tandem.measures.models import Administration, InvitationChannel
from tandem.measures.registry import get_instrument
from tandem.measures.views._common import CLINICAL, errors_by_field, licensed_wording


def _administration_page(
    request: HttpRequest,
    administration: Administration,
    *,
    answers: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    instrument = get_instrument(administration.instrument_code)
    draft = services.draft_for(administration)
    if answers is None and draft is not None:
        answers = dict(draft.answers)
    return render(
        request,
        "measures/administration.html",
        {
            "administration": administration,
            "client": administration.client,
            "instrument": instrument,
            "is_self_report": instrument.respondent == "client",
            "items": item_rows(
                instrument,
                answers or {},
                errors,
                licensed_wording(administration, translation.get_language() or "en"),
            ),
            "errors": errors or {},
            "link_form": LinkForm(),
            "draft": draft,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL)
@form_token_required
def administration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One due measure: enter a clinician-rated or paper form, or hand the client a link."""
    user = user_of(request)
    administration = selectors.get_administration_for(user, pk)
    if request.method == "GET":
        return _administration_page(request, administration)
    instrument = get_instrument(administration.instrument_code)
    raw = answers_from_post(instrument, request.POST)
    try:
        services.submit_response(
            actor=user,
            administration=administration,
            answers=raw,
            language=translation.get_language() or "en",
            expected_version=_posted_version(request),
        )
    except ValidationError as error:
        # A stale form shows the client's current answers, not the worker's overwrite of them.
        stale = (
            "stale" in {e.code for e in error.error_dict.get("answers", [])}
            if hasattr(error, "error_dict")
            else False
        )
        return _administration_page(
            request,
            administration,
            answers=None if stale else raw,
            errors=errors_by_field(error),
            status=409 if stale else 400,
        )
    messages.success(request, _("The answers were saved and scored."))
    return redirect("clients:client_detail", administration.client_id)


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
