"""Every URL by every role by every relationship, against an explicit table of expected answers.

A URL pattern without an entry here fails ``test_every_url_pattern_has_an_access_rule``, so a
new route cannot ship without someone deciding who may reach it. Each 404 the table expects
outside the administration site must also leave exactly one audited refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from tandem.accounts.models import Role, User
from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.audit.services import record_event
from tandem.measures.models import InstrumentWording
from tests.access.grids import (
    ANON,
    OWN_AGENCY_ONLY,
    READ_ONLY,
    RELATIONSHIPS,
    ROLES,
    STAFF_ONLY,
    SUPERUSER_ONLY,
    admin_model_rules,
    every,
    every_role,
    grid,
    rel,
)
from tests.access.headers import missing_security_headers
from tests.alerts.access import EXPECTED as ALERTS_EXPECTED
from tests.alerts.access import alerts_path
from tests.api.access import EXPECTED as API_EXPECTED
from tests.api.access import TOKEN_ROUTES, api_path, client_for
from tests.clients.access import EXPECTED as CLIENTS_EXPECTED
from tests.clients.access import clients_path
from tests.conftest import World
from tests.dashboards.access import EXPECTED as DASHBOARDS_EXPECTED
from tests.dashboards.access import dashboards_path
from tests.fidelity.access import EXPECTED as FIDELITY_EXPECTED
from tests.fidelity.access import fidelity_path
from tests.measures.factories import ScheduleFactory, measures_path
from tests.practice.access_corrections import EXPECTED as CORRECTIONS_EXPECTED
from tests.practice.access_corrections import corrections_path
from tests.practice.factories import practice_path
from tests.qualitative.access import EXPECTED as QUALITATIVE_EXPECTED
from tests.qualitative.access import qualitative_objects, qualitative_path
from tests.reports.access import EXPECTED as REPORTS_EXPECTED
from tests.reports.access import reports_path
from tests.research.access import EXPECTED as RESEARCH_EXPECTED
from tests.research.access import research_path
from tests.site.access import EXPECTED as CONFIGURATION_EXPECTED
from tests.site.access import configuration_path
from tests.training.access import EXPECTED as TRAINING_EXPECTED
from tests.training.access import training_path

# Routes anyone may reach without signing in. Everything else is checked by
# LoginRequiredMiddleware; the administration site checks staff status itself; the API's
# routes check their bearer token instead of a session (tests/api/access.py).
PUBLIC = {
    "accounts:login",
    "core:health",
    "set_language",
    "measures:self_report",
    "qualitative:member_check_answer",
} | TOKEN_ROUTES
ADMIN_PUBLIC = {"admin:login"}


def walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            key = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield (key or route), route


# ---- the explicit table: route -> (anonymous answer, role -> relationship -> answer) ----------
CLINICAL_ONLY = {
    Role.CASE_MANAGER: rel(200, 404, 404, 404),
    Role.SUPERVISOR: rel(200, 200, 404, 404),
    Role.PROGRAMME_MANAGER: rel(200, 200, 200, 404),
}
TEAMS_ONLY = {
    Role.SUPERVISOR: rel(200, 200, 404, 404),
    Role.PROGRAMME_MANAGER: rel(200, 200, 200, 404),
}
INTAKE_PAGES = grid(every(403), supervisor=every(200), programme_manager=every(200))
CLIENT_RECORD = grid(every(404), **{k.value: v for k, v in CLINICAL_ONLY.items()})

APP_EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "site:home": (
        ANON,
        grid(
            every(200), case_manager=every(302), supervisor=every(302), programme_manager=every(302)
        ),
    ),
    "core:health": (200, grid(every(200))),
    "accounts:login": (200, grid(every(302))),  # signed-in people are sent on
    "accounts:logout": (ANON, grid(every(405))),  # POST only
    "accounts:password_change": (ANON, grid(every(200))),
    "accounts:password_change_done": (ANON, grid(every(200))),
    # Agency administrators' pages about people's access, narrowed to their own agency.
    "accounts:role_changes": (ANON, grid(every(403), agency_admin=every(200))),
    "accounts:locked_accounts": (ANON, grid(every(403), agency_admin=every(200))),
    "accounts:unlock_account": (ANON, grid(every(405))),  # POST only
    "practice:caseload": (ANON, grid(every(403), case_manager=every(200))),
    "clients:client_detail": (
        ANON,
        grid(every(404), **{k.value: v for k, v in CLINICAL_ONLY.items()}),
    ),
    "clients:team_list": (
        ANON,
        grid(every(403), supervisor=every(200), programme_manager=every(200)),
    ),
    "clients:team_detail": (
        ANON,
        grid(every(403), **{k.value: v for k, v in TEAMS_ONLY.items()}),
    ),
    "set_language": (302, grid(every(302))),
    # Intake: supervisors and programme managers of the referral's programme.
    "clients:referral_list": (ANON, INTAKE_PAGES),
    "clients:referral_new": (ANON, INTAKE_PAGES),
    "clients:waitlist": (ANON, INTAKE_PAGES),
    "clients:referral_detail": (
        ANON,
        grid(
            every(403),
            supervisor=rel(200, 200, 200, 404),
            programme_manager=rel(200, 200, 200, 404),
        ),
    ),
    "clients:episode_discharge": (ANON, CLIENT_RECORD),
    "practice:strengths": (ANON, CLIENT_RECORD),
    "practice:plan": (ANON, CLIENT_RECORD),
    "practice:contacts": (ANON, CLIENT_RECORD),
    "practice:resources": (
        ANON,
        grid(
            every(403), case_manager=every(200), supervisor=every(200), programme_manager=every(200)
        ),
    ),
    "practice:supervision": (ANON, INTAKE_PAGES),
    "practice:session_new": (ANON, INTAKE_PAGES),
    # A session where the relationship's client was presented: its supervisors run it, the
    # client's own case manager reads it.
    "practice:session_detail": (
        ANON,
        grid(every(403), **{k.value: v for k, v in CLINICAL_ONLY.items()}),
    ),
    "practice:presentation_summary": (
        ANON,
        grid(every(403), **{k.value: v for k, v in TEAMS_ONLY.items()}),
    ),
    # An action agreed for the relationship's client, owned by its case manager.
    "practice:agreed_action": (
        ANON,
        grid(every(403), **{k.value: v for k, v in CLINICAL_ONLY.items()}),
    ),
    "practice:agreed_action_done": (ANON, grid(every(405))),  # POST only
    "measures:administration": (
        ANON,
        grid(every(403), **{k.value: v for k, v in CLINICAL_ONLY.items()}),
    ),
    "measures:invitation_log": (
        ANON,
        grid(every(403), **{k.value: v for k, v in CLINICAL_ONLY.items()}),
    ),
    "measures:correct_response": (
        ANON,
        grid(every(403), **{k.value: v for k, v in CLINICAL_ONLY.items()}),
    ),
    # POST only: a GET is refused before anything is looked up.
    "measures:validate_item": (ANON, grid(every(405))),
    "measures:issue_link": (ANON, grid(every(405))),
    "measures:cancel_link": (ANON, grid(every(405))),
    "measures:resend_link": (ANON, grid(every(405))),
    "measures:close": (ANON, grid(every(405))),
    "measures:reopen": (ANON, grid(every(405))),
    "measures:programme_export": (
        ANON,
        grid(every(403), programme_manager=rel(200, 200, 200, 404)),
    ),
    "measures:programme_import": (
        ANON,
        grid(every(403), programme_manager=rel(200, 200, 200, 404)),
    ),
    # The client's one-time link: an unknown token is refused alike for everyone.
    "measures:self_report": (410, grid(every(410))),
    "measures:schedule_administration": (
        ANON,
        grid(every(403), **{k.value: v for k, v in CLINICAL_ONLY.items()}),
    ),
}


# ---- the administration site (see tests/access/grids.py for who gets in) ---------------------
ADMIN_EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "admin:index": (ANON, STAFF_ONLY),
    "admin:login": (200, grid(every(200), agency_admin=every(302))),
    "admin:logout": (ANON, grid(every(302), agency_admin=every(405))),
    "admin:password_change": (ANON, STAFF_ONLY),
    "admin:password_change_done": (ANON, STAFF_ONLY),
    "admin:autocomplete": (ANON, grid(every(302), agency_admin=every(403))),
    "admin:jsi18n": (ANON, STAFF_ONLY),
    "admin:view_on_site": (ANON, grid(every(302), agency_admin=every(404))),
    "admin:app_list": (ANON, STAFF_ONLY),
    "admin/(?P<url>.*)$": (ANON, grid(every(302), agency_admin=every(404))),
    "admin:auth_user_password_change": (
        ANON,
        grid(every(302), agency_admin=rel(200, 200, 200, 404)),
    ),
    **admin_model_rules(
        "accounts", "user", add=STAFF_ONLY, change=OWN_AGENCY_ONLY, delete=OWN_AGENCY_ONLY
    ),
    **admin_model_rules(
        "orgs",
        "agency",
        add=SUPERUSER_ONLY,
        change=OWN_AGENCY_ONLY,
        delete=SUPERUSER_ONLY,
    ),
    **admin_model_rules(
        "orgs", "programme", add=STAFF_ONLY, change=OWN_AGENCY_ONLY, delete=OWN_AGENCY_ONLY
    ),
    **admin_model_rules(
        "orgs", "team", add=STAFF_ONLY, change=OWN_AGENCY_ONLY, delete=OWN_AGENCY_ONLY
    ),
    **admin_model_rules(
        "clients", "intakepolicy", add=STAFF_ONLY, change=OWN_AGENCY_ONLY, delete=OWN_AGENCY_ONLY
    ),
    **admin_model_rules(
        "practice",
        "communityresource",
        add=STAFF_ONLY,
        change=OWN_AGENCY_ONLY,
        delete=OWN_AGENCY_ONLY,
    ),
    **admin_model_rules(
        "audit",
        "auditevent",
        add=READ_ONLY,
        change=OWN_AGENCY_ONLY,
        delete=READ_ONLY,
    ),
    **admin_model_rules(
        "measures", "schedule", add=STAFF_ONLY, change=OWN_AGENCY_ONLY, delete=OWN_AGENCY_ONLY
    ),
    # Licensed wording: uploaded and viewed, never edited; revisions are deleted by superusers.
    **admin_model_rules(
        "measures",
        "instrumentwording",
        add=STAFF_ONLY,
        change=OWN_AGENCY_ONLY,
        delete=READ_ONLY,
    ),
    # Lockout records and background task results: superusers only. No such rows exist in the
    # test world, so their object pages answer "does not exist" (302) before any permission.
    **{
        name: rule
        for app, model in (
            ("axes", "accessattempt"),
            ("axes", "accesslog"),
            ("axes", "accessfailurelog"),
            ("django_tasks_database", "dbtaskresult"),
        )
        for name, rule in admin_model_rules(
            app,
            model,
            add=SUPERUSER_ONLY,
            change=SUPERUSER_ONLY,
            delete=SUPERUSER_ONLY,
            history=every_role(302),
            changelist=SUPERUSER_ONLY,
        ).items()
    },
}

EXPECTED = {
    **APP_EXPECTED,
    **FIDELITY_EXPECTED,
    **ALERTS_EXPECTED,
    **DASHBOARDS_EXPECTED,
    **REPORTS_EXPECTED,
    **CONFIGURATION_EXPECTED,
    **CLIENTS_EXPECTED,
    **CORRECTIONS_EXPECTED,
    **TRAINING_EXPECTED,
    **QUALITATIVE_EXPECTED,
    **RESEARCH_EXPECTED,
    **API_EXPECTED,
    **ADMIN_EXPECTED,
}


def all_routes() -> list[tuple[str, str]]:
    return list(walk(get_resolver().url_patterns))


def test_every_url_pattern_has_an_access_rule() -> None:
    routes = {key for key, _route in all_routes()}
    assert routes - EXPECTED.keys() == set(), "routes without an access rule"
    assert EXPECTED.keys() - routes == set(), "rules for routes that no longer exist"


def test_only_allowlisted_views_skip_the_login_check() -> None:
    resolver = get_resolver()
    public = set()
    for key, route in all_routes():
        if key.startswith("admin:") or route.startswith("admin/"):
            continue
        # Any id will do: resolving finds the view without looking anything up.
        match = resolver.resolve("/" + re.sub(r"<int:\w+>", "1", route))
        if getattr(match.func, "login_required", True) is False:
            public.add(key)
    assert public == PUBLIC


def test_the_only_admin_page_open_to_anonymous_visitors_is_its_sign_in() -> None:
    admin_public = {key for key, (anonymous, _grid) in ADMIN_EXPECTED.items() if anonymous == 200}
    assert admin_public == ADMIN_PUBLIC


# ---- building a concrete URL for a route and a relationship ---------------------------------
def objects_for(world: World) -> dict[str, dict[str, Any]]:
    """For each relationship, the object a route's id refers to, per model label."""
    events = {
        "a": record_event(
            actor=world.agency_admin, action=Action.VIEW, object_type="x", agency_id=world.agency.pk
        ),
        "z": record_event(
            actor=world.other_agency_case_manager,
            action=Action.VIEW,
            object_type="x",
            agency_id=world.other_agency.pk,
        ),
    }
    wordings = {
        key: InstrumentWording.objects.create(
            agency=agency, instrument_code="ors", instrument_version="1", language="en"
        )
        for key, agency in (("a", world.agency), ("z", world.other_agency))
    }
    schedules = {
        key: ScheduleFactory.create(programme=programme)
        for key, programme in (("a", world.programme), ("z", world.other_agency_team.programme))
    }
    found: dict[str, dict[str, Any]] = {
        "own": {
            "client": world.own_client,
            "team": world.team,
            "user": world.case_manager,
            "agency": world.agency,
            "programme": world.programme,
            "event": events["a"],
            "wording": wordings["a"],
        },
        "team": {
            "client": world.team_client,
            "team": world.team,
            "user": world.teammate,
            "agency": world.agency,
            "programme": world.programme,
            "event": events["a"],
            "wording": wordings["a"],
        },
        "other_team": {
            "client": world.other_team_client,
            "team": world.other_team,
            "user": world.other_team_case_manager,
            "agency": world.agency,
            "programme": world.programme,
            "event": events["a"],
            "wording": wordings["a"],
        },
        "other_agency": {
            "client": world.other_agency_client,
            "team": world.other_agency_team,
            "user": world.other_agency_case_manager,
            "agency": world.other_agency,
            "programme": world.other_agency_team.programme,
            "event": events["z"],
            "wording": wordings["z"],
        },
    }
    qualitative = qualitative_objects(world)
    for relationship, objects in found.items():
        objects["schedule"] = schedules["z" if relationship == "other_agency" else "a"]
        objects["qualitative"] = qualitative[relationship]
    return found


