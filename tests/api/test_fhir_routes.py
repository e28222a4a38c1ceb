"""FHIR's unknown routes and ids answer an OperationOutcome 404; its OpenAPI schema is published."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from fhir.resources.R4B.operationoutcome import OperationOutcome

from tandem.audit.models import AuditEvent, Outcome
from tests.api.helpers import api_client, token_text
from tests.conftest import World

FHIR_JSON = "application/fhir+json"


def _outcome(response: Any, status: int) -> OperationOutcome:
    assert response.status_code == status
    assert response["Content-Type"] == FHIR_JSON
    return OperationOutcome.model_validate(json.loads(response.content))


@pytest.mark.parametrize(
    "path",
    [
        "/fhir/QuestionnaireResponse/not-a-number",
        "/fhir/QuestionnaireResponse/999999",
        "/fhir/QuestionnaireResponse/-1",
        "/fhir/Questionnaire/no-such-instrument",
        "/fhir/Patient/1",
        "/fhir/nothing/here/at/all",
        "/fhir/",
    ],
)
def test_unknown_ids_and_paths_answer_an_operation_outcome(world: World, path: str) -> None:
    http = api_client(token_text(world.case_manager))
    outcome = _outcome(http.get(path), 404)
    assert outcome.issue[0].code == "not-found"
    assert b"<html" not in http.get(path).content.lower()


def test_an_unknown_path_is_audited_as_a_refusal(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    _outcome(http.post("/fhir/Observation", "{}", content_type=FHIR_JSON), 404)
    assert AuditEvent.objects.filter(
        object_type="fhir.route", object_id="Observation", outcome=Outcome.DENIED
    ).exists()


def test_without_a_token_an_unknown_path_asks_for_one(world: World) -> None:
    _outcome(HttpClient().get("/fhir/QuestionnaireResponse/abc"), 401)


def test_a_search_without_a_patient_names_it(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    outcome = _outcome(http.get("/fhir/QuestionnaireResponse"), 400)
    assert outcome.issue[0].expression == ["patient"]


def test_the_fhir_schema_is_published_and_linked(world: World) -> None:
    reader = HttpClient()
    assert reader.get("/fhir/openapi.json").status_code in {302, 401, 403}
    reader.force_login(world.case_manager)
    schema = reader.get("/fhir/openapi.json").json()
    assert set(schema["paths"]) == {
        "/fhir/metadata",
        "/fhir/Questionnaire/{code}",
        "/fhir/QuestionnaireResponse",
        "/fhir/QuestionnaireResponse/{pk}",
    }
    read = schema["paths"]["/fhir/QuestionnaireResponse/{pk}"]["get"]
    assert set(read["responses"]["404"]["content"]) == {FHIR_JSON}
    assert 'href="/fhir/openapi.json"' in reader.get("/api/docs/").content.decode()


def test_the_docs_page_names_the_fhir_schema_in_french(world: World) -> None:
    reader = HttpClient()
    reader.force_login(world.case_manager)
    html = reader.get("/api/docs/", headers={"Accept-Language": "fr"}).content.decode()
    assert "La description OpenAPI 3 des routes FHIR" in html
