"""Shared by the API's endpoint modules: the problem answers each declares, JSON answers,
service validation errors as problems, and one-value filters."""

import json
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Path

from tandem.api.conventions import (
    ProblemError,
    field_problem,
)
from tandem.api.schemas import (
    ProblemOut,
)

# A record's id in a path: the route's ``int`` converter takes digits only, and the schema says so.
Id = Annotated[int, Path(ge=0)]

PROBLEMS: dict[int | str, Any] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
}


def validation_problem(error: DjangoValidationError) -> ProblemError:
    errors = []
    for field_name, messages in error.error_dict.items() if hasattr(error, "error_dict") else []:
        for message in messages:
            text = " ".join(message.messages)
            errors.append({"field": field_name, "message": text, "code": message.code or ""})
    if not errors:
        errors = [{"field": "__all__", "message": " ".join(error.messages), "code": "invalid"}]
    stale = any(e["code"] == "stale" for e in errors)
    return ProblemError(
        status=409 if stale else 422,
        title=_("The request is not valid."),
        detail=" ".join(e["message"] for e in errors),
        code="conflict" if stale else "validation",
        errors=errors,
    )


def json_response(status: int, payload: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder), status=status, content_type="application/json"
    )


def one_of(name: str, value: str | None, allowed: list[str]) -> str | None:
    if value and value not in allowed:
        raise field_problem(
            400,
            name,
            _("Unknown value %(value)s; choose one of %(allowed)s.")
            % {"value": value, "allowed": ", ".join(allowed)},
            "unknown_value",
        )
    return value or None
