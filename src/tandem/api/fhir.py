"""``/fhir/``: FHIR R4 over the same tokens, selectors and services as ``/api/v1/``.

- ``GET metadata``: the CapabilityStatement (what this server supports, nothing more);
- ``GET Questionnaire/{code}``: an instrument's structure with neutral labels (the agency's
  licensed wording stays on its pages);
- ``POST QuestionnaireResponse``: validated with ``fhir.resources``, then scored and stored by
  ``submit_response`` exactly as a form entered on the page; ``Idempotency-Key`` as in the JSON
  API. ``subject`` names the client (``Patient/<id>``); the response is entered in the client's
  open episode the token's person may see;
- ``GET QuestionnaireResponse?patient=<id>`` (a searchset Bundle) and
  ``GET QuestionnaireResponse/{id}``: completed responses with their scores as extensions.

Every answer is ``application/fhir+json``; every problem an OperationOutcome naming the element
(``expression``). A client out of the token's reach is a 404 on read and an empty Bundle on
search, exactly as for a missing one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic import ConfigDict
from typing_extensions import override

from tandem.api.auth import TokenAuth, acting_user, token_of
from tandem.api.conventions import ProblemError, field_problem, idempotent, not_found
from tandem.api.v1.common import Id, validation_problem
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients import selectors as client_selectors
from tandem.clients.models import EpisodeStatus
from tandem.core.access import deny_read
from tandem.measures import fhir
from tandem.measures import selectors as measure_selectors
from tandem.measures import services as measure_services
from tandem.measures.models import Response
from tandem.measures.registry import UnknownInstrumentError, all_instruments, get_instrument
from tandem.measures.scoring import AnswerError

FHIR_CONTENT_TYPE = "application/fhir+json"
EXT_SCORE = "urn:tandem:fhir:extension:score"
FHIR_VERSION = "4.0.1"

# FHIR issue codes for HTTP statuses (https://hl7.org/fhir/R4/valueset-issue-type.html).
_ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    412: "conflict",
    422: "invalid",
    428: "required",
    429: "throttled",
}


class FhirAPI(NinjaAPI):
    """django-ninja routing only: every answer here is a FHIR resource built by hand."""

    @override
    def get_root_path(self, path_params: dict[str, Any]) -> str:
        return reverse(f"{self.urls_namespace}:metadata").removesuffix("metadata")

    @override
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The schema, with every answer and body documented as ``application/fhir+json``."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for answer in operation.get("responses", {}).values():
                    content = answer.get("content", {})
                    if "application/json" in content:
                        answer["content"] = {FHIR_CONTENT_TYPE: content.pop("application/json")}
        return schema


api = FhirAPI(
    title="Tandem FHIR R4",
    version="4.0.1",
    description=(
        "FHIR R4 over the same personal API tokens as /api/v1/: send "
        "`Authorization: Bearer <token>`. Every answer, problems included, is "
        "`application/fhir+json`; a problem is an OperationOutcome."
    ),
    auth=TokenAuth(),
    urls_namespace="fhir",
    docs_url=None,
    openapi_url="/openapi.json",
)


# ---- what the schema documents (the resources themselves are built by hand) --------------------
class _Resource(Schema):
    model_config = ConfigDict(extra="allow")


class IssueOut(_Resource):
    severity: Literal["fatal", "error", "warning", "information"]
    code: str
    diagnostics: str = ""
    expression: list[str] = []


class OperationOutcomeOut(_Resource):
    resourceType: Literal["OperationOutcome"]  # noqa: N815  # FHIR's element name
    issue: list[IssueOut]


class CapabilityStatementOut(_Resource):
    resourceType: Literal["CapabilityStatement"]  # noqa: N815  # FHIR's element name
    status: str
    kind: str
    fhirVersion: str  # noqa: N815  # FHIR's element name
    format: list[str]
    rest: list[dict[str, Any]]


class QuestionnaireOut(_Resource):
    resourceType: Literal["Questionnaire"]  # noqa: N815  # FHIR's element name
    status: str
    item: list[dict[str, Any]] = []


class Reference(_Resource):
    reference: str


class QuestionnaireResponseOut(_Resource):
    resourceType: Literal["QuestionnaireResponse"]  # noqa: N815  # FHIR's element name
    id: str
    status: Literal["completed"]
    questionnaire: str
    subject: Reference
    item: list[dict[str, Any]] = []
    extension: list[dict[str, Any]] = []


class BundleEntryOut(_Resource):
    fullUrl: str  # noqa: N815  # FHIR's element name
    resource: QuestionnaireResponseOut


class BundleOut(_Resource):
    resourceType: Literal["Bundle"]  # noqa: N815  # FHIR's element name
    type: Literal["searchset"]
    total: int
    entry: list[BundleEntryOut]


OUTCOMES: dict[int | str, Any] = dict.fromkeys(
    (400, 401, 403, 404, 409, 422, 429), OperationOutcomeOut
)

# The body of a POST: a QuestionnaireResponse (checked fully by fhir.resources on arrival).
RESPONSE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            FHIR_CONTENT_TYPE: {
                "schema": {
                    "type": "object",
                    "required": ["resourceType", "status", "questionnaire", "subject"],
                    "properties": {
                        "resourceType": {"type": "string", "enum": ["QuestionnaireResponse"]},
                        "status": {"type": "string", "enum": ["completed"]},
                        "questionnaire": {"type": "string"},
                        "subject": {
                            "type": "object",
                            "required": ["reference"],
                            "properties": {"reference": {"type": "string"}},
                        },
                        "authored": {"type": "string", "format": "date-time"},
                        "language": {"type": "string"},
                        "item": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["linkId"],
                                "properties": {
                                    "linkId": {"type": "string"},
                                    "answer": {"type": "array", "items": {"type": "object"}},
                                },
                            },
                        },
                    },
                }
            }
        },
    }
}


def fhir_response(status: int, resource: Mapping[str, Any], **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(resource, cls=DjangoJSONEncoder), status=status, content_type=FHIR_CONTENT_TYPE
    )
    for name, value in headers.items():
        response[name] = value
    return response


def operation_outcome(problem: ProblemError) -> dict[str, Any]:
    """A problem as an OperationOutcome: one issue per named field, its path in ``expression``."""
    code = _ISSUE_CODES.get(problem.status, "processing")
    issues: list[dict[str, Any]] = [
        {
            "severity": "error",
            "code": code,
            "diagnostics": error["message"],
            "expression": [error["field"]],
        }
        for error in problem.errors
    ]
    if not issues:
        issues = [
            {"severity": "error", "code": code, "diagnostics": problem.detail or problem.title}
        ]
    return {"resourceType": "OperationOutcome", "issue": issues}


def outcome_response(problem: ProblemError) -> HttpResponse:
    return fhir_response(problem.status, operation_outcome(problem), **problem.headers)


def _element_problem(path: str, message: str) -> ProblemError:
    return field_problem(422, path, message, "invalid")


# ---- errors --------------------------------------------------------------------------------------
@api.exception_handler(ProblemError)
def _problem(request: HttpRequest, exc: ProblemError) -> HttpResponse:
    return outcome_response(exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return outcome_response(
        ProblemError(
            status=401,
            title=_("A valid API token is needed."),
            detail=_("Send Authorization: Bearer and a token that is neither revoked nor expired."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return outcome_response(not_found())


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return outcome_response(ProblemError(status=403, title=_("Not allowed.")))


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        errors.append(
            {
                "field": ".".join(location[1:] or location) or "request",
                "message": str(error.get("msg", "")),
                "code": "invalid",
            }
        )
    return outcome_response(
        ProblemError(status=422, title=_("The request is not valid."), errors=errors)
    )


@api.exception_handler(DjangoValidationError)
def _invalid_write(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    problem = validation_problem(exc)
    for error in problem.errors:
        # The service names an item id or a form field; in FHIR that is an item of the response.
        error["field"] = f"QuestionnaireResponse.item.where(linkId='{error['field']}')"
    return outcome_response(problem)


# ---- metadata ------------------------------------------------------------------------------------
def capability_statement(request: HttpRequest) -> dict[str, Any]:
    base = request.build_absolute_uri(api.get_root_path({}))
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "kind": "instance",
        "software": {"name": "Tandem"},
        "implementation": {"description": "Tandem FHIR R4 endpoints", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_CONTENT_TYPE],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [{"text": "Bearer"}],
                    "description": "Authorization: Bearer <personal API token>",
                },
                "resource": [
                    {
                        "type": "Questionnaire",
                        "interaction": [{"code": "read"}],
                    },
                    {
                        "type": "QuestionnaireResponse",
                        "interaction": [
                            {"code": "read"},
                            {"code": "create"},
                            {"code": "search-type"},
                        ],
                        "searchParam": [
                            {"name": "patient", "type": "reference"},
                        ],
                    },
                ],
            }
        ],
    }


@api.get(
    "/metadata",
    url_name="metadata",
    response={200: CapabilityStatementOut, **OUTCOMES},
    tags=["conformance"],
)
def metadata(request: HttpRequest) -> HttpResponse:
    """What this server supports; any valid token may read it (no record is shown)."""
    return fhir_response(200, capability_statement(request))


# ---- Questionnaire -------------------------------------------------------------------------------
@api.get(
    "/Questionnaire/{code}",
    url_name="questionnaire_read",
    response={200: QuestionnaireOut, **OUTCOMES},
    tags=["Questionnaire"],
)
def questionnaire_read(request: HttpRequest, code: str) -> HttpResponse:
    """An instrument's structure; item texts are the neutral labels, never licensed wording."""
    acting_user(request, "read:measures")
    try:
        instrument = get_instrument(code.replace("-", "_"))
    except UnknownInstrumentError as exc:
        raise not_found() from exc
    return fhir_response(200, fhir.questionnaire(instrument))


