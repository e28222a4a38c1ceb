"""Quick contact entry and the contact figures computed from it."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.practice import selectors, services
from tandem.practice.models import Contact, ContactMode, ContactWith
from tests.conftest import LoginAs, World
from tests.factories import EpisodeFactory


def test_case_manager_logs_a_contact_with_goal_worked_on(world: World, login_as: LoginAs) -> None:
    episode = world.own_client.episodes.get()
    goal = services.add_goal(
        actor=world.case_manager,
        episode=episode,
        expected_version=0,
        domain="vocational",
        own_words="A part-time job",
    )
    response = login_as(world.case_manager).post(
        f"/clients/{world.own_client.pk}/contacts/",
        {
            "occurred_on": timezone.localdate().isoformat(),
            "minutes": 45,
            "mode": ContactMode.COMMUNITY,
            "with_whom": ContactWith.CLIENT,
            "goals": [goal.pk],
            "note": "Walked to the job centre together.",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.worker == world.case_manager
    assert list(contact.goals.all()) == [goal]


def test_contact_in_the_future_is_refused_with_the_field_named(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.case_manager).post(
        f"/clients/{world.own_client.pk}/contacts/",
        {
            "occurred_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "minutes": 20,
            "mode": ContactMode.PHONE,
            "with_whom": ContactWith.CLIENT,
            "note": "kept",
        },
    )
    assert "occurred_on" in response.context["form"].errors
    assert "kept" in response.content.decode()
    assert not Contact.objects.exists()


def test_community_share_and_contacts_per_client_per_week(world: World) -> None:
    episode = world.own_client.episodes.get()
    today = timezone.localdate()
    for mode in (
        ContactMode.COMMUNITY,
        ContactMode.COMMUNITY,
        ContactMode.OFFICE,
        ContactMode.PHONE,
    ):
        services.record_contact(
            actor=world.case_manager,
            episode=episode,
            occurred_on=today,
            minutes=30,
            mode=mode,
            with_whom=ContactWith.CLIENT,
        )
    figures = selectors.contact_figures_for_worker(world.case_manager, today=today, days=28)
    assert figures.community_share == 0.5
    assert figures.per_client_per_week == 1.0  # 4 contacts, 1 client, 4 weeks
    team = selectors.contact_figures_for_team(world.supervisor, world.team, today=today, days=28)
    assert team.contacts == 4
    assert team.clients == 2


def test_caseload_shows_practice_facts_in_constant_queries(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    today = timezone.localdate()
    counts = []
    for n in (5, 200):
        for episode in EpisodeFactory.create_batch(
            n, team=world.team, primary_case_manager=world.case_manager
        ):
            goal = services.add_goal(
                actor=world.case_manager,
                episode=episode,
                expected_version=0,
                domain="health",
                own_words="Sleep better",
            )
            services.add_step(
                actor=world.case_manager,
                goal=goal,
                expected_version=1,
                action="Buy blackout curtains",
                responsible="Client",
                due_on=today + timedelta(days=3),
            )
            services.record_contact(
                actor=world.case_manager,
                episode=episode,
                occurred_on=today - timedelta(days=4),
                minutes=30,
                mode=ContactMode.COMMUNITY,
                with_whom=ContactWith.CLIENT,
            )
        with CaptureQueriesContext(connection) as queries:
            response = http.get("/caseload/")
        html = response.content.decode()
        assert html.count("Buy blackout curtains") >= n
        rows = response.context["rows"]
        assert sum(1 for r in rows if r["days_since_contact"] == 4) >= n
        counts.append(len(queries))
    assert counts[0] == counts[1]
