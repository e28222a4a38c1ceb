"""The episode hooks: apps above clients react inside the service's transaction, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.clients.models import DischargeReason, Episode, EpisodeStatus
from tandem.clients.services import close_episode, open_episode
from tandem.clients.signals import episode_closed, episode_opened
from tandem.measures.models import Administration, AdministrationStatus
from tests.conftest import World
from tests.factories import ClientFactory
from tests.measures.factories import ScheduleFactory

pytestmark = pytest.mark.django_db


class ReceiverError(Exception):
    pass


def _fail(*, episode: Episode, **kwargs: Any) -> None:
    # What the receivers connected before this one (measures') wrote, then the failure.
    _written_before_failing.append(Administration.objects.filter(episode=episode).count())
    raise ReceiverError


_written_before_failing: list[int] = []


@pytest.fixture
def fail_on() -> Iterator[Callable[[Signal], None]]:
    """Connect a receiver that raises to a signal, after measures' own receivers."""
    connected: list[Signal] = []

    def connect(signal: Signal) -> None:
        signal.connect(_fail, dispatch_uid="test.fail")
        connected.append(signal)

    _written_before_failing.clear()
    yield connect
    for signal in connected:
        signal.disconnect(dispatch_uid="test.fail")


def _open(world: World) -> Episode:
    return open_episode(
        actor=world.supervisor,
        client=ClientFactory.create(agency=world.agency),
        programme=world.programme,
        team=world.team,
        case_manager=world.case_manager,
        start_date=timezone.localdate() - timedelta(days=30),
    )


def test_receivers_get_the_actor_and_the_episode_inside_the_transaction(world: World) -> None:
    seen: list[tuple[Any, int, bool, bool]] = []

    def record(*, actor: Any, episode: Episode, **kwargs: Any) -> None:
        seen.append(
            (
                actor,
                episode.pk,
                transaction.get_connection().in_atomic_block,
                Episode.objects.filter(pk=episode.pk).exists(),
            )
        )

    episode_opened.connect(record, dispatch_uid="test.record", weak=False)
    try:
        episode = _open(world)
    finally:
        episode_opened.disconnect(dispatch_uid="test.record")
    assert seen == [(world.supervisor, episode.pk, True, True)]


def test_a_failing_receiver_rolls_the_opening_back(
    world: World, fail_on: Callable[[Signal], None]
) -> None:
    ScheduleFactory.create(programme=world.programme)
    episodes, events = Episode.objects.count(), AuditEvent.objects.count()
    fail_on(episode_opened)
    with pytest.raises(ReceiverError):
        _open(world)
    # Nothing stays: neither the episode nor its audit event nor the due measures that
    # measures' receiver had already written in the same transaction.
    assert _written_before_failing[0] > 0
    assert Episode.objects.count() == episodes
    assert AuditEvent.objects.count() == events
    assert not Administration.objects.filter(schedule__programme=world.programme).exists()


def test_a_failing_receiver_rolls_the_discharge_back(
    world: World, fail_on: Callable[[Signal], None]
) -> None:
    ScheduleFactory.create(programme=world.programme)
    episode = _open(world)
    due = Administration.objects.filter(episode=episode).exclude(
        status=AdministrationStatus.CANCELLED
    )
    open_measures = due.count()
    fail_on(episode_closed)
    with pytest.raises(ReceiverError):
        close_episode(
            actor=world.supervisor,
            episode=episode,
            end_date=timezone.localdate(),
            reason=DischargeReason.GOALS_MET,
        )
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.OPEN
    assert due.count() == open_measures
