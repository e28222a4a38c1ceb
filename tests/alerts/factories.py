"""Factories for alerts, and small builders of the facts the alert rules read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import factory
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.alerts.models import Alert, AlertPolicy, AlertRule, AlertStatus, AlertStep
from tandem.clients.models import Episode
from tandem.measures.models import EnteredVia, Response
from tandem.orgs.models import Programme, Team
from tandem.practice.models import Contact, ContactMode, SupervisionKind, SupervisionSession
from tests.factories import EpisodeFactory, MembershipFactory, TeamFactory, UserFactory


class AlertPolicyFactory(factory.django.DjangoModelFactory[AlertPolicy]):
    class Meta:
        model = AlertPolicy


class AlertFactory(factory.django.DjangoModelFactory[Alert]):
    """An open measure-overdue alert on an episode, by default."""

    class Meta:
        model = Alert
        skip_postgeneration_save = True

    episode = factory.SubFactory(EpisodeFactory)
    team = factory.LazyAttribute(lambda a: a.episode.team if a.episode else TeamFactory.create())
    client = factory.LazyAttribute(lambda a: a.episode.client if a.episode else None)
    worker = factory.LazyAttribute(lambda a: a.episode.primary_case_manager if a.episode else None)
    rule = AlertRule.MEASURE_OVERDUE
    subject_key = factory.Sequence(lambda n: f"episode:test:{n}")
    reason = factory.LazyFunction(
        lambda: {
            "administration": 1,
            "instrument": "rprs",
            "due_date": "2026-01-01",
            "days_overdue": 3,
        }
    )
    status = AlertStatus.OPEN
    opened_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation  # type: ignore[untyped-decorator]  # factory_boy leaves it unannotated
    def first_step(obj: Alert, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            AlertStep.objects.create(alert=obj, status=AlertStatus.OPEN)


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def scored(episode: Episode, code: str, day: date, **scores: float) -> Response:
    """A completed response of ``code`` in ``episode`` on ``day`` with these scores."""
    return Response.objects.create(
        client=episode.client,
        episode=episode,
        instrument_code=code,
        instrument_version="1",
        scores=scores,
        entered_via=EnteredVia.WORKER,
        completed_at=at_noon(day),
    )


def contact(episode: Episode, day: date) -> Contact:
    return Contact.objects.create(
        client=episode.client,
        episode=episode,
        worker=episode.primary_case_manager,
        occurred_on=day,
        minutes=30,
        mode=ContactMode.COMMUNITY,
    )


def session(
    team: Team, kind: str, day: date, attendees: list[User] | None = None
) -> SupervisionSession:
    held = SupervisionSession.objects.create(
        team=team, kind=kind, held_on=day, supervisor=UserFactory.create()
    )
    held.attendees.set(attendees or [])
    return held


@dataclass
class Crew:
    """A team with one case manager and one supervisor, members since ``since``."""

    programme: Programme
    team: Team
    case_manager: User
    supervisor: User

    def episode(self, **fields: Any) -> Episode:
        return EpisodeFactory.create(
            team=self.team, primary_case_manager=self.case_manager, **fields
        )


def crew(*, since: date, **programme_fields: Any) -> Crew:
    team = TeamFactory.create(**{f"programme__{k}": v for k, v in programme_fields.items()})
    case_manager = UserFactory.create()
    supervisor = UserFactory.create()
    for person, role in ((case_manager, Role.CASE_MANAGER), (supervisor, Role.SUPERVISOR)):
        MembershipFactory.create(user=person, role=role, team=team)
    Membership.objects.filter(team=team).update(created_at=at_noon(since))
    return Crew(team.programme, team, case_manager, supervisor)


def days_before(day: date, n: int) -> date:
    return day - timedelta(days=n)


__all__ = [
    "AlertFactory",
    "AlertPolicyFactory",
    "Crew",
    "SupervisionKind",
    "at_noon",
    "contact",
    "crew",
    "days_before",
    "scored",
    "session",
]