ADMIN_OBJECT = {
    "accounts/user": "user",
    "orgs/agency": "agency",
    "orgs/programme": "programme",
    "orgs/team": "team",
    "audit/auditevent": "event",
    "measures/instrumentwording": "wording",
    "measures/schedule": "schedule",
}


def concrete_path(key: str, route: str, objects: dict[str, Any]) -> str:
    path = "/" + route.replace("^", "").replace("$", "")
    for app_path in (
        configuration_path,
        clients_path,
        corrections_path,
        practice_path,
        fidelity_path,
        alerts_path,
        dashboards_path,
        reports_path,
        training_path,
        qualitative_path,
        research_path,
        api_path,
    ):
        found = app_path(key, path, objects)
        if found is not None:
            return found
    if key.startswith("measures:"):
        return measures_path(key, path, objects["client"])
    if key == "clients:client_detail":
        return path.replace("<int:pk>", str(objects["client"].pk))
    if key == "accounts:unlock_account":
        return path.replace("<int:pk>", str(objects["user"].pk))
    if key == "clients:team_detail":
        return path.replace("<int:pk>", str(objects["team"].pk))
    if key == "admin:view_on_site":
        content_type = ContentType.objects.get_for_model(objects["team"])
        return f"/admin/r/{content_type.pk}/{objects['team'].pk}/"
    if key == "admin:app_list":
        return "/admin/orgs/"
    if "(?P<url>.*)" in path:
        return "/admin/no-such-page/"
    if "<id>" in path:
        return path.replace("<id>", str(objects["user"].pk))
    if "<path:object_id>" in path:
        model = next((v for k, v in ADMIN_OBJECT.items() if f"/admin/{k}/" in path), None)
        pk = objects[model].pk if model else 999_999
        return path.replace("<path:object_id>", str(pk))
    return path