# ---- QuestionnaireResponse -----------------------------------------------------------------------
def _answers(row: Response) -> tuple[dict[str, float | None], dict[str, str]]:
    instrument = get_instrument(row.instrument_code)
    text_ids = {text_item.id for text_item in instrument.text_items}
    answers: dict[str, float | None] = {}
    texts: dict[str, str] = {}
    for item_id, value in (row.answers or {}).items():
        if item_id in text_ids:
            texts[item_id] = str(value)
        elif value not in (None, ""):
            answers[item_id] = float(value)
    return answers, texts


def response_resource(row: Response) -> dict[str, Any]:
    """A completed response as a QuestionnaireResponse with its scores as extensions."""
    instrument = get_instrument(row.instrument_code)
    answers, texts = _answers(row)
    authored = row.completed_at or row.created_at
    resource = fhir.questionnaire_response(
        instrument, answers, f"Patient/{row.client_id}", authored, texts=texts
    )
    resource["id"] = str(row.pk)
    resource["extension"] = [
        {"url": EXT_SCORE, "valueQuantity": {"value": value, "unit": name}}
        for name, value in row.scores.items()
        if value is not None
    ]
    return resource


def _client_id(reference: str, path: str) -> int:
    raw = reference.removeprefix("Patient/")
    if not raw.isdigit() or (reference != raw and not reference.startswith("Patient/")):
        raise _element_problem(path, _("Name the client as Patient/<id>."))
    return int(raw)


