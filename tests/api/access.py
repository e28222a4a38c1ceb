"""Access rules of the API and its token pages for ``tests/access/test_url_matrix.py``.

The ``/api/v1/`` and ``/fhir/`` routes are walked with a bearer token of each role instead of a
session; the token holds every scope, so the table shows what the person's roles give:
clinical roles reach their clients' records (200) and others' answer 404 as missing ones do;
every other role is refused (403). Without a token the answer is 401, whoever is signed in.
"""

from __future__ import annotations

from typing import Any

from django.test import Client as HttpClient

from tandem.accounts.models import User
from tandem.api.models import ApiToken
from tandem.api.scopes import ALL_SCOPES
from tandem.api.services import hash_secret
from tandem.measures.models import Administration, Response
from tests.access.grids import ANON, every, grid, rel
from tests.alerts.access import alerts_path
from tests.fidelity.access import EXPECTED as FIDELITY_EXPECTED
from tests.fidelity.access import fidelity_path
from tests.measures.factories import completed_response, due_rprs

CLINICAL_EVERY = grid(
    every(403), case_manager=every(200), supervisor=every(200), programme_manager=every(200)
)
CLINICAL_RECORD = grid(
    every(403),
    case_manager=rel(200, 404, 404, 404),
    supervisor=rel(200, 200, 404, 404),
    programme_manager=rel(200, 200, 200, 404),
)
TOKEN_ANON = 401

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    # Pages (a session, like every page).
    "api:token_list": (ANON, grid(every(200))),
    "api:token_revoke": (ANON, grid(every(405))),  # POST only
    "api:agency_tokens": (ANON, grid(every(403), agency_admin=every(200))),
    "api:agency_token_revoke": (ANON, grid(every(405))),  # POST only
    "api:docs": (ANON, grid(every(200))),
    "api_v1:openapi-json": (ANON, grid(every(200))),
    # The API (a bearer token).
    "api_v1:client_list": (TOKEN_ANON, CLINICAL_EVERY),
    "api_v1:client_detail": (TOKEN_ANON, CLINICAL_RECORD),
    "api_v1:client_episodes": (TOKEN_ANON, CLINICAL_RECORD),
    "api_v1:client_contacts": (TOKEN_ANON, CLINICAL_RECORD),
    "api_v1:referral_list": (
        TOKEN_ANON,
        grid(every(403), supervisor=every(200), programme_manager=every(200)),
    ),
    "api_v1:client_plan": (TOKEN_ANON, CLINICAL_RECORD),
    "api_v1:alert_list": (TOKEN_ANON, CLINICAL_EVERY),
    "api_v1:alert_detail": (TOKEN_ANON, CLINICAL_RECORD),
    "api_v1:step_status": (405, grid(every(405))),  # POST only
    "api_v1:goal_status": (405, grid(every(405))),  # POST only
    "api_v1:instrument_list": (TOKEN_ANON, CLINICAL_EVERY),
    "api_v1:instrument_detail": (TOKEN_ANON, CLINICAL_EVERY),
    "api_v1:administration_list": (TOKEN_ANON, CLINICAL_EVERY),
    "api_v1:administration_detail": (TOKEN_ANON, CLINICAL_RECORD),
    "api_v1:administration_invitations": (TOKEN_ANON, CLINICAL_RECORD),
    "api_v1:administration_close": (405, grid(every(405))),  # POST only
    "api_v1:response_submit": (405, grid(every(405))),  # POST only
    "api_v1:response_detail": (TOKEN_ANON, CLINICAL_RECORD),
    "api_v1:alert_step": (405, grid(every(405))),  # POST only
    # Fidelity: as the review pages (a final review of the relationship's team) and the team's
    # indicators page (its supervisors and its programme's managers; assessors are refused).
    "api_v1:fidelity_review_list": (TOKEN_ANON, FIDELITY_EXPECTED["fidelity:review_list"][1]),
    "api_v1:fidelity_review_detail": (
        TOKEN_ANON,
        FIDELITY_EXPECTED["fidelity:review_detail"][1],
    ),
    "api_v1:team_fidelity_indicators": (
        TOKEN_ANON,
        FIDELITY_EXPECTED["fidelity:team_indicators"][1],
    ),
    # Any other path under /api/v1/: a problem 404 for every token, audited as a refusal.
    "api_v1:unmatched": (TOKEN_ANON, grid(every(404))),
    # FHIR (a bearer token). The search answers an empty Bundle for a client out of reach.
    "fhir:metadata": (TOKEN_ANON, grid(every(200))),
    "fhir:questionnaire_read": (TOKEN_ANON, CLINICAL_EVERY),
    "fhir:questionnaire_responses": (TOKEN_ANON, CLINICAL_EVERY),
    "fhir:questionnaire_response_read": (TOKEN_ANON, CLINICAL_RECORD),
    # The FHIR routes' schema (behind sign-in, like the JSON API's).
    "fhir:openapi-json": (ANON, grid(every(200))),
    # Any other path under /fhir/, and /fhir/ itself: an OperationOutcome 404 for every token.
    "fhir:unmatched": (TOKEN_ANON, grid(every(404))),
    "fhir:root": (TOKEN_ANON, grid(every(404))),
}

