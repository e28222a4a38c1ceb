"""FHIR R4 endpoints: the same tokens, scoping, scoring and idempotency as the JSON API."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client as HttpClient
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire

from tandem.audit.models import AuditEvent
from tandem.clients.models import Client
from tandem.measures import scoring
from tandem.measures.models import EnteredVia, InstrumentWording, Response
from tandem.measures.registry import get_instrument
from tests.api.access import bearer_token_for
from tests.api.helpers import api_client, token_text
from tests.conftest import World
from tests.measures.factories import completed_response, due_rprs

FHIR_JSON = "application/fhir+json"
RPRS = get_instrument("rprs")


def _answers() -> dict[str, float]:
    """One answer per RPRS item, walking through each item's options so that they differ."""
    found = {}
    for n, item in enumerate(RPRS.items):
        options = RPRS.scale_of(item).options
        found[item.id] = float(options[n % len(options)].value)
    return found


def _resource(client: Client, answers: dict[str, float], **fields: Any) -> dict[str, Any]:
    items = [
        {
            "linkId": item_id,
            "answer": [
                {"valueCoding": {"system": "urn:tandem:scale:rprs:default", "code": f"{v:g}"}}
            ],
        }
        for item_id, v in answers.items()
    ]
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"urn:tandem:instrument:rprs|{RPRS.version}",
        "status": "completed",
        "subject": {"reference": f"Patient/{client.pk}"},
        "authored": timezone.now().isoformat(),
        "item": items,
    } | fields


def _post(http: HttpClient, body: object, **headers: str) -> Any:
    return http.post(
        "/fhir/QuestionnaireResponse",
        json.dumps(body),
        content_type=FHIR_JSON,
        headers=headers,
    )


