"""A questionnaire scheduled by hand from the client's page, through the API's service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from tandem.measures import services
from tandem.measures.models import Administration, AdministrationStatus
from tandem.measures.templatetags.measures_tags import wave_label
from tests.conftest import LoginAs, World
from tests.measures.factories import ScheduleFactory, due_rprs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _programme_measures(world: World) -> None:
    ScheduleFactory.create(programme=world.programme, instrument_code="rprs")


def _path(world: World, client: str = "own_client") -> str:
    return f"/clients/{getattr(world, client).pk}/measures/schedule/"


def _form(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "episode_id": str(world.own_client.episodes.get().pk),
        "instrument_code": "rprs",
        "due_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
    } | fields


def test_the_client_page_links_to_the_form(world: World, login_as: LoginAs) -> None:
    html = login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/").content.decode()
    assert f'href="{_path(world)}"' in html


def test_a_case_manager_schedules_a_questionnaire(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    page = http.get(_path(world))
    assert page.status_code == 200
    assert 'name="instrument_code"' in page.content.decode()
    answer = http.post(_path(world), _form(world))
    assert answer.status_code == 302
    assert answer["Location"] == f"/clients/{world.own_client.pk}/#measures-heading"
    row = Administration.objects.get(wave="extra")
    assert (row.instrument_code, row.status) == ("rprs", AdministrationStatus.DUE)
    assert row.due_date == timezone.localdate() + timedelta(days=5)


def test_a_refusal_keeps_what_was_typed_and_names_the_field(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.case_manager)
    assert http.post(_path(world), _form(world)).status_code == 302
    again = http.post(_path(world), _form(world))
    assert again.status_code == 400
    form = again.context["form"]
    assert form.errors["due_date"] == [
        "This instrument is already due on this day in this episode."
    ]
    assert form.data["due_date"] == _form(world)["due_date"]
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    refused = http.post(_path(world), _form(world, due_date=past))
    assert "due_date" in refused.context["form"].errors
    assert Administration.objects.filter(wave="extra").count() == 1


def test_only_the_programmes_instruments_are_offered(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    refused = http.post(_path(world), _form(world, instrument_code="ors"))
    assert refused.status_code == 400
    assert "instrument_code" in refused.context["form"].errors
    assert not Administration.objects.filter(wave="extra").exists()


def test_another_teams_client_is_not_found(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    assert http.get(_path(world, "other_team_client")).status_code == 404
    assert http.post(_path(world, "other_team_client"), _form(world)).status_code == 404
    assert not Administration.objects.filter(wave="extra").exists()


def test_non_clinical_roles_are_refused(world: World, login_as: LoginAs) -> None:
    assert login_as(world.researcher).get(_path(world)).status_code == 403


def test_the_service_refuses_an_episode_out_of_reach(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.schedule_administration(
            actor=world.case_manager,
            episode=world.other_team_client.episodes.get(),
            instrument_code="rprs",
            due_date=timezone.localdate(),
        )


def test_a_mistaken_one_is_closed_as_not_collected(world: World, login_as: LoginAs) -> None:
    row = services.schedule_administration(
        actor=world.case_manager,
        episode=world.own_client.episodes.get(),
        instrument_code="rprs",
        due_date=timezone.localdate() + timedelta(days=3),
    )
    answer = login_as(world.case_manager).post(
        f"/measures/{row.pk}/close/", {"reason": "Scheduled by mistake", "version": "1"}
    )
    assert answer.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.closed_reason) == ("not_collected", "Scheduled by mistake")


def test_the_listing_is_guarded(
    world: World, login_as: LoginAs, django_assert_max_num_queries: Any
) -> None:
    episode = world.own_client.episodes.get()
    for n in range(6):
        due_rprs(episode, wave=f"w{n}", due_date=timezone.localdate() + timedelta(days=n))
    http = login_as(world.case_manager)
    http.get(_path(world))
    with django_assert_max_num_queries(24):
        page = http.get(_path(world))
    assert page.content.decode().count("data-administration=") == 6


def test_the_page_reads_in_french(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    html = http.get(_path(world), headers={"Accept-Language": "fr"}).content.decode()
    assert "Planifier un questionnaire" in html
    with translation.override("fr"):
        assert wave_label("extra") == "Planifié à la main"
