"""Factories for practice records, and the access matrix's URLs for intake and practice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from tandem.clients.models import IntakePolicy
from tandem.orgs.models import Team
from tandem.practice.models import (
    CommunityResource,
    Goal,
    LifeDomain,
    RecoveryPlan,
    Step,
    SupervisionKind,
    SupervisionSession,
)
from tests.clients.factories import referral_in
from tests.factories import UserFactory


class RecoveryPlanFactory(factory.django.DjangoModelFactory[RecoveryPlan]):
    class Meta:
        model = RecoveryPlan

    client = factory.LazyAttribute(lambda p: p.episode.client)
    updated_by = factory.LazyAttribute(lambda p: p.episode.primary_case_manager)


class GoalFactory(factory.django.DjangoModelFactory[Goal]):
    class Meta:
        model = Goal

    domain = LifeDomain.VOCATIONAL
    own_words = "I want to work with animals again."


class StepFactory(factory.django.DjangoModelFactory[Step]):
    class Meta:
        model = Step

    action = "Visit the animal shelter"
    responsible = "Client and case manager"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


def session_in(team: Team) -> SupervisionSession:
    return SupervisionSession.objects.create(
        team=team,
        kind=SupervisionKind.GROUP,
        held_on=timezone.localdate(),
        supervisor=UserFactory.create(),
    )


def practice_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for the intake and practice routes, for one relationship; None if not ours."""
    client = objects["client"]
    if "<path:object_id>" in path and "/admin/clients/intakepolicy/" in path:
        policy, _created = IntakePolicy.objects.get_or_create(programme=objects["programme"])
        return path.replace("<path:object_id>", str(policy.pk))
    if "<path:object_id>" in path and "/admin/practice/communityresource/" in path:
        resource, _created = CommunityResource.objects.get_or_create(
            agency=objects["agency"], name="Library", defaults={"kind": "library"}
        )
        return path.replace("<path:object_id>", str(resource.pk))
    if key == "clients:referral_detail":
        return path.replace("<int:pk>", str(referral_in(objects["programme"]).pk))
    if key == "clients:episode_discharge":
        return path.replace("<int:pk>", str(client.episodes.first().pk))
    if key == "practice:session_detail":
        return path.replace("<int:pk>", str(session_in(objects["team"]).pk))
    if key.startswith("practice:") and "<int:pk>" in path:
        return path.replace("<int:pk>", str(client.pk))
    return None


__all__ = [
    "GoalFactory",
    "RecoveryPlanFactory",
    "StepFactory",
    "practice_path",
]
