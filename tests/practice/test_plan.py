"""Strengths Assessment versions and the recovery plan, with optimistic locking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.clients.models import Episode
from tandem.practice import services
from tandem.practice.models import (
    GoalStatus,
    RecoveryPlan,
    ResourceKind,
    StepStatus,
    StrengthsAssessment,
)
from tests.conftest import FormClient, LoginAs, World


def own_episode(world: World) -> Episode:
    return world.own_client.episodes.get()


def test_strengths_assessment_keeps_dated_versions_and_own_words(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.case_manager)
    url = f"/clients/{world.own_client.pk}/strengths/"
    first = timezone.localdate() - timedelta(days=30)
    http.post(
        url, {"assessed_on": first.isoformat(), "finances__own_words": "I'm broke by the 20th"}
    )
    http.post(
        url,
        {
            "assessed_on": timezone.localdate().isoformat(),
            "finances__own_words": "Budget lasts the month now",
        },
    )
    versions = list(StrengthsAssessment.objects.order_by("assessed_on"))
    assert [v.assessed_on for v in versions] == [first, timezone.localdate()]
    assert versions[0].entries.get(domain="finances").own_words == "I'm broke by the 20th"
    assert versions[0].entries.count() == 7
    page = http.get(url)
    assert len(page.context["versions"]) == 2
    # The form starts from the latest version.
    assert "Budget lasts the month now" in page.content.decode()


def test_plan_goals_and_steps_are_saved_in_the_clients_words(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.case_manager)
    url = f"/clients/{world.own_client.pk}/plan/"
    http.post(url, {"action": "goal", "version": 0, "domain": "social", "own_words": "See my kids"})
    plan = RecoveryPlan.objects.get()
    goal = plan.goals.get()
    resource = services.add_community_resource(
        actor=world.case_manager,
        agency=world.agency,
        name="Central Library",
        kind=ResourceKind.LIBRARY,
    )
    http.post(
        url,
        {
            "action": "step",
            "version": plan.version,
            "goal": goal.pk,
            "what": "Ask at the desk about the reading group",
            "responsible": "Client",
            "due_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "resource": resource.pk,
        },
    )
    step = goal.steps.get()
    assert step.action == "Ask at the desk about the reading group"
    assert step.resource == resource
    assert plan.goals.get().own_words == "See my kids"


def test_goals_achieved_are_counted(world: World) -> None:
    episode = own_episode(world)
    goal = services.add_goal(
        actor=world.case_manager,
        episode=episode,
        expected_version=0,
        domain="health",
        own_words="Walk every day",
    )
    services.set_goal_status(
        actor=world.case_manager,
        goal=goal,
        expected_version=1,
        status=GoalStatus.ACHIEVED,
        on=timezone.localdate(),
    )
    from tandem.practice.selectors import goals_achieved_by_worker

    assert goals_achieved_by_worker(world.team) == {world.case_manager.pk: 1}


def test_second_save_of_the_same_plan_is_refused_and_keeps_the_text(
    world: World,
    login_as: LoginAs,
) -> None:
    episode = own_episode(world)
    services.save_plan_vision(
        actor=world.case_manager, episode=episode, expected_version=0, vision="Start"
    )
    url = f"/clients/{world.own_client.pk}/plan/"
    # Both open the plan at version 1.
    first, second = FormClient(), FormClient()
    first.force_login(world.case_manager)
    second.force_login(world.supervisor)
    assert first.get(url).context["version"] == 1
    assert second.get(url).context["version"] == 1
    saved = first.post(url, {"action": "vision", "version": 1, "vision": "A home of my own"})
    assert saved.status_code == 302
    refused = second.post(url, {"action": "vision", "version": 1, "vision": "Back to school"})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "changed by someone else" in html
    assert "Back to school" in html
    plan = RecoveryPlan.objects.get()
    assert plan.vision == "A home of my own"
    assert plan.version == 2
    # The page moved the hidden version on: saving again is now a deliberate overwrite.
    assert refused.context["version"] == 2


def test_stale_step_update_is_refused(world: World) -> None:
    episode = own_episode(world)
    goal = services.add_goal(
        actor=world.case_manager,
        episode=episode,
        expected_version=0,
        domain="leisure",
        own_words="Play guitar again",
    )
    step = services.add_step(
        actor=world.case_manager,
        goal=goal,
        expected_version=1,
        action="Borrow a guitar",
        responsible="Client",
        due_on=timezone.localdate(),
    )
    with pytest.raises(services.PlanChangedError):
        services.set_step_status(
            actor=world.supervisor,
            step=step,
            expected_version=1,
            status=StepStatus.DONE,
            on=timezone.localdate(),
        )


def test_teammate_gets_404_on_another_workers_plan(world: World, login_as: LoginAs) -> None:
    response = login_as(world.teammate).get(f"/clients/{world.own_client.pk}/plan/")
    assert response.status_code == 404


def test_caseload_counts_goals_achieved_per_client(world: World, login_as: LoginAs) -> None:
    episode = own_episode(world)
    goal = services.add_goal(
        actor=world.case_manager,
        episode=episode,
        expected_version=0,
        domain="finances",
        own_words="Open a bank account",
    )
    services.set_goal_status(
        actor=world.case_manager,
        goal=goal,
        expected_version=1,
        status=GoalStatus.ACHIEVED,
        on=timezone.localdate(),
    )
    rows = login_as(world.case_manager).get("/caseload/").context["rows"]
    achieved = {row["client"]: row["episode"].goals_achieved for row in rows}
    assert achieved == {world.own_client: 1}
