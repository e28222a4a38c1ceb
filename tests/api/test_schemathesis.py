"""Schemathesis against ``/api/v1/openapi.json`` on the live test server, with a token of each
role: no server error, no answer outside the schema, and no 2xx on an object out of reach.

Each operation gets a small, seeded set of generated requests, valid and invalid ones (an id
that is not a number, a body missing a field), and every operation with an id
in its path is also called with the ids of another agency's client, administration, response,
alert, goal, step, fidelity review and team (out of every role's reach here).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.test import Client as HttpClient
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from pytest_django.live_server_helper import LiveServer
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tandem.accounts.models import Role, User
from tandem.alerts.selectors import alerts_visible_to
from tandem.clients.selectors import clients_visible_to, episodes_visible_to
from tandem.fidelity.selectors import reviews_visible_to
from tandem.measures.models import Response
from tandem.measures.selectors import administrations_visible_to
from tandem.orgs.selectors import teams_supervised_by
from tandem.practice.models import Goal, Step
from tests.alerts.access import alerts_path
from tests.api.access import bearer_token_for
from tests.conftest import World
from tests.fidelity.factories import final_review
from tests.measures.factories import completed_response, due_rprs
from tests.practice.factories import GoalFactory, RecoveryPlanFactory, StepFactory

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def _reachable(user: User, path: str) -> set[int] | None:
    """Ids the person may reach through ``path``'s ``{pk}``; None if it has none."""
    clients = clients_visible_to(user)
    rows: Any
    if path.startswith("/api/v1/clients/{pk}"):
        rows = clients
    elif path.startswith("/api/v1/administrations/{pk}"):
        rows = administrations_visible_to(user)
    elif path.startswith("/api/v1/responses/{pk}"):
        rows = Response.objects.filter(episode__in=episodes_visible_to(user))
    elif path.startswith("/api/v1/alerts/{pk}"):
        rows = alerts_visible_to(user)
    elif path.startswith("/api/v1/goals/{pk}"):
        rows = Goal.objects.filter(plan__client__in=clients)
    elif path.startswith("/api/v1/steps/{pk}"):
        rows = Step.objects.filter(goal__plan__client__in=clients)
    elif path.startswith("/api/v1/fidelity/reviews/{pk}"):
        rows = reviews_visible_to(user)
    elif path.startswith("/api/v1/teams/{pk}"):
        rows = teams_supervised_by(user)
    else:
        return None
    return set(rows.values_list("pk", flat=True))


def _out_of_reach(world: World) -> dict[str, int]:
    """A record of each kind belonging to another agency's client, by path prefix."""
    client = world.other_agency_client
    episode = client.episodes.get()
    administration = due_rprs(episode)
    response = completed_response(due_rprs(episode))
    alert = alerts_path("alerts:alert_detail", "<int:pk>", {"client": client})
    assert alert is not None
    plan = RecoveryPlanFactory.create(episode=episode)
    goal = GoalFactory.create(plan=plan)
    step = StepFactory.create(goal=goal)
    review = final_review(client.episodes.get().team)
    return {
        "/api/v1/clients/": client.pk,
        "/api/v1/administrations/": administration.pk,
        "/api/v1/responses/": response.pk,
        "/api/v1/alerts/": int(alert),
        "/api/v1/goals/": goal.pk,
        "/api/v1/steps/": step.pk,
        "/api/v1/fidelity/reviews/": review.pk,
        "/api/v1/teams/": review.team_id,
    }


def _fuzz(strategy: Any, call: Any) -> None:
    """Call ``call`` with a small, seeded sample of ``strategy``'s requests."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        call(case)

    run()


@pytest.mark.parametrize("role", list(Role))
@override_settings(API_RATE_LIMIT_PER_MINUTE=100_000)
def test_api_keeps_to_its_schema_and_its_reach(
    world: World, live_server: LiveServer, role: Role
) -> None:
    own = completed_response(due_rprs(world.own_client.episodes.get()))
    assert own.pk
    foreign = _out_of_reach(world)
    user = world.user(role)
    reader = HttpClient()
    reader.force_login(user)
    schema = schemathesis.openapi.from_dict(reader.get("/api/v1/openapi.json").json())
    headers = {"Authorization": f"Bearer {bearer_token_for(user)}"}
    problems: list[str] = []
    called: set[str] = set()

    def call(case: Any, reachable: set[int] | None) -> None:
        response = case.call(base_url=live_server.url, headers=headers)
        called.add(f"{case.method} {case.path}")
        label = f"{case.method} {case.formatted_path} -> {response.status_code}"
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as failure:  # every failure reported, not the first
            problems.append(f"{label}: {failure}")
        if reachable is not None and 200 <= response.status_code < 300:
            pk = int(case.path_parameters["pk"])
            if pk not in reachable:
                problems.append(f"{label}: a 2xx on an object out of reach")

    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    for operation in operations:
        reachable = _reachable(user, operation.path)
        strategies = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
        if reachable is not None:
            prefix = next(p for p in foreign if operation.path.startswith(p))
            strategies.append(operation.as_strategy(path_parameters={"pk": foreign[prefix]}))
        for strategy in strategies:
            _fuzz(strategy, lambda case, reachable=reachable: call(case, reachable))
    assert problems == [], "\n".join(problems)
    assert called == {f"{operation.method.upper()} {operation.path}" for operation in operations}