def _instrument_of(data: Mapping[str, Any]) -> Any:
    canonical = str(data.get("questionnaire") or "")
    code = canonical.split("|", 1)[0].removeprefix(fhir.INSTRUMENT_URL)
    if not canonical.startswith(fhir.INSTRUMENT_URL):
        raise _element_problem(
            "QuestionnaireResponse.questionnaire",
            _("Name the instrument as %(url)s<code>.") % {"url": fhir.INSTRUMENT_URL},
        )
    try:
        return get_instrument(code)
    except UnknownInstrumentError as exc:
        raise _element_problem(
            "QuestionnaireResponse.questionnaire",
            _("There is no instrument %(code)s.") % {"code": code},
        ) from exc


def _read_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _element_problem("QuestionnaireResponse", _("The body is not JSON.")) from exc
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        raise _element_problem(
            "QuestionnaireResponse.resourceType",
            _("Send a QuestionnaireResponse resource."),
        )
    return data


@api.post(
    "/QuestionnaireResponse",
    url_name="questionnaire_responses",
    response={201: QuestionnaireResponseOut, **OUTCOMES},
    openapi_extra=RESPONSE_BODY,
    tags=["QuestionnaireResponse"],
)
def questionnaire_response_create(request: HttpRequest) -> HttpResponse:
    """Store a completed QuestionnaireResponse, scored; send ``Idempotency-Key`` to retry."""
    user = acting_user(request, "write:measures")
    data = _read_body(request)
    if data.get("status") != "completed":
        raise _element_problem(
            "QuestionnaireResponse.status", _("Only completed responses are stored.")
        )
    instrument = _instrument_of(data)
    try:
        read = fhir.answers_from_questionnaire_response(instrument, data)
    except AnswerError as exc:
        raise _element_problem(
            f"QuestionnaireResponse.item.where(linkId='{exc.item_id}')", exc.problem
        ) from exc
    except fhir.FhirError as exc:
        path, _sep, message = str(exc).partition(": ")
        if not message:
            path, message = "QuestionnaireResponse", str(exc)
        raise _element_problem(path, message) from exc
    client_id = _client_id(read.subject_reference, "QuestionnaireResponse.subject")
    # The client's open episode the person may see: 404 if none, as for a missing client.
    episode = (
        client_selectors.episodes_visible_to(user)
        .filter(client_id=client_id, status=EpisodeStatus.OPEN)
        .order_by("-start_date", "-pk")
        .first()
    )
    if episode is None:
        raise not_found()
    answers: dict[str, Any] = {k: v for k, v in read.answers.items() if v is not None}
    answers.update(read.texts)
    completed_on = None
    if read.authored is not None:
        authored = read.authored
        if timezone.is_naive(authored):
            authored = timezone.make_aware(authored)
        completed_on = timezone.localdate(authored)
    language = str(data.get("language") or "en")[:2]
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = "en"

    def submit() -> HttpResponse:
        row = measure_services.submit_response(
            actor=user,
            answers=answers,
            episode=episode,
            instrument_code=instrument.code,
            language=language,
            completed_on=completed_on,
        )
        location = reverse("fhir:questionnaire_response_read", args=[row.pk])
        return fhir_response(201, response_resource(row), Location=location)

    answer = idempotent(request, token_of(request), submit)
    answer["Content-Type"] = FHIR_CONTENT_TYPE
    if answer.status_code >= 400 and "json" in answer["Content-Type"]:
        body = json.loads(answer.content)
        if body.get("resourceType") != "OperationOutcome":
            problem = ProblemError(
                status=answer.status_code,
                title=str(body.get("title", "")),
                detail=str(body.get("detail", "")),
                errors=list(body.get("errors") or []),
            )
            return outcome_response(problem)
    return answer


