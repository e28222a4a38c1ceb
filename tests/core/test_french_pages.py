"""Every page, rendered in French, shows no English source string, ISO date or decimal point.

Every route of the access table is opened, in French, by the first role the table lets in; the
demo agency is then walked in French by each of its logins, link by link, so that pages full of
real records (alerts, dashboards, plans, measures) are read too.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from typing_extensions import override

from tandem.accounts.models import Role, User
from tandem.site.demo import demo_logins
from tests.access.grids import RELATIONSHIPS, ROLES
from tests.access.test_url_matrix import EXPECTED, all_routes, concrete_path, objects_for
from tests.conftest import World
from tests.core.french import problems, typed_in_database

SKIPPED = {"set_language", "accounts:logout", "core:health"}


def french_client(user: User | None = None) -> HttpClient:
    http = HttpClient()
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    if user is not None:
        http.force_login(user)
    return http


def first_admitted(key: str) -> tuple[Role | None, str] | None:
    anonymous, role_grid = EXPECTED[key]
    if anonymous == 200:
        return None, "own"
    for role in ROLES:
        for relationship in RELATIONSHIPS:
            if role_grid[role.value][relationship] == 200:
                return role, relationship
    return None


def page_routes() -> list[tuple[str, str]]:
    return sorted(
        (key, route)
        for key, route in all_routes()
        if key not in SKIPPED and not key.startswith("admin:") and not route.startswith("admin/")
    )


@pytest.mark.django_db
def test_every_page_in_french_shows_no_english_iso_date_or_decimal_point(world: World) -> None:
    objects = objects_for(world)
    typed = typed_in_database()
    found: dict[str, list[str]] = {}
    opened = 0
    for key, route in page_routes():
        admitted = first_admitted(key)
        if admitted is None:
            continue
        role, relationship = admitted
        path = concrete_path(key, route, objects[relationship])
        response = french_client(world.user(role) if role else None).get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        opened += 1
        page_problems = problems(response.content.decode(), typed=typed)
        if page_problems:
            found[path] = page_problems
    assert opened >= 40
    assert found == {}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    @override
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def same_site_links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    links = []
    for href in parser.links:
        path, _fragment = urldefrag(href)
        parts = urlsplit(path)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/admin/", "/i18n/", "/static/", "/accounts/logout")):
            continue
        links.append(path)
    return links


# A walk this long reaches every kind of page a role has without opening every client.
PAGES_PER_LOGIN = 60
# Download routes answer files, not pages.
NOT_PAGES = (".csv", ".sav", ".pdf", ".svg", ".json", "/export", "/download")


@pytest.mark.demo
@pytest.mark.usefixtures("demo_db")
def test_the_demo_walked_in_french_by_every_login() -> None:
    typed = typed_in_database()
    found: dict[str, list[str]] = {}
    walked = 0
    for login in demo_logins():
        email = login.email
        user = User.objects.get(email=email)
        http = french_client(user)
        queue = deque(["/"])
        seen: set[str] = set()
        kinds: set[str] = set()
        while queue and len(seen) < PAGES_PER_LOGIN:
            path = queue.popleft()
            if path in seen or path.endswith(NOT_PAGES):
                continue
            seen.add(path)
            response = http.get(path, follow=True)
            if response.status_code != 200:
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            walked += 1
            html = response.content.decode()
            page_problems = problems(html, typed=typed)
            if page_problems:
                found[f"{email} {path}"] = page_problems
            for link in same_site_links(html):
                kind = kind_of(link)
                if link not in seen and kind not in kinds:
                    kinds.add(kind)
                    queue.append(link)
    assert walked >= 100
    assert found == {}


def kind_of(path: str) -> str:
    """A path with its numbers blanked: one client page stands for all of them."""
    return "/".join("#" if part.isdigit() else part for part in path.split("/"))