def cells() -> list[tuple[str, str]]:
    return sorted(all_routes())


@pytest.mark.parametrize(("key", "route"), cells())
def test_url_answers_every_role_and_relationship_as_the_table_says(
    world: World, key: str, route: str
) -> None:
    """Each answer also carries the security headers (CSP, no-store, referrer, permissions)."""
    anonymous_expected, role_grid = EXPECTED[key]
    objects = objects_for(world)
    unexpected: list[tuple[str, str, str, object, object]] = []
    for relationship in RELATIONSHIPS:
        path = concrete_path(key, route, objects[relationship])
        response = HttpClient().get(path)
        answer = response.status_code
        for problem in missing_security_headers(path, response):
            unexpected.append(("anonymous", relationship, path, "headers", problem))
        if answer != anonymous_expected:
            unexpected.append(("anonymous", relationship, path, anonymous_expected, answer))
        elif answer == 302 and key not in PUBLIC:
            # Anonymous visitors are only ever sent to a sign-in page.
            location = response["Location"]
            if not location.startswith(("/accounts/login/", "/admin/login/")):
                unexpected.append(("anonymous", relationship, path, "sign-in", location))
        for role in ROLES:
            # The API's routes are reached with a bearer token of the role, the pages signed in.
            http = client_for(world.user(role), key)
            wanted = role_grid[role.value][relationship]
            audits_refusal = wanted == 404 and not is_admin_route(key, route)
            denied_before = denied_events_of(world.user(role)) if audits_refusal else 0
            response = http.get(path)
            answer = response.status_code
            for problem in missing_security_headers(path, response):
                unexpected.append((role.value, relationship, path, "headers", problem))
            if answer != wanted:
                unexpected.append((role.value, relationship, path, wanted, answer))
            elif audits_refusal:
                denied = denied_events_of(world.user(role)) - denied_before
                if denied != 1:
                    unexpected.append((role.value, relationship, path, "1 denied event", denied))
    assert unexpected == []


def is_admin_route(key: str, route: str) -> bool:
    """The administration site answers 404 for its own reasons (unknown pages), unaudited."""
    return key.startswith("admin:") or route.startswith("admin/")


def denied_events_of(user: User) -> int:
    # Every 404 the table expects outside the admin is a scoped object refused to a signed-in
    # user: each must leave exactly one audited refusal, as DESIGN.md promises.
    return AuditEvent.objects.filter(actor_id=user.pk, outcome=Outcome.DENIED).count()