@api.get(
    "/QuestionnaireResponse/{int:pk}",
    url_name="questionnaire_response_read",
    response={200: QuestionnaireResponseOut, **OUTCOMES},
    tags=["QuestionnaireResponse"],
)
def questionnaire_response_read(request: HttpRequest, pk: Id) -> HttpResponse:
    """One completed response, with its scores."""
    user = acting_user(request, "read:measures")
    row = measure_selectors.get_response_for(user, pk)
    if row.completed_at is None:
        raise not_found()
    return fhir_response(200, response_resource(row))


@api.get(
    "/QuestionnaireResponse",
    url_name="questionnaire_responses",
    response={200: BundleOut, **OUTCOMES},
    tags=["QuestionnaireResponse"],
)
def questionnaire_response_search(request: HttpRequest, patient: str | None = None) -> HttpResponse:
    """A client's completed responses (``patient=<id>`` or ``Patient/<id>``) as a Bundle."""
    user = acting_user(request, "read:measures")
    unknown = [name for name in request.GET if name != "patient"]
    if unknown or "patient" not in request.GET:
        raise field_problem(
            400,
            unknown[0] if unknown else "patient",
            _("Search by patient only."),
            "unknown_parameter",
        )
    client_id = _client_id(request.GET["patient"], "patient")
    try:
        client = client_selectors.get_client_for(user, client_id)
        rows = measure_selectors.client_responses_for(user, client)
    except Http404:
        rows = []
    record_event(actor=user, action=Action.LIST, object_type="measures.response", object_id="fhir")
    base = request.build_absolute_uri(api.get_root_path({}))
    known = {instrument.code for instrument in all_instruments()}
    entries = [
        {"fullUrl": f"{base}QuestionnaireResponse/{row.pk}", "resource": response_resource(row)}
        for row in rows
        if row.instrument_code in known
    ]
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(entries),
        "entry": entries,
    }
    return fhir_response(200, bundle)


# ---- anything else under /fhir/ ------------------------------------------------------------------
# Added last, so that its route comes after every other one.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    url_name="unmatched",
    include_in_schema=False,
)
def unmatched(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under ``/fhir/`` (an id that is not a number, an unknown resource type):
    an OperationOutcome 404, refused and audited like a record out of reach, never HTML."""
    deny_read(token_of(request).user, "fhir.route", rest[:100])


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "", url_name="root", include_in_schema=False
)
def root(request: HttpRequest) -> HttpResponse:
    """``/fhir/`` itself names no resource: the same OperationOutcome 404."""
    deny_read(token_of(request).user, "fhir.route", "")


api.add_router("", fallback)
