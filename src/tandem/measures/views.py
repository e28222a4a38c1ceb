"""Measurement pages: an administration, its links, the invitation log and the client's link."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.accounts.models import Role
from tandem.clients.selectors import get_client_for
from tandem.core.access import role_required, user_of
from tandem.core.addresses import client_address
from tandem.core.form_tokens import (
    form_token_required,
    submission_not_saved,
    submission_saved,
)
from tandem.measures import selectors, services
from tandem.measures.answers import clean_answers
from tandem.measures.exporting import export_responses, studies_of
from tandem.measures.forms import (
    ExportForm,
    ImportForm,
    LinkForm,
    answers_from_post,
    item_rows,
)
from tandem.measures.importing import import_csv
from tandem.measures.models import Administration, InvitationChannel, SelfReportLink
from tandem.measures.registry import get_instrument
from tandem.orgs.selectors import get_programme_for_manager

CLINICAL = (Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


def _errors_by_field(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {
            field: " ".join(message for e in errors for message in e.messages)
            for field, errors in error.error_dict.items()
        }
    return {"__all__": " ".join(error.messages)}


def _licensed_wording(administration: Administration, language: str) -> dict[str, str]:
    """The client's agency's licensed item texts in ``language``; empty when none uploaded."""
    instrument = get_instrument(administration.instrument_code)
    row = selectors.latest_wording(instrument, language, administration.client.agency_id)
    return {str(k): str(v) for k, v in row.texts.items()} if row is not None else {}


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
                _licensed_wording(administration, translation.get_language() or "en"),
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
            errors=_errors_by_field(error),
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
            request, administration, errors=_errors_by_field(error), status=400
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


# ---- the client's page ---------------------------------------------------------------------------
RATE_LIMIT_REQUESTS = 120
REFUSED_LIMIT = 200


def _count(key: str) -> int:
    """Add one to a cache counter that lives for the rate-limit window; return the new value."""
    window = services.REFUSAL_WINDOW_SECONDS
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _rate_limited(address: str, token: str) -> bool:
    """Per address and token, a runaway script gets 429; per address, so does a guesser whose
    tokens keep being refused. The address is the client's as the trusted proxy saw it
    (``client_address``), so that a guesser behind the proxy blocks only themselves."""
    limit: int = getattr(settings, "MEASURES_SELF_REPORT_RATE_LIMIT", RATE_LIMIT_REQUESTS)
    refused_limit: int = getattr(settings, "MEASURES_SELF_REPORT_REFUSED_LIMIT", REFUSED_LIMIT)
    # Keyed digests: the cache holds no addresses or tokens in clear.
    address_key = services.address_digest(address)
    if (cache.get(f"selfreport-refused:{address_key}") or 0) >= refused_limit:
        return True
    token_key = services.address_digest(f"{address}|{services.hash_token(token)}")
    return _count(f"selfreport:{token_key}") > limit


def _private(response: HttpResponse) -> HttpResponse:
    # The page's address is the token: never cached, never sent on as a referrer (the origin at
    # most; "no-referrer" would make the browser post the answers with "Origin: null", which the
    # CSRF check refuses).
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _refused(request: HttpRequest, status: int = 410) -> HttpResponse:
    return _private(render(request, "measures/self_report_refused.html", status=status))


@login_not_required
@require_http_methods(["GET", "POST"])
def self_report(request: HttpRequest, token: str) -> HttpResponse:
    """The client answers on their one-time link; every answer is saved as it is given."""
    address = client_address(request)
    if _rate_limited(address, token):
        services.record_refused_link_request(address=address, throttled=True)
        return _refused(request, status=429)
    link = selectors.usable_link_for_token(token, address=address)
    if link is None:
        _count(f"selfreport-refused:{services.address_digest(address)}")
        return _refused(request)
    administration: Administration = link.administration
    client = administration.client
    with translation.override(client.preferred_language):
        return _private(_answer_page(request, link, administration))


def _answer_page(
    request: HttpRequest, link: SelfReportLink, administration: Administration
) -> HttpResponse:
    instrument = get_instrument(administration.instrument_code)
    language = administration.client.preferred_language
    saved: dict[str, Any] = dict(link.response.answers) if link.response else {}
    wording = _licensed_wording(administration, language)
    context: dict[str, Any] = {
        "first_name": services.client_first_name(administration.client),
        "instrument": instrument,
        "language": language,
    }
    if request.method == "GET":
        return render(
            request,
            "measures/self_report.html",
            {**context, "items": item_rows(instrument, saved, wording=wording)},
        )
    raw = answers_from_post(instrument, request.POST)
    if request.POST.get("action") == "save":
        try:
            services.save_self_report_progress(link=link, answers=raw, language=language)
        except ValidationError as error:
            return render(
                request,
                "measures/_saved.html",
                {"error": " ".join(error.messages)},
                status=400,
            )
        return render(request, "measures/_saved.html", {"error": ""})
    try:
        services.submit_self_report(link=link, answers=raw, language=language)
    except ValidationError as error:
        errors = _errors_by_field(error)
        return render(
            request,
            "measures/self_report.html",
            {
                **context,
                "items": item_rows(instrument, {**saved, **raw}, errors, wording),
                "has_errors": True,
            },
            status=400,
        )
    return render(request, "measures/self_report_done.html", context)


# ---- programme exports and imports ---------------------------------------------------------------
@require_http_methods(["GET"])
@role_required(Role.PROGRAMME_MANAGER)
def programme_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a programme's responses and scores to one instrument as CSV or SPSS."""
    programme = get_programme_for_manager(user_of(request), pk)
    form = ExportForm(request.GET or None, studies=studies_of(programme))
    if not form.is_valid():
        return render(
            request, "measures/programme_export.html", {"programme": programme, "form": form}
        )
    exported = export_responses(
        actor=user_of(request),
        programme=programme,
        instrument=get_instrument(form.cleaned_data["instrument"]),
        file_format=form.cleaned_data["format"],
        study=form.cleaned_data["study"],
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@role_required(Role.PROGRAMME_MANAGER)
@form_token_required
def programme_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a CSV of responses: all rows are stored and scored, or none, with a report."""
    programme = get_programme_for_manager(user_of(request), pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_csv(
            actor=user_of(request),
            programme=programme,
            instrument=get_instrument(form.cleaned_data["instrument"]),
            text=form.cleaned_data["file"],
        )
        if result.is_ok:
            messages.success(
                request,
                _("%(count)d responses were imported and scored.") % {"count": result.created},
            )
            return redirect("measures:programme_import", programme.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "measures/programme_import.html",
        {"programme": programme, "form": form, "result": result},
        status=status,
    )
