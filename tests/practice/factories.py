"""Factories for practice records, and the access matrix's URLs for intake and practice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from tandem.clients.models import Client, IntakePolicy
from tandem.orgs.models import Team
from tandem.practice.models import (
    AgreedAction,
    ClientPresentation,
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


def presented_in(team: Team, client: Client) -> SupervisionSession:
    """A session of the team where the client was presented by their case manager."""
    session = session_in(team)
    presenter = client.episodes.get().primary_case_manager
    ClientPresentation.objects.create(
        session=session, client=client, presenter=presenter, suggestions="Ask about the choir."
    )
    return session


def agreed_action_for(team: Team, client: Client) -> AgreedAction:
    """An open action agreed for the client in a session of the team, owned by their worker."""
    session = presented_in(team, client)
    owner = client.episodes.get().primary_case_manager
    return AgreedAction.objects.create(
        session=session,
        client=client,
        text="Call the choir lead.",
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=7),
        created_by=session.supervisor,
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
    if key in ("practice:session_detail", "practice:presentation_summary"):
        return path.replace("<int:pk>", str(presented_in(objects["team"], client).pk))
    if key in ("practice:agreed_action", "practice:agreed_action_done"):
        return path.replace("<int:pk>", str(agreed_action_for(objects["team"], client).pk))
    if key.startswith("practice:") and "<int:pk>" in path:
        return path.replace("<int:pk>", str(client.pk))
    return None


__all__ = [
    "GoalFactory",
    "RecoveryPlanFactory",
    "StepFactory",
    "agreed_action_for",
    "practice_path",
    "presented_in",
]
