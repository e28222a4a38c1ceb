"""People and records by role and relationship, as healthchecks offers alice, bob and charlie.

``world`` builds two agencies. Agency A has programme P1 (teams A1, A2) and P2 (team B1);
agency Z is the outsider. Each client stands in one relationship to the people of team A1.

``demo_db`` gives a test the demo agency, built once per test process (see ``SharedDemo``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client as HttpClient
from django.utils import translation
from typing_extensions import override

from tandem.accounts.models import Role, User
from tandem.clients.models import Client
from tandem.core.form_tokens import FIELD_NAME, issue_token
from tandem.orgs.models import Agency, Programme, Team
from tandem.site.demo import load_demo
from tests.factories import (
    AgencyFactory,
    EpisodeFactory,
    MembershipFactory,
    ProgrammeFactory,
    TeamFactory,
    UserFactory,
)


@dataclass
class World:
    agency: Agency
    programme: Programme
    team: Team
    other_team: Team
    other_programme_team: Team
    other_agency: Agency
    other_agency_team: Team
    case_manager: User
    teammate: User
    other_team_case_manager: User
    supervisor: User
    programme_manager: User
    assessor: User
    researcher: User
    trainer: User
    agency_admin: User
    other_agency_case_manager: User
    own_client: Client
    team_client: Client
    other_team_client: Client
    other_agency_client: Client

    def user(self, role: str) -> User:
        return {
            Role.CASE_MANAGER: self.case_manager,
            Role.SUPERVISOR: self.supervisor,
            Role.PROGRAMME_MANAGER: self.programme_manager,
            Role.ASSESSOR: self.assessor,
            Role.RESEARCHER: self.researcher,
            Role.TRAINER: self.trainer,
            Role.AGENCY_ADMIN: self.agency_admin,
        }[Role(role)]


def _member(
    role: Role,
    *,
    agency: Agency,
    programme: Programme | None = None,
    team: Team | None = None,
    staff: bool = False,
) -> User:
    user = UserFactory.create(full_name=f"{role.label} person", agency=agency, is_staff=staff)
    MembershipFactory.create(
        user=user,
        role=role,
        agency=agency,
        programme=team.programme if team else programme,
        team=team,
    )
    return user


@pytest.fixture(autouse=True)
def _no_language_left_active() -> Iterator[None]:
    """Django's locale middleware activates each request's language in the thread and leaves
    it active after the response: in the one thread of the tests, a page read in French would
    leave French active for every later test that formats a message outside a request. Each
    test starts and ends with no language active (the default, English)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def world(db: None) -> World:
    agency = AgencyFactory.create(name="Agency A")
    programme = ProgrammeFactory.create(agency=agency, name="P1")
    team = TeamFactory.create(programme=programme, name="A1")
    other_team = TeamFactory.create(programme=programme, name="A2")
    other_programme = ProgrammeFactory.create(agency=agency, name="P2")
    other_programme_team = TeamFactory.create(programme=other_programme, name="B1")
    other_agency = AgencyFactory.create(name="Agency Z")
    other_agency_team = TeamFactory.create(
        programme=ProgrammeFactory.create(agency=other_agency, name="Z1"), name="Z1 team"
    )

    case_manager = _member(Role.CASE_MANAGER, agency=agency, team=team)
    teammate = _member(Role.CASE_MANAGER, agency=agency, team=team)
    other_team_cm = _member(Role.CASE_MANAGER, agency=agency, team=other_team)
    other_agency_cm = _member(Role.CASE_MANAGER, agency=other_agency, team=other_agency_team)

    def client_of(worker: User, in_team: Team) -> Client:
        return EpisodeFactory.create(team=in_team, primary_case_manager=worker).client

    return World(
        agency=agency,
        programme=programme,
        team=team,
        other_team=other_team,
        other_programme_team=other_programme_team,
        other_agency=other_agency,
        other_agency_team=other_agency_team,
        case_manager=case_manager,
        teammate=teammate,
        other_team_case_manager=other_team_cm,
        supervisor=_member(Role.SUPERVISOR, agency=agency, team=team),
        programme_manager=_member(Role.PROGRAMME_MANAGER, agency=agency, programme=programme),
        assessor=_member(Role.ASSESSOR, agency=agency),
        researcher=_member(Role.RESEARCHER, agency=agency),
        trainer=_member(Role.TRAINER, agency=agency),
        agency_admin=_member(Role.AGENCY_ADMIN, agency=agency, staff=True),
        other_agency_case_manager=other_agency_cm,
        own_client=client_of(case_manager, team),
        team_client=client_of(teammate, team),
        other_team_client=client_of(other_team_cm, other_team),
        other_agency_client=client_of(other_agency_cm, other_agency_team),
    )


