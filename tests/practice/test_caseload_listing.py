"""Caseload search, sort and filters: the search term stays out of the URL."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.clients.models import Episode
from tandem.practice import services
from tandem.practice.models import ContactMode, ContactWith
from tests.conftest import LoginAs, World
from tests.factories import ClientFactory, EpisodeFactory


def my_episode(world: World, family_name: str) -> Episode:
    client = ClientFactory.create(agency=world.agency, family_name=family_name)
    return EpisodeFactory.create(
        team=world.team, primary_case_manager=world.case_manager, client=client
    )


def contact_on(world: World, episode: Episode, days_ago: int) -> None:
    services.record_contact(
        actor=world.case_manager,
        episode=episode,
        occurred_on=timezone.localdate() - timedelta(days=days_ago),
        minutes=20,
        mode=ContactMode.COMMUNITY,
        with_whom=ContactWith.CLIENT,
    )


def names_in_order(html: str, *names: str) -> list[str]:
    return sorted(names, key=html.index)


def test_search_is_posted_kept_in_the_session_and_never_in_the_url(
    world: World, login_as: LoginAs
) -> None:
    wanted = my_episode(world, "Gagnon")
    http = login_as(world.case_manager)
    response = http.post("/caseload/?sort=name", {"search": "gagnon"})
    assert response.status_code == 302
    assert response["Location"] == "/caseload/?sort=name"
    html = http.get("/caseload/").content.decode()
    assert wanted.client.display_name in html
    assert world.own_client.display_name not in html
    assert 'value="gagnon"' in html  # the box shows the kept term
    assert "1 client shown." in html


def test_sort_by_longest_without_contact_puts_never_contacted_first(
    world: World, login_as: LoginAs
) -> None:
    recent = my_episode(world, "Recent")
    older = my_episode(world, "Older")
    contact_on(world, recent, 1)
    contact_on(world, older, 20)
    contact_on(world, world.own_client.episodes.get(), 5)
    never = my_episode(world, "Never")
    html = login_as(world.case_manager).get("/caseload/?sort=last_contact").content.decode()
    names = [e.client.display_name for e in (recent, older, never)]
    assert names_in_order(html, *names) == [names[2], names[1], names[0]]


def test_sort_by_next_step_due(world: World, login_as: LoginAs) -> None:
    later, sooner = my_episode(world, "Later"), my_episode(world, "Sooner")
    for episode, days in ((later, 30), (sooner, 3)):
        goal = services.add_goal(
            actor=world.case_manager,
            episode=episode,
            expected_version=0,
            domain="health",
            own_words="Sleep",
        )
        services.add_step(
            actor=world.case_manager,
            goal=goal,
            expected_version=1,
            action="Walk",
            responsible="Client",
            due_on=timezone.localdate() + timedelta(days=days),
        )
    html = login_as(world.case_manager).get("/caseload/?sort=next_due").content.decode()
    names = [later.client.display_name, sooner.client.display_name]
    assert names_in_order(html, *names) == [names[1], names[0]]


def test_filter_shows_clients_without_a_recent_contact(world: World, login_as: LoginAs) -> None:
    seen = my_episode(world, "Seen")
    contact_on(world, seen, 2)
    stale = my_episode(world, "Stale")
    contact_on(world, stale, 30)
    html = login_as(world.case_manager).get("/caseload/?only=no_recent_contact").content.decode()
    assert stale.client.display_name in html
    assert seen.client.display_name not in html
    # The caseload's size stays the whole caseload's.
    assert "3 clients in open episodes." in html


def test_a_search_that_finds_nobody_says_what_to_do(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    http.post("/caseload/", {"search": "Nobody-by-this-name"})
    html = http.get("/caseload/").content.decode()
    assert "No client matches" in html


def test_a_searched_caseload_query_count_does_not_grow_with_clients(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.case_manager)
    http.post("/caseload/", {"search": "Family"})
    counts = []
    for n_clients in (3, 60):
        EpisodeFactory.create_batch(
            n_clients, team=world.team, primary_case_manager=world.case_manager
        )
        with CaptureQueriesContext(connection) as queries:
            response = http.get("/caseload/?sort=last_contact&only=no_recent_contact")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_filter_shows_time_limited_episodes_ending_soon(world: World, login_as: LoginAs) -> None:
    world.programme.time_limit_days = 84
    world.programme.save()
    ending = my_episode(world, "Ending")
    ending.start_date = timezone.localdate() - timedelta(days=80)
    ending.save()
    html = login_as(world.case_manager).get("/caseload/?only=near_end").content.decode()
    assert ending.client.display_name in html
    assert world.own_client.display_name not in html
