"""Sessions, presentations and agreed actions made through the services, for supervision tests."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tandem.accounts.models import User
from tandem.clients.models import Client
from tandem.practice import services
from tandem.practice.models import AgreedAction, SupervisionKind, SupervisionSession
from tandem.practice.supervision import services as supervision
from tests.conftest import World


def group_session(world: World, held_on: date | None = None) -> SupervisionSession:
    return services.record_supervision(
        actor=world.supervisor,
        team=world.team,
        kind=SupervisionKind.GROUP,
        held_on=held_on or timezone.localdate(),
        attendees=[world.case_manager, world.teammate],
    )


def individual_session(world: World, worker: User) -> SupervisionSession:
    return services.record_supervision(
        actor=world.supervisor,
        team=world.team,
        kind=SupervisionKind.INDIVIDUAL,
        held_on=timezone.localdate(),
        attendees=[worker],
    )


def present(
    world: World, session: SupervisionSession, client: Client, suggestions: str = "Ask the choir."
) -> None:
    services.present_client(
        actor=world.supervisor,
        session=session,
        client=client,
        presenter=client.episodes.get().primary_case_manager,
        question="",
        suggestions=suggestions,
    )


def agreed(
    world: World,
    session: SupervisionSession,
    client: Client,
    *,
    text: str = "Call the choir lead",
    due_in_days: int = 7,
    owner: User | None = None,
) -> AgreedAction:
    return supervision.agree_action(
        actor=world.supervisor,
        session=session,
        client=client,
        text=text,
        owner=owner or client.episodes.get().primary_case_manager,
        due_on=session.held_on + timedelta(days=due_in_days),
    )
