"""The fair presentation rota, as pure functions (no Django).

Fairness rule: at every session the presenters are, among the people attending it, those who
have presented least so far; among equals, the one earliest in the queue. So nobody presents a
second time while someone attending the same session has not presented at all, and a person who
misses their turn (absent or excused) keeps their place at the front and presents at the next
session they attend. A swap between two people of the same round exchanges their queue places.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import TypeVar

P = TypeVar("P", bound=Hashable)


def _rota_iv(queue: Sequence[P], per_session: int) -> None:
    if per_session < 1:
        raise ValueError(f"per_session: must be at least 1, got {per_session}")
    if len(set(queue)) != len(queue):
        raise ValueError("queue: a person appears twice")


def presenters_for_session(
    *,
    queue: Sequence[P],
    given: Mapping[P, int],
    attendees: Collection[P],
    per_session: int = 1,
) -> tuple[P, ...]:
    """The presenters of one session: the attendees who presented least, queue order among equals.

    ``given`` counts each person's presentations so far; attendees not in ``queue`` are not
    taking part in the rota and are never chosen.
    """
    _rota_iv(queue, per_session)
    position = {person: i for i, person in enumerate(queue)}
    present = [person for person in queue if person in attendees]
    ranked = sorted(present, key=lambda person: (given.get(person, 0), position[person]))
    return tuple(ranked[:per_session])


def plan_rota(
    *,
    queue: Sequence[P],
    given: Mapping[P, int],
    sessions: Sequence[Collection[P]],
    per_session: int = 1,
) -> list[tuple[P, ...]]:
    """The presenters of each coming session, in order, from who is expected at each.

    ``given`` counts the presentations already made; each planned turn counts towards the next
    sessions, so the plan runs through the rounds as the sessions would.
    """
    _rota_iv(queue, per_session)
    counts = dict(given)
    plan: list[tuple[P, ...]] = []
    for attendees in sessions:
        chosen = presenters_for_session(
            queue=queue, given=counts, attendees=attendees, per_session=per_session
        )
        for person in chosen:
            counts[person] = counts.get(person, 0) + 1
        plan.append(chosen)
    return plan


def swap_places(queue: Sequence[P], first: P, second: P) -> list[P]:
    """The queue with two people's places exchanged (their turns swap within a round)."""
    if first not in queue or second not in queue:
        raise ValueError("queue: both people of a swap must be in the rota")
    swapped = list(queue)
    i, j = swapped.index(first), swapped.index(second)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    return swapped