def _outcome(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == FHIR_JSON
    body: dict[str, Any] = json.loads(response.content)
    OperationOutcome.model_validate(body)
    return body


def _values(resource: dict[str, Any]) -> dict[str, float]:
    return {
        item["linkId"]: float(item["answer"][0]["valueCoding"]["code"]) for item in resource["item"]
    }


def _scores(resource: dict[str, Any]) -> dict[str, float]:
    return {
        ext["valueQuantity"]["unit"]: ext["valueQuantity"]["value"]
        for ext in resource.get("extension", [])
        if ext["url"] == "urn:tandem:fhir:extension:score"
    }


def test_metadata_is_a_capability_statement(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    response = http.get("/fhir/metadata")
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    CapabilityStatement.model_validate(response.json())
    kinds = {resource["type"] for resource in response.json()["rest"][0]["resource"]}
    assert kinds == {"Questionnaire", "QuestionnaireResponse"}
    assert HttpClient().get("/fhir/metadata").status_code == 401


def test_questionnaire_has_neutral_labels_not_the_agencys_wording(world: World) -> None:
    InstrumentWording.objects.create(
        agency=world.agency,
        instrument_code="rprs",
        instrument_version=RPRS.version,
        language="en",
        texts={"q1": "Licensed wording of the first item"},
    )
    http = api_client(token_text(world.case_manager))
    response = http.get("/fhir/Questionnaire/rprs")
    assert response.status_code == 200
    assert response["Content-Type"] == FHIR_JSON
    resource = response.json()
    Questionnaire.model_validate(resource)
    texts = {item["linkId"]: item["text"] for item in resource["item"]}
    assert texts == {item.id: item.label for item in RPRS.items} | {
        text_item.id: text_item.label for text_item in RPRS.text_items
    }
    assert "Licensed wording" not in response.content.decode()
    missing = http.get("/fhir/Questionnaire/no-such-thing")
    assert missing.status_code == 404
    assert _outcome(missing)["issue"][0]["code"] == "not-found"


def test_rprs_response_round_trips_posted_scored_read_back_equal(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    answers = _answers()
    posted = _post(http, _resource(world.own_client, answers))
    assert posted.status_code == 201, posted.content
    assert posted["Content-Type"] == FHIR_JSON
    row = Response.objects.get(client=world.own_client)
    assert row.entered_via == EnteredVia.WORKER
    assert row.entered_by == world.case_manager
    # Scored by the measures service, checked against the scoring module directly.
    expected = scoring.score(RPRS, answers).scores
    assert row.scores.keys() == expected.keys()
    for name, value in expected.items():
        assert row.scores[name] == value
    assert posted["Location"] == f"/fhir/QuestionnaireResponse/{row.pk}"

    read = http.get(posted["Location"]).json()
    assert read["id"] == str(row.pk)
    assert _values(read) == answers
    assert _scores(read) == {k: v for k, v in expected.items() if v is not None}
    assert read["subject"] == {"reference": f"Patient/{world.own_client.pk}"}

    bundle = http.get(f"/fhir/QuestionnaireResponse?patient={world.own_client.pk}")
    assert bundle["Content-Type"] == FHIR_JSON
    Bundle.model_validate(bundle.json())
    entries = bundle.json()["entry"]
    assert [entry["resource"] for entry in entries] == [read]


def test_problems_are_operation_outcomes_naming_the_element(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    answers = _answers()
    answers["q3"] = 99.0
    wrong_value = _post(http, _resource(world.own_client, answers))
    assert wrong_value.status_code == 422
    issue = _outcome(wrong_value)["issue"][0]
    assert issue["expression"] == ["QuestionnaireResponse.item.where(linkId='q3')"]

    not_fhir = _post(http, _resource(world.own_client, _answers(), status="finished"))
    assert not_fhir.status_code == 422
    assert _outcome(not_fhir)["issue"][0]["expression"][0].startswith(
        "QuestionnaireResponse.status"
    )

    bad_subject = _post(
        http, _resource(world.own_client, _answers(), subject={"reference": "Group/1"})
    )
    assert _outcome(bad_subject)["issue"][0]["expression"] == ["QuestionnaireResponse.subject"]
    assert Response.objects.count() == 0


def test_idempotency_key_stores_one_response(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    body = _resource(world.own_client, _answers())
    first = _post(http, body, **{"Idempotency-Key": "qr-1"})
    again = _post(http, body, **{"Idempotency-Key": "qr-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == FHIR_JSON
    assert again.json() == first.json()
    assert Response.objects.filter(client=world.own_client).count() == 1


def test_other_teams_and_agencies_clients_are_never_reached(world: World) -> None:
    """IDOR: another team's or agency's client id as patient or subject gives nothing."""
    http = api_client(token_text(world.case_manager))
    empty = http.get("/fhir/QuestionnaireResponse?patient=999999")
    assert empty.json()["total"] == 0
    gone = http.get("/fhir/QuestionnaireResponse/999999")
    for client in (world.other_team_client, world.other_agency_client, world.team_client):
        theirs = completed_response(due_rprs(client.episodes.get()))
        for patient in (str(client.pk), f"Patient/{client.pk}"):
            search = http.get(f"/fhir/QuestionnaireResponse?patient={patient}")
            assert search.status_code == 200
            assert search.json() == empty.json()
        read = http.get(f"/fhir/QuestionnaireResponse/{theirs.pk}")
        assert read.status_code == 404
        assert read.content == gone.content
        before = Response.objects.count()
        posted = _post(http, _resource(client, _answers()))
        assert posted.status_code == 404
        assert Response.objects.count() == before


def test_scopes_and_roles_are_those_of_the_json_api(world: World) -> None:
    reader = api_client(token_text(world.case_manager, scopes="read:measures"))
    refused = _post(reader, _resource(world.own_client, _answers()))
    assert refused.status_code == 403
    assert _outcome(refused)["issue"][0]["code"] == "forbidden"
    trainer = api_client(bearer_token_for(world.trainer))
    assert trainer.get("/fhir/Questionnaire/rprs").status_code == 403


def test_every_call_is_audited_without_the_token(world: World) -> None:
    text = token_text(world.case_manager)
    http = api_client(text)
    before = AuditEvent.objects.count()
    http.get("/fhir/Questionnaire/rprs")
    rows = list(AuditEvent.objects.order_by("pk")[before:])
    assert any(row.object_type == "api.apitoken" for row in rows)
    assert all(text not in json.dumps(row.__dict__, default=str) for row in rows)
