"""Request id for tracing a request through logs and audit events."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from tandem.core.addresses import trusted_proxy_count
from tandem.core.request_context import request_id_var
from tandem.core.typography import french_typography

_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Take a well-formed X-Request-ID from a trusted proxy or make one; echo it in the response.

    Without a trusted proxy (``TRUSTED_PROXY_COUNT`` = 0) the header can only come from the
    client, who must not choose the id that audit events carry: a fresh one is made.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "") if trusted_proxy_count() else ""
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # set for views and templates
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


# Powerful browser features no Tandem page uses, denied to the page and anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """No cache keeps a page Django makes; no page may use camera, microphone, location...

    Every page is personal (a client's record, a worker's caseload), names the signed-in person
    in its header, or carries a CSRF token or a link token: one rule for all of them leaves no
    page to forget. Static files never reach this middleware (WhiteNoise answers them first)
    and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


_DOCUMENT_LANGUAGE = re.compile(rb"<html[^>]*\blang=\"([a-zA-Z-]+)\"")


class FrenchTypographyMiddleware:
    """Set French pages' punctuation as French writes it (``tandem.core.typography``).

    A page's language is its ``<html lang>`` (a self-report page follows the client's language,
    not the visitor's); a fragment without one (htmx) is in the request's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or response.has_header("Content-Disposition")
        ):
            return response
        declared = _DOCUMENT_LANGUAGE.search(response.content[:2000])
        language = declared.group(1).decode() if declared else getattr(request, "LANGUAGE_CODE", "")
        if language.startswith("fr"):
            charset = response.charset or "utf-8"
            response.content = french_typography(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
