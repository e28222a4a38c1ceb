"""Access rules of the routes that correct or void contacts, goals and steps (URL matrix)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tandem.practice.models import Contact, ContactMode, Goal, LifeDomain, RecoveryPlan, Step
from tests.access.grids import every, grid, rel

CLIENT_RECORD = grid(
    every(404),
    case_manager=rel(200, 404, 404, 404),
    supervisor=rel(200, 200, 404, 404),
    programme_manager=rel(200, 200, 200, 404),
)

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
# Whoever may open the client may correct its contacts, goals and steps.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "practice:contact_edit": (302, CLIENT_RECORD),
    "practice:goal_edit": (302, CLIENT_RECORD),
    "practice:step_edit": (302, CLIENT_RECORD),
}


def _goal_of(client: Any) -> Goal:
    episode = client.episodes.order_by("pk").first()
    plan, _created = RecoveryPlan.objects.get_or_create(
        episode=episode, defaults={"client": client, "updated_by": episode.primary_case_manager}
    )
    goal = plan.goals.first()
    if goal is None:
        goal = Goal.objects.create(plan=plan, domain=LifeDomain.HEALTH, own_words="Sleep better")
    return goal


def corrections_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for these routes and one relationship; None if the route is not one of them."""
    client = objects["client"]
    if key == "practice:contact_edit":
        episode = client.episodes.order_by("pk").first()
        contact = Contact.objects.create(
            client=client,
            episode=episode,
            worker=episode.primary_case_manager,
            occurred_on=timezone.localdate(),
            minutes=30,
            mode=ContactMode.COMMUNITY,
        )
        return path.replace("<int:pk>", str(contact.pk))
    if key == "practice:goal_edit":
        return path.replace("<int:pk>", str(_goal_of(client).pk))
    if key == "practice:step_edit":
        step = Step.objects.create(
            goal=_goal_of(client),
            action="Walk",
            responsible="Client",
            due_on=timezone.localdate(),
        )
        return path.replace("<int:pk>", str(step.pk))
    return None
