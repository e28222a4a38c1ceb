"""The self-report link's rate limit: it stops a guesser, not the clients behind the same proxy,
and its refusals are counted in one audited row per address and window, not one event each."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from pytest_django import Settings

from tandem.audit.models import AuditEvent, Outcome
from tests.conftest import LoginAs, World
from tests.measures.factories import due_rprs

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
GUESSER = "203.0.113.9"
CLIENT = "198.51.100.7"


def _issue(world: World, login_as: LoginAs) -> str:
    administration = due_rprs(world.own_client.episodes.get())
    response = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/link/", {"channel": "in_person"}
    )
    match = re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]+/)", response.content.decode())
    assert match is not None
    return match.group(1)


def _behind_proxy(forwarded_for: str) -> HttpClient:
    """A browser whose requests reach Tandem through the reverse proxy at ``PROXY``."""
    return HttpClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def _refusal_events() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="measures.refusedlinkattempts", outcome=Outcome.DENIED
        )
    )


def test_a_guesser_behind_the_proxy_does_not_block_a_client_behind_it(
    world: World, login_as: LoginAs, settings: Settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.MEASURES_SELF_REPORT_REFUSED_LIMIT = 3
    path = _issue(world, login_as)
    guesser = _behind_proxy(GUESSER)
    answers = [guesser.get(f"/r/guess-{n}/").status_code for n in range(5)]
    assert answers == [410, 410, 410, 429, 429]
    assert _behind_proxy(CLIENT).get(path).status_code == 200


def test_a_guesser_cannot_escape_the_limit_by_forging_forwarded_addresses(
    world: World, settings: Settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.MEASURES_SELF_REPORT_REFUSED_LIMIT = 3
    # The proxy appends the address it saw to whatever the guesser sent.
    answers = [
        _behind_proxy(f"192.0.2.{n}, {GUESSER}").get(f"/r/guess-{n}/").status_code for n in range(5)
    ]
    assert answers == [410, 410, 410, 429, 429]


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(
    world: World, settings: Settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    settings.MEASURES_SELF_REPORT_REFUSED_LIMIT = 3
    answers = [
        HttpClient(REMOTE_ADDR=GUESSER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        .get(f"/r/guess-{n}/")
        .status_code
        for n in range(5)
    ]
    assert answers == [410, 410, 410, 429, 429]


def test_refused_guesses_are_audited_once_per_address_and_counted(
    world: World, settings: Settings
) -> None:
    from tandem.measures.models import RefusedLinkAttempts

    settings.MEASURES_SELF_REPORT_REFUSED_LIMIT = 5
    guesser = HttpClient(REMOTE_ADDR=GUESSER)
    answers = [guesser.get(f"/r/guess-{n}/").status_code for n in range(12)]
    assert answers == [410] * 5 + [429] * 7
    (event,) = _refusal_events()
    (tally,) = RefusedLinkAttempts.objects.all()
    assert event.object_id == str(tally.pk)
    assert (tally.refused, tally.throttled) == (5, 7)


def test_guesses_from_another_address_are_audited_on_their_own(world: World) -> None:
    for address in (GUESSER, CLIENT):
        for n in range(3):
            HttpClient(REMOTE_ADDR=address).get(f"/r/guess-{n}/")
    assert len(_refusal_events()) == 2


def test_a_new_window_is_audited_again(db: None) -> None:
    from tandem.measures.models import RefusedLinkAttempts
    from tandem.measures.services import record_refused_link_request

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for minutes in (0, 1, 9, 11, 12):
        record_refused_link_request(
            address=GUESSER, throttled=False, now=start + timedelta(minutes=minutes)
        )
    assert len(_refusal_events()) == 2
    counts = list(RefusedLinkAttempts.objects.order_by("window_start").values_list("refused"))
    assert counts == [(3,), (2,)]


def test_the_tally_keeps_no_address_in_clear(db: None) -> None:
    from tandem.measures.models import RefusedLinkAttempts

    HttpClient(REMOTE_ADDR=GUESSER).get("/r/guess/")
    (tally,) = RefusedLinkAttempts.objects.values()
    assert GUESSER not in " ".join(str(value) for value in tally.values())


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_guesses_are_audited_once(db: None) -> None:
    from tandem.measures.models import RefusedLinkAttempts
    from tandem.measures.services import record_refused_link_request

    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    barrier = threading.Barrier(6)

    def guess() -> None:
        try:
            barrier.wait(timeout=10)
            record_refused_link_request(address=GUESSER, throttled=False, now=now)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        for future in [pool.submit(guess) for _ in range(6)]:
            future.result()
    assert len(_refusal_events()) == 1
    assert RefusedLinkAttempts.objects.get().refused == 6
