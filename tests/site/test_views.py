"""The home page and the navigation: each person's starting points follow their roles."""

from __future__ import annotations

from tests.conftest import LoginAs, World


def test_people_without_a_clinical_role_get_a_page_of_links(
    world: World, login_as: LoginAs
) -> None:
    html = login_as(world.agency_admin).get("/").content.decode()
    assert "/admin/" in html
    assert "/caseload/" not in html


def test_navigation_follows_the_roles(world: World, login_as: LoginAs) -> None:
    html = login_as(world.supervisor).get("/teams/").content.decode()
    assert 'href="/teams/"' in html
    assert 'href="/caseload/"' not in html
    assert 'href="/admin/"' not in html


def test_a_researcher_lands_on_a_page_saying_what_they_can_reach(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.researcher).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "no identified client data" in html
    assert 'href="/accounts/password/"' in html
    for clinical in ("/caseload/", "/alerts/", "/teams/", "/fidelity/"):
        assert f'href="{clinical}' not in html


def test_a_trainer_lands_on_a_page_saying_what_is_not_there_yet(
    world: World, login_as: LoginAs
) -> None:
    html = login_as(world.trainer).get("/").content.decode()
    assert "Training cohorts" in html
    assert "What you can reach" in html


def test_an_assessor_is_pointed_at_the_fidelity_reviews(world: World, login_as: LoginAs) -> None:
    html = login_as(world.assessor).get("/").content.decode()
    assert "second assessor" in html
    assert 'href="/fidelity/' in html


def test_the_start_page_speaks_french(world: World, login_as: LoginAs) -> None:
    http = login_as(world.researcher)
    html = http.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ce à quoi vous avez accès" in html
    assert "aucune donnée nominative" in html
