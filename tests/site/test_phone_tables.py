"""Every table a case manager sees becomes stacked cards on a phone.

The test walks every route the access matrix opens to a case manager (for their own client), so
a page added later is held to the same rule: each ``<table>`` has the class ``cards`` and each
body cell the ``data-label`` of its column (wrap the table in ``{% load cards %}{% cards %}``),
except a cell spanning the whole row or one under an empty header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from typing_extensions import override

from tandem.accounts.models import Role
from tests.access.test_url_matrix import EXPECTED, all_routes, concrete_path, objects_for
from tests.alerts.factories import AlertFactory, contact, scored
from tests.api.access import TOKEN_ROUTES
from tests.conftest import World
from tests.measures.factories import due_rprs
from tests.practice.factories import GoalFactory, RecoveryPlanFactory, StepFactory


@dataclass
class _Table:
    classes: list[str]
    headers: list[str] = field(default_factory=list)
    in_head: bool = False
    cells: list[tuple[str, int, str | None]] = field(default_factory=list)


class _TableFinder(HTMLParser):
    """The tables of a page: their classes, header texts and body cells' labels."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[_Table] = []
        self._open: list[_Table] = []
        self._header: list[str] | None = None

    @override
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            table = _Table(classes=(found.get("class") or "").split())
            self.tables.append(table)
            self._open.append(table)
        elif not self._open:
            return
        elif tag == "thead":
            self._open[-1].in_head = True
        elif tag in ("td", "th"):
            span = int(found.get("colspan") or 1)
            if self._open[-1].in_head:
                self._header = []
            else:
                self._open[-1].cells.append((tag, span, found.get("data-label")))

    @override
    def handle_endtag(self, tag: str) -> None:
        if not self._open:
            return
        if tag == "table":
            self._open.pop()
        elif tag == "thead":
            self._open[-1].in_head = False
        elif tag in ("td", "th") and self._header is not None:
            self._open[-1].headers.append(" ".join("".join(self._header).split()))
            self._header = None

    @override
    def handle_data(self, data: str) -> None:
        if self._header is not None:
            self._header.append(data)


HINT = ": wrap the table in {% load cards %}{% cards %}...{% endcards %}"


def phone_problems(html: str) -> list[str]:
    finder = _TableFinder()
    finder.feed(html)
    problems = []
    for table in finder.tables:
        if "cards" not in table.classes:
            problems.append(f"table without class cards (headers {table.headers}){HINT}")
            continue
        named = [h for h in table.headers if h]
        for tag, span, label in table.cells:
            if label is None and named and span < len(table.headers):
                problems.append(f"<{tag}> without data-label in table {table.headers}{HINT}")
    return problems


def case_manager_routes() -> list[tuple[str, str]]:
    return sorted(
        (key, route)
        for key, route in all_routes()
        if EXPECTED[key][1][Role.CASE_MANAGER.value]["own"] == 200
        and not key.startswith("admin:")
        # The JSON API answers a bearer token with JSON: it has no tables to fold.
        and key not in TOKEN_ROUTES
    )


@pytest.fixture
def busy_client(world: World) -> World:
    """The case manager's own client with a plan, a contact, scores, a due measure and an alert."""
    episode = world.own_client.episodes.get()
    today = timezone.localdate()
    plan = RecoveryPlanFactory.create(episode=episode)
    goal = GoalFactory.create(plan=plan)
    StepFactory.create(goal=goal)
    contact(episode, today - timedelta(days=2))
    scored(episode, "rprs", today - timedelta(days=30), total=3.5)
    due_rprs(episode)
    AlertFactory.create(episode=episode)
    return world


def test_the_walk_covers_the_case_managers_daily_pages() -> None:
    keys = {key for key, _route in case_manager_routes()}
    assert {"practice:caseload", "clients:client_detail", "practice:contacts"} <= keys
    assert {"practice:plan", "alerts:alert_list"} <= keys


@pytest.mark.parametrize(("key", "route"), case_manager_routes())
def test_every_table_on_a_case_managers_page_becomes_cards(
    busy_client: World, key: str, route: str
) -> None:
    world = busy_client
    path = concrete_path(key, route, objects_for(world)["own"])
    http = HttpClient()
    http.force_login(world.case_manager)
    response = http.get(path)
    assert response.status_code == 200, path
    if not response["Content-Type"].startswith("text/html"):
        return
    assert phone_problems(response.content.decode()) == [], path


def test_the_check_finds_a_table_left_as_it_was() -> None:
    html = "<table><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    assert phone_problems(html) == [f"table without class cards (headers ['A']){HINT}"]


def test_the_check_finds_a_cell_without_its_label() -> None:
    html = (
        '<table class="cards"><thead><tr><th>A</th><th>B</th></tr></thead>'
        '<tbody><tr><td data-label="A">1</td><td>2</td></tr></tbody></table>'
    )
    assert phone_problems(html) == [f"<td> without data-label in table ['A', 'B']{HINT}"]
