"""``/api/v1/``: the JSON API over the same selectors and services as the pages.

Each endpoint asks ``acting_user`` for its scope (the token's scopes met with its person's
roles), then calls one selector or service exactly as the page does; the selectors narrow the
rows and answer 404 for anything out of reach, the services validate and audit every write.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from typing_extensions import override

from tandem.api.auth import TokenAuth, token_of
from tandem.api.conventions import (
    PROBLEM_CONTENT_TYPE,
    ProblemError,
    not_found,
    problem_response,
)
from tandem.api.v1 import alerts, clients, fidelity, measures, practice
from tandem.api.v1.common import validation_problem
from tandem.core.access import deny_read


class TandemAPI(NinjaAPI):
    """django-ninja's API whose root is found from its schema's route (its index is left out)."""

    @override
    def get_root_path(self, path_params: dict[str, Any]) -> str:
        return reverse(f"{self.urls_namespace}:openapi-json").removesuffix("openapi.json")

    @override
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The schema, with every error answer documented as ``application/problem+json``."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {PROBLEM_CONTENT_TYPE: content.pop("application/json")}
        return schema


api = TandemAPI(
    title="Tandem API",
    version="1",
    description=(
        "Token-scoped access to Tandem's clients, practice, measures, alerts and fidelity "
        "reviews. Send "
        "`Authorization: Bearer <token>`; tokens are made on your own API tokens page."
    ),
    auth=TokenAuth(),
    urls_namespace="api_v1",
    docs_url=None,
    openapi_url="/openapi.json",
)


# ---- errors as problem details -------------------------------------------------------------------
@api.exception_handler(ProblemError)
def _problem(request: HttpRequest, exc: ProblemError) -> HttpResponse:
    return problem_response(exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        ProblemError(
            status=401,
            title=_("A valid API token is needed."),
            detail=_("Send Authorization: Bearer and a token that is neither revoked nor expired."),
            code="unauthenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(not_found())


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(ProblemError(status=403, title=_("Not allowed."), code="forbidden"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(ProblemError(status=exc.status_code, title=str(exc)))


def _location(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja reports ("body", "payload", "answers") or ("query", "limit"): keep the field's path.
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "field": _location(error.get("loc", ())),
            "message": str(error.get("msg", "")),
            "code": str(error.get("type", "invalid")),
        }
        for error in exc.errors
    ]
    return problem_response(
        ProblemError(
            status=422,
            title=_("The request is not valid."),
            detail="; ".join(f"{e['field']}: {e['message']}" for e in errors),
            code="validation",
            errors=errors,
        )
    )


@api.exception_handler(DjangoValidationError)
def _invalid_write(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return problem_response(validation_problem(exc))


for _module in (clients, practice, alerts, measures, fidelity):
    api.add_router("", _module.router)


# Added last, so that its route comes after every other one.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    url_name="unmatched",
    include_in_schema=False,
)
def unmatched(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under ``/api/v1/`` (an id that is not a number, say): a problem 404,
    refused and audited like a record out of reach, never the pages' HTML."""
    deny_read(token_of(request).user, "api.route", rest[:100])


api.add_router("", fallback)
