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
