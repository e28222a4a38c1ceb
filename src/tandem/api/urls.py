"""Token pages, the API's documentation page, and the ``/api/v1/`` routes.

The API's routes skip the sign-in check of the pages (``login_required = False``): each is
checked by its bearer token instead. The OpenAPI schema stays behind sign-in like a page.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.views.decorators.http import require_GET
from ninja import NinjaAPI

from tandem.api import views
from tandem.api.fhir import api as fhir_api
from tandem.api.v1 import api

app_name = "api"

urlpatterns = [
    path("account/tokens/", views.token_list, name="token_list"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/agency-tokens/", views.agency_tokens, name="agency_tokens"),
    path(
        "account/agency-tokens/<int:pk>/revoke/",
        views.agency_token_revoke,
        name="agency_token_revoke",
    ),
    path("api/docs/", views.docs, name="docs"),
]

SCHEMA_ROUTE = "openapi-json"
# django-ninja's index of the API answers only 404 (its docs page is off): left out.
NINJA_INDEX = "api-root"


def v1_urls() -> tuple[list[Any], str, str]:
    """``/api/v1/``: every token-checked route marked as needing no session."""
    return token_urls(api)


def fhir_urls() -> tuple[list[Any], str, str]:
    """``/fhir/``: the FHIR routes, checked by token like the JSON API."""
    return token_urls(fhir_api)


def token_urls(ninja_api: NinjaAPI) -> tuple[list[Any], str, str]:
    """``ninja_api.urls`` with every token-checked route marked as needing no session."""
    patterns, app, namespace = ninja_api.urls
    patterns = [p for p in patterns if getattr(p, "name", None) != NINJA_INDEX]
    # django-ninja repeats a route once per method; its one view answers every method.
    seen: set[str] = set()
    unique = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if route not in seen:
            seen.add(route)
            unique.append(pattern)
    patterns = unique
    for pattern in patterns:
        if not isinstance(pattern, URLPattern):
            continue
        if pattern.name == SCHEMA_ROUTE:
            # django-ninja answers any method there; the schema is only read.
            pattern.callback = require_GET(pattern.callback)
        else:
            pattern.callback.login_required = False  # type: ignore[attr-defined]  # Django's marker
    return patterns, app, namespace
