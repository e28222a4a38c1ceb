"""The client's own page on a one-time link: public, rate-limited, never cached."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from tandem.core.addresses import client_address
from tandem.measures import selectors, services
from tandem.measures.answers import clean_answers, missing_items
from tandem.measures.forms import answers_from_post, item_rows
from tandem.measures.models import Administration, SelfReportLink
from tandem.measures.registry import get_instrument
from tandem.measures.views._common import errors_by_field, licensed_wording

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


LANGUAGES = ("en", "fr")


def _session_key(token: str) -> str:
    # Kept per link, so that two clients sharing a device each keep their own choice.
    return f"self_report_language:{services.hash_token(token)[:16]}"


def _chosen_language(request: HttpRequest, token: str) -> str | None:
    """The language the client picked on this link (``?lang=fr``), kept in the session."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        request.session[_session_key(token)] = asked
        return asked
    kept = request.session.get(_session_key(token))
    return kept if kept in LANGUAGES else None


def _refused(request: HttpRequest, token: str, status: int = 410) -> HttpResponse:
    language = (
        _chosen_language(request, token)
        or (selectors.link_language_for_token(token) if status != 429 else None)
        or translation.get_language_from_request(request)
    )
    if language not in LANGUAGES:
        language = LANGUAGES[0]
    with translation.override(language):
        return _private(
            render(
                request,
                "measures/self_report_refused.html",
                {"language": language, "languages": _switch(language)},
                status=status,
            )
        )


def _switch(current: str) -> list[dict[str, Any]]:
    names = {"en": "English", "fr": "Français"}
    return [
        {"code": code, "name": names[code], "is_current": code == current} for code in LANGUAGES
    ]


@login_not_required
@require_http_methods(["GET", "POST"])
def self_report(request: HttpRequest, token: str) -> HttpResponse:
    """The client answers on their one-time link; every answer is saved as it is given."""
    address = client_address(request)
    if _rate_limited(address, token):
        services.record_refused_link_request(address=address, throttled=True)
        return _refused(request, token, status=429)
    link = selectors.usable_link_for_token(token, address=address)
    if link is None:
        _count(f"selfreport-refused:{services.address_digest(address)}")
        return _refused(request, token)
    administration: Administration = link.administration
    instrument = get_instrument(administration.instrument_code)
    language = _chosen_language(request, token) or administration.client.preferred_language
    if language not in instrument.languages or language not in LANGUAGES:
        language = administration.client.preferred_language
    with translation.override(language):
        return _private(_answer_page(request, link, administration, language))


def _answer_page(
    request: HttpRequest, link: SelfReportLink, administration: Administration, language: str
) -> HttpResponse:
    instrument = get_instrument(administration.instrument_code)
    saved: dict[str, Any] = dict(link.response.answers) if link.response else {}
    wording = licensed_wording(administration, language)
    context: dict[str, Any] = {
        "first_name": services.client_first_name(administration.client),
        "instrument": instrument,
        "language": language,
        "languages": _switch(language),
        "wording": wording,
    }
    if request.method == "GET":
        return render(
            request,
            "measures/self_report.html",
            {**context, "items": item_rows(instrument, saved, wording=wording.texts)},
        )
    raw = answers_from_post(instrument, request.POST)
    action = request.POST.get("action")
    if action == "save":
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
    given = {**saved, **raw}
    cleaned, errors = clean_answers(instrument, given)
    missing = missing_items(instrument, cleaned) if not errors else []
    confirmed = action == "confirm"
    if errors or (missing and not confirmed):
        if not errors:
            # Keep what was answered, so that a closed tab loses nothing while they decide.
            services.save_self_report_progress(link=link, answers=raw, language=language)
        rows = item_rows(instrument, given, errors, wording.texts, missing=missing)
        return render(
            request,
            "measures/self_report.html",
            {
                **context,
                "items": rows,
                "has_errors": bool(errors),
                "missing": [row for row in rows if row.is_missing],
            },
            status=400 if errors else 200,
        )
    try:
        services.submit_self_report(link=link, answers=raw, language=language, confirmed=confirmed)
    except ValidationError as error:
        errors = errors_by_field(error)
        return render(
            request,
            "measures/self_report.html",
            {
                **context,
                "items": item_rows(instrument, given, errors, wording.texts),
                "has_errors": True,
            },
            status=400,
        )
    return render(request, "measures/self_report_done.html", context)
