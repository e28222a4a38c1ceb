"""Measures' reactions to episodes opening and closing (the hooks in ``clients.signals``)."""

from __future__ import annotations

from typing import Any

from tandem.accounts.models import User
from tandem.clients.models import Episode
from tandem.clients.signals import episode_closed, episode_opened
from tandem.measures.services import create_due_administrations, on_episode_closed


def schedule_intake_measures(*, actor: User, episode: Episode, **kwargs: Any) -> None:
    """A newly opened episode: its programme's intake and wave measures fall due."""
    create_due_administrations(actor=actor, episode=episode)


def schedule_discharge_measures(*, actor: User, episode: Episode, **kwargs: Any) -> None:
    """A closed episode: open measures are cancelled and the discharge measures fall due."""
    on_episode_closed(actor=actor, episode=episode)


def connect() -> None:
    episode_opened.connect(schedule_intake_measures, dispatch_uid="measures.intake")
    episode_closed.connect(schedule_discharge_measures, dispatch_uid="measures.discharge")