class FormClient(HttpClient):
    """The test client, posting forms as a browser posts Tandem's rendered forms.

    A rendered form carries a one-time form token; a POST of a dict without one gets a new
    token for the signed-in session. Tests of the token itself use a plain ``HttpClient``.
    """

    def form_token(self) -> str:
        if settings.SESSION_COOKIE_NAME not in self.cookies:
            return ""
        session = self.session
        user_id = session.get("_auth_user_id")
        if user_id is None or session.session_key is None:
            return ""
        return issue_token(user_id=user_id, session_key=session.session_key)

    @override
    def post(self, path: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]  # same call, one more field
        if data is None or (isinstance(data, dict) and FIELD_NAME not in data):
            token = self.form_token()
            if token:
                data = {**(data or {}), FIELD_NAME: token}
        return super().post(path, data, *args, **kwargs)


@pytest.fixture
def client() -> FormClient:
    return FormClient()


LoginAs = Callable[[User], FormClient]
"""The ``login_as`` fixture: signs a user in on the test's ``client`` and returns that client."""


@pytest.fixture
def login_as(client: FormClient) -> LoginAs:
    def _login(user: User) -> FormClient:
        client.force_login(user)
        return client

    return _login


class SharedDemo:
    """The demo agency, loaded once per test process in an outer transaction never committed.

    Each test asking for ``demo_db`` runs in a savepoint inside it, rolled back after the test,
    as Django's ``TestCase`` nests each test in the data of ``setUpTestData``: a test sees the
    demo as loaded, never another test's changes. Before any other test the outer transaction
    is rolled back (``pytest_runtest_setup``), so no other test sees the demo;
    ``pytest_collection_modifyitems`` runs the demo tests one after another, first, so each
    process loads it once. A test that needs the demo committed (a live server reads it from
    another connection) loads it itself, as a ``django_db(transaction=True)`` test.
    """

    def __init__(self) -> None:
        self._atomic: Any = None
        self._blocker: Any = None

    def open(self, django_db_blocker: Any) -> None:
        if self._atomic is not None:
            return
        self._blocker = django_db_blocker
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            # As TestCase marks its own blocks: durable atomic blocks may nest inside it.
            atomic._from_testcase = True  # type: ignore[attr-defined]  # private flag Django sets itself
            atomic.__enter__()
            self._atomic = atomic
            try:
                load_demo()
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        if self._atomic is None:
            return
        atomic, self._atomic = self._atomic, None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


_shared_demo = SharedDemo()


@pytest.fixture(scope="session")
def _demo_session(django_db_setup: None) -> Iterator[SharedDemo]:
    """Rolls the demo back before the test database is destroyed."""
    yield _shared_demo
    _shared_demo.close()


@pytest.fixture
def demo_db(
    request: pytest.FixtureRequest, _demo_session: SharedDemo, django_db_blocker: Any
) -> None:
    """The demo agency (``load_demo()``, 300 clients) for this test, rolled back after it.

    Use it instead of ``django_db``/``db``, with the ``demo`` mark: the test's own savepoint
    must open inside the demo's transaction, after it.
    """
    if request.node.get_closest_marker("django_db") is not None:
        pytest.fail("a demo_db test takes no django_db mark: demo_db opens the database itself")
    if request.node.get_closest_marker("demo") is None:
        pytest.fail("a demo_db test is marked demo, so `make test-fast` leaves it out")
    _demo_session.open(django_db_blocker)
    request.getfixturevalue("db")


def _uses_shared_demo(item: pytest.Item) -> bool:
    return "demo_db" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The demo tests first and together: one load per process, and under ``--dist
    worksteal`` they start early on the first worker while the other takes the rest."""
    items.sort(key=lambda item: not _uses_shared_demo(item))
    for item in items:
        # pytest-django creates the test database only for tests it sees asking for one; demo_db
        # asks for ``db`` itself, after the demo's transaction, so name it last here too (a demo
        # test run on its own would otherwise find no tables).
        if _uses_shared_demo(item) and "db" not in item.fixturenames:  # type: ignore[attr-defined]
            item.fixturenames.append("db")  # type: ignore[attr-defined]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not _uses_shared_demo(item):
        _shared_demo.close()
