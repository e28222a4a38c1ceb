"""The presentation rota: fairness for any attendance pattern, absences, swaps, bad input."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.training.rota import plan_rota, presenters_for_session, swap_places


def run_sessions(
    queue: list[int], attendance: list[set[int]], per_session: int
) -> list[tuple[int, ...]]:
    """Each session chosen as it is held: from who came, with the counts so far."""
    counts: Counter[int] = Counter()
    chosen_by_session = []
    for attendees in attendance:
        chosen = presenters_for_session(
            queue=queue, given=counts, attendees=attendees, per_session=per_session
        )
        counts.update(chosen)
        chosen_by_session.append(chosen)
    return chosen_by_session


@st.composite
def attendance_patterns(draw: st.DrawFn) -> tuple[list[int], list[set[int]], int]:
    people = draw(st.integers(min_value=1, max_value=12))
    queue = draw(st.permutations(list(range(people))))
    sessions = draw(st.lists(st.sets(st.sampled_from(queue)), min_size=1, max_size=30))
    per_session = draw(st.integers(min_value=1, max_value=3))
    return list(queue), sessions, per_session


@settings(max_examples=300, deadline=None)
@given(attendance_patterns())
def test_nobody_presents_twice_before_everyone_who_attended_has_presented_once(
    pattern: tuple[list[int], list[set[int]], int],
) -> None:
    queue, attendance, per_session = pattern
    counts: Counter[int] = Counter()
    for attendees, chosen in zip(
        attendance, run_sessions(queue, attendance, per_session), strict=True
    ):
        assert set(chosen) <= attendees
        assert len(chosen) == min(per_session, len(attendees))
        # Checked independently of the rota's ranking: a second (or later) turn at this session
        # means everyone here has presented by the end of it.
        after = counts + Counter(chosen)
        if any(counts[p] >= 1 for p in chosen):
            assert all(after[a] >= 1 for a in attendees)
        # And more generally, nobody left out of this session has presented less than a
        # presenter had before it.
        for person in attendees - set(chosen):
            assert all(counts[p] <= counts[person] for p in chosen)
        counts = after


def test_an_absent_presenter_presents_at_the_next_session_they_attend() -> None:
    queue = ["ana", "ben", "chloe", "dev"]
    sessions = [{"ben", "chloe", "dev"}, {"ben", "chloe", "dev"}, {"ana", "chloe", "dev"}]
    assert run_sessions_named(queue, sessions) == [("ben",), ("chloe",), ("ana",)]


def run_sessions_named(queue: list[str], sessions: list[set[str]]) -> list[tuple[str, ...]]:
    counts: Counter[str] = Counter()
    out = []
    for attendees in sessions:
        chosen = presenters_for_session(queue=queue, given=counts, attendees=attendees)
        counts.update(chosen)
        out.append(chosen)
    return out


def test_a_second_round_starts_only_after_everyone_presented() -> None:
    everyone = {"ana", "ben", "chloe"}
    plan = plan_rota(queue=["ana", "ben", "chloe"], given={}, sessions=[everyone] * 5)
    assert plan == [("ana",), ("ben",), ("chloe",), ("ana",), ("ben",)]


def test_a_plan_continues_from_the_turns_already_given() -> None:
    everyone = {"ana", "ben", "chloe"}
    plan = plan_rota(
        queue=["ana", "ben", "chloe"], given={"ana": 1}, sessions=[everyone] * 2, per_session=1
    )
    assert plan == [("ben",), ("chloe",)]


def test_two_presenters_a_session() -> None:
    everyone = {1, 2, 3}
    assert plan_rota(queue=[1, 2, 3], given={}, sessions=[everyone] * 2, per_session=2) == [
        (1, 2),
        (3, 1),
    ]


def test_a_swap_exchanges_two_turns_of_the_same_round() -> None:
    everyone = {"ana", "ben", "chloe"}
    queue = swap_places(["ana", "ben", "chloe"], "ana", "chloe")
    assert plan_rota(queue=queue, given={}, sessions=[everyone] * 3) == [
        ("chloe",),
        ("ben",),
        ("ana",),
    ]


def test_nobody_from_outside_the_queue_is_chosen() -> None:
    assert presenters_for_session(queue=[1], given={}, attendees={1, 2}, per_session=2) == (1,)


@pytest.mark.parametrize(
    ("queue", "per_session", "message"),
    [([1, 2], 0, "per_session"), ([1, 1], 1, "queue")],
)
def test_bad_input_names_the_argument(queue: list[int], per_session: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_rota(queue=queue, given={}, sessions=[{1}], per_session=per_session)


def test_a_swap_with_someone_outside_the_rota_is_refused() -> None:
    with pytest.raises(ValueError, match="queue"):
        swap_places([1, 2], 1, 3)


@given(st.lists(st.integers(), min_size=2, max_size=12, unique=True), st.data())
def test_undoing_a_swap_gives_back_the_queue_and_plan_before(queue: list[int], data: Any) -> None:
    first, second = data.draw(st.permutations(queue))[:2]
    swapped = swap_places(queue, first, second)
    assert swap_places(swapped, first, second) == queue
    everyone = set(queue)
    plan = plan_rota(queue=queue, given={}, sessions=[everyone] * len(queue))
    back = swap_places(swapped, first, second)
    assert plan_rota(queue=back, given={}, sessions=[everyone] * len(queue)) == plan
