"""The configuration hub: what each programme has in force, its defaults and its history."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoAssertNumQueries

from tandem.orgs.models import ConfigurationKind
from tandem.orgs.services import record_configuration_change
from tests.conftest import LoginAs, World
from tests.measures.factories import ScheduleFactory


def test_the_hub_lists_the_programmes_the_person_configures(
    world: World, login_as: LoginAs
) -> None:
    manager = login_as(world.programme_manager).get(reverse("site:configuration"))
    assert [p.name for p in manager.context["programmes"]] == ["P1"]

    admin = login_as(world.agency_admin).get(reverse("site:configuration"))
    assert [p.name for p in admin.context["programmes"]] == ["P1", "P2"]


def test_the_menu_offers_configuration_to_managers_and_administrators_only(
    world: World, login_as: LoginAs
) -> None:
    for user, shown in (
        (world.programme_manager, True),
        (world.agency_admin, True),
        (world.supervisor, False),
        (world.case_manager, False),
    ):
        response = login_as(user).get(reverse("accounts:password_change"))
        urls = [link["url"] for link in response.context["nav_links"]]
        assert (reverse("site:configuration") in urls) is shown


def test_the_programme_page_shows_schedules_waves_targets_and_defaults(
    world: World, login_as: LoginAs
) -> None:
    ScheduleFactory.create(programme=world.programme, instrument_code="rprs")

    response = login_as(world.programme_manager).get(
        reverse("site:programme_configuration", args=[world.programme.pk])
    )

    assert response.status_code == 200
    [row] = response.context["schedules"]
    assert row.when == "Waves: baseline, month 4.5, month 9, month 13.5, month 18"
    assert row.respondent == "The client, on a one-time link"
    assert len(response.context["targets"]) == 8
    assert response.context["thresholds_default"] is True
    assert response.context["defaults"].required_fields
    assert response.context["history"] == []


def test_the_history_shows_who_changed_what_before_and_after(
    world: World, login_as: LoginAs
) -> None:
    schedule = ScheduleFactory.create(programme=world.programme)
    record_configuration_change(
        actor=world.programme_manager,
        programme=world.programme,
        obj=schedule,
        kind=ConfigurationKind.SCHEDULE_CHANGED,
        subject="RPRS (alliance)",
        before={"window_after_days": 14},
        after={"window_after_days": 21},
        reason="Phone interviews",
    )

    response = login_as(world.agency_admin).get(
        reverse("site:programme_configuration", args=[world.programme.pk])
    )

    [row] = response.context["history"]
    assert row.change.changed_by == world.programme_manager
    assert [(s.label, s.before, s.after) for s in row.settings] == [
        ("Window after the due date (days)", "14", "21")
    ]
    assert "Phone interviews" in response.content.decode()


def test_the_programme_page_reads_in_french(world: World, login_as: LoginAs) -> None:
    ScheduleFactory.create(programme=world.programme, instrument_code="rprs")
    client = login_as(world.programme_manager)
    client.cookies["django_language"] = "fr"

    with translation.override("fr"):
        response = client.get(
            reverse("site:programme_configuration", args=[world.programme.pk]),
            headers={"accept-language": "fr"},
        )

    page = response.content.decode()
    assert "Calendriers de mesure" in page
    assert "mois 4,5" in page


def test_the_programme_page_reads_a_bounded_number_of_rows(
    world: World, login_as: LoginAs, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = login_as(world.programme_manager)
    for code in ("rprs", "qoli20", "pgi", "ths", "mcas"):
        ScheduleFactory.create(programme=world.programme, instrument_code=code)
    url = reverse("site:programme_configuration", args=[world.programme.pk])
    client.get(url)

    with django_assert_max_num_queries(30):
        client.get(url)