# Routes checked by a bearer token rather than the session (LoginRequiredMiddleware skips them).
TOKEN_ROUTES = frozenset(key for key in EXPECTED if key.startswith(("api_v1:", "fhir:"))) - {
    "api_v1:openapi-json",
    "fhir:openapi-json",
}


def bearer_token_for(user: User, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
    """A usable token text for ``user`` holding ``scopes``, made past the service's role check
    (as if the person's roles had narrowed after it was made)."""
    token = ApiToken.objects.create(
        user=user,
        name="matrix",
        prefix=f"m{ApiToken.objects.count():011d}",
        secret_hash=hash_secret("matrix-secret"),
        scopes=list(scopes),
    )
    return f"tdm_{token.prefix}_matrix-secret"


def client_for(user: User, key: str) -> HttpClient:
    """A test client acting as ``user``: by token on the API's routes, by session elsewhere."""
    if key in TOKEN_ROUTES:
        return HttpClient(headers={"Authorization": f"Bearer {bearer_token_for(user)}"})
    http = HttpClient()
    http.force_login(user)
    return http


def _administration(objects: dict[str, Any]) -> Administration:
    episode = objects["client"].episodes.order_by("pk")[0]
    return Administration.objects.filter(episode=episode).first() or due_rprs(episode)


def _response(objects: dict[str, Any]) -> Response:
    return Response.objects.filter(
        client=objects["client"], completed_at__isnull=False
    ).first() or completed_response(_administration(objects))


def _fhir_path(key: str, path: str, objects: dict[str, Any]) -> str:
    if key == "fhir:questionnaire_read":
        return path.replace("<code>", "rprs")
    if key == "fhir:questionnaire_responses":
        return f"{path}?patient={objects['client'].pk}"
    if key == "fhir:questionnaire_response_read":
        return path.replace("<int:pk>", str(_response(objects).pk))
    if key == "fhir:unmatched":
        return "/fhir/QuestionnaireResponse/not-a-number"
    return path


# The fidelity routes reach the same records as these pages.
_FIDELITY_PAGE = {
    "api_v1:fidelity_review_detail": "fidelity:review_detail",
    "api_v1:team_fidelity_indicators": "fidelity:team_indicators",
}


def api_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for an API route and one relationship; None if not ours."""
    if key.startswith("fhir:"):
        return _fhir_path(key, path, objects)
    if key in {"api:token_revoke", "api:agency_token_revoke"}:
        return path.replace("<int:pk>", "1")
    if not key.startswith("api_v1:"):
        return path if key.startswith("api:") else None
    if key == "api_v1:unmatched":
        return "/api/v1/clients/not-a-number"
    if key in _FIDELITY_PAGE:
        return fidelity_path(_FIDELITY_PAGE[key], path, objects)
    if key in {"api_v1:step_status", "api_v1:goal_status", "api_v1:alert_step"}:
        return path.replace("<int:pk>", "1")
    if key == "api_v1:alert_detail":
        return alerts_path("alerts:alert_detail", path, objects)
    if key.startswith("api_v1:client_"):
        return path.replace("<int:pk>", str(objects["client"].pk))
    if key == "api_v1:instrument_detail":
        return path.replace("<code>", "rprs")
    if key == "api_v1:response_detail":
        return path.replace("<int:pk>", str(_response(objects).pk))
    if "<int:pk>" in path:
        return path.replace("<int:pk>", str(_administration(objects).pk))
    return path
