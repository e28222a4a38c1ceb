"""Recovery plans through the API: read with an ETag, statuses changed only with If-Match."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.clients.models import Client
from tandem.practice.models import GoalStatus, RecoveryPlan, Step, StepStatus
from tests.api.helpers import api_client, post_json, problem, token_text
from tests.conftest import World
from tests.practice.factories import GoalFactory, RecoveryPlanFactory, StepFactory

PRACTICE = "read:practice,write:practice"


def _plan_of(client: Client) -> tuple[RecoveryPlan, Step]:
    plan = RecoveryPlanFactory.create(episode=client.episodes.get(), vision="a home of my own")
    goal = GoalFactory.create(plan=plan)
    return plan, StepFactory.create(goal=goal)


def test_plan_reads_with_goals_steps_and_etag(world: World) -> None:
    plan, step = _plan_of(world.own_client)
    http = api_client(token_text(world.case_manager, scopes=PRACTICE))
    response = http.get(f"/api/v1/clients/{world.own_client.pk}/plan")
    body = response.json()
    assert body["id"] == plan.pk
    assert body["vision"] == "a home of my own"
    assert [s["id"] for g in body["goals"] for s in g["steps"]] == [step.pk]
    assert response["ETag"] == f'"practice.recoveryplan-episode{plan.episode_id}-v1"'


def test_client_without_a_plan_reads_an_empty_one_at_version_0(world: World) -> None:
    http = api_client(token_text(world.case_manager, scopes=PRACTICE))
    body = http.get(f"/api/v1/clients/{world.own_client.pk}/plan").json()
    assert (body["id"], body["version"], body["goals"]) == (None, 0, [])


def _mark(http: Any, step: Step, etag: str | None) -> Any:
    headers = {"If-Match": etag} if etag else {}
    return post_json(http, f"/api/v1/steps/{step.pk}/status", {"status": "done"}, **headers)


def test_step_marked_done_with_the_current_etag(world: World) -> None:
    _plan, step = _plan_of(world.own_client)
    http = api_client(token_text(world.case_manager, scopes=PRACTICE))
    etag = http.get(f"/api/v1/clients/{world.own_client.pk}/plan")["ETag"]
    response = _mark(http, step, etag)
    assert response.status_code == 200
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert response["ETag"] != etag
    assert _mark(http, step, etag).status_code == 412
    assert _mark(http, step, response["ETag"]).status_code == 200


def test_stale_plan_etag_gets_412_and_changes_nothing(world: World) -> None:
    plan, step = _plan_of(world.own_client)
    http = api_client(token_text(world.case_manager, scopes=PRACTICE))
    etag = http.get(f"/api/v1/clients/{world.own_client.pk}/plan")["ETag"]
    RecoveryPlan.objects.filter(pk=plan.pk).update(version=2)
    assert problem(_mark(http, step, etag))["status"] == 412
    step.refresh_from_db()
    assert step.status == StepStatus.PLANNED
    assert problem(_mark(http, step, None))["status"] == 428


def test_goal_marked_achieved(world: World) -> None:
    _plan, step = _plan_of(world.own_client)
    http = api_client(token_text(world.case_manager, scopes=PRACTICE))
    etag = http.get(f"/api/v1/clients/{world.own_client.pk}/plan")["ETag"]
    response = post_json(
        http, f"/api/v1/goals/{step.goal_id}/status", {"status": "achieved"}, **{"If-Match": etag}
    )
    assert response.status_code == 200
    step.goal.refresh_from_db()
    assert step.goal.status == GoalStatus.ACHIEVED


@pytest.mark.parametrize("outsider", ["team_client", "other_team_client", "other_agency_client"])
def test_plans_goals_and_steps_out_of_reach_answer_404(world: World, outsider: str) -> None:
    client: Client = getattr(world, outsider)
    _plan, step = _plan_of(client)
    http = api_client(token_text(world.case_manager, scopes=PRACTICE))
    answers = [
        http.get(f"/api/v1/clients/{client.pk}/plan").status_code,
        _mark(http, step, '"any"').status_code,
        post_json(
            http,
            f"/api/v1/goals/{step.goal_id}/status",
            {"status": "achieved"},
            **{"If-Match": "x"},
        ).status_code,
    ]
    assert answers == [404, 404, 404]
    step.refresh_from_db()
    assert step.status == StepStatus.PLANNED
