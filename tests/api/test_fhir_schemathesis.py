"""Schemathesis against ``/fhir/openapi.json`` on the live test server with a case manager's
token: no server error, no answer outside the schema, no 2xx on a response out of reach and
no search entry of a client out of reach.

Each operation gets a small, seeded set of generated requests, valid and invalid ones, then
explicit calls with the case manager's own records (so that 2xx answers are checked against the
schema too) and with another agency's.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.test import Client as HttpClient
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok

from tandem.measures.models import Response
from tandem.measures.selectors import administrations_visible_to
from tests.api.access import bearer_token_for
from tests.api.test_schemathesis import CHECKS, _fuzz
from tests.conftest import World
from tests.measures.factories import completed_response, due_rprs

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(API_RATE_LIMIT_PER_MINUTE=100_000)
def test_fhir_keeps_to_its_schema_and_its_reach(world: World, live_server: LiveServer) -> None:
    user = world.case_manager
    own = completed_response(due_rprs(world.own_client.episodes.get()))
    foreign = completed_response(due_rprs(world.other_agency_client.episodes.get()))
    reachable = set(
        Response.objects.filter(administration__in=administrations_visible_to(user)).values_list(
            "pk", flat=True
        )
    )
    assert own.pk in reachable
    assert foreign.pk not in reachable
    reader = HttpClient()
    reader.force_login(user)
    schema = schemathesis.openapi.from_dict(reader.get("/fhir/openapi.json").json())
    headers = {"Authorization": f"Bearer {bearer_token_for(user)}"}
    problems: list[str] = []
    called: set[str] = set()
    statuses: set[int] = set()

    def call(case: Any) -> None:
        response = case.call(base_url=live_server.url, headers=headers)
        called.add(f"{case.method} {case.path}")
        statuses.add(response.status_code)
        label = f"{case.method} {case.formatted_path} -> {response.status_code}"
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as failure:  # every failure reported
            problems.append(f"{label}: {failure}")
        if not 200 <= response.status_code < 300:
            return
        pk = (case.path_parameters or {}).get("pk")
        if pk is not None and int(pk) not in reachable:
            problems.append(f"{label}: a 2xx on a response out of reach")
        body = json.loads(response.content)
        if body.get("resourceType") == "Bundle":
            for entry in body.get("entry", []):
                if entry["resource"]["subject"]["reference"] != f"Patient/{world.own_client.pk}":
                    problems.append(f"{label}: an entry of a client out of reach")

    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    for operation in operations:
        strategies = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
        if operation.path.endswith("{pk}"):
            strategies += [
                operation.as_strategy(path_parameters={"pk": own.pk}),
                operation.as_strategy(path_parameters={"pk": foreign.pk}),
            ]
        elif operation.path.endswith("{code}"):
            strategies.append(operation.as_strategy(path_parameters={"code": "rprs"}))
        elif operation.method.upper() == "GET" and operation.path.endswith("Response"):
            for client in (world.own_client, world.other_agency_client):
                strategies.append(operation.as_strategy(query={"patient": str(client.pk)}))
        for strategy in strategies:
            _fuzz(strategy, call)
    assert problems == [], "\n".join(problems)
    # Answers of each kind were checked against the schema: records, refusals and bad input.
    assert {200, 404, 422} <= statuses
    assert called == {f"{operation.method.upper()} {operation.path}" for operation in operations}
