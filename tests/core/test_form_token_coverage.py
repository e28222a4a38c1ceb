"""Every Tandem form that writes carries a one-time form token, so a new one cannot ship without.

Three walks: every URL is posted to without a token by every role (nothing may be processed);
every ``<form method="post">`` in the templates must render ``{% form_token %}``; every add form
of the administration site carries one and refuses a POST without it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client as HttpClient
from django.urls import resolve, reverse

from tandem.core.admin_scoping import AgencyScopedAdmin
from tandem.core.form_tokens import MARKER
from tests.access.grids import ROLES
from tests.access.test_url_matrix import all_routes, concrete_path, objects_for
from tests.api.access import TOKEN_ROUTES
from tests.conftest import World
from tests.factories import UserFactory

# URLs that take a POST without a form token, and why each needs none.
WITHOUT_TOKEN = {
    "accounts:login": "signs in: there is no session yet to bind a token to",
    "accounts:logout": "ends the session and stores nothing",
    "accounts:password_change": "stores nothing new; a repeat fails the old-password check",
    "set_language": "sets a cookie and stores nothing",
    "measures:self_report": "anonymous; the one-time link is itself the key, answered once",
    "measures:validate_item": "checks one answer as it is typed and stores nothing",
    # The JSON API takes no session, so no form token: a retried POST sends Idempotency-Key.
    **dict.fromkeys(TOKEN_ROUTES, "a bearer token, not a session; Idempotency-Key for retries"),
    "qualitative:member_check_answer": "anonymous; the one-time link is itself the key",
}
# Templates whose post forms go only to the URLs above.
TEMPLATES_WITHOUT_TOKEN = {
    "templates/base.html": "the language switch and sign-out",
    "accounts/templates/accounts/login.html": "sign-in",
    "accounts/templates/accounts/password_change.html": "password change",
    "measures/templates/measures/self_report.html": "the client's one-time link",
    "qualitative/templates/qualitative/member_check_answer.html": "the participant's link",
}
# Answers that show a tokenless POST was not processed: refused for its token, refused access
# (403, 404), or not a POST route at all (405).
NOT_PROCESSED = {403, 404, 405}
SOURCE = Path(__file__).resolve().parents[2] / "src" / "tandem"
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.DOTALL | re.IGNORECASE)


def tandem_routes() -> list[tuple[str, str]]:
    return sorted(
        (key, route)
        for key, route in all_routes()
        if not key.startswith("admin:") and not route.startswith("admin/")
    )


def test_every_exemption_names_a_route_and_a_template_that_exist() -> None:
    assert WITHOUT_TOKEN.keys() <= {key for key, _route in tandem_routes()}
    assert TEMPLATES_WITHOUT_TOKEN.keys() <= {template for template, _form in post_forms()}


def _refused_for_its_token(response: object) -> bool:
    names = {t.name for t in getattr(response, "templates", [])}
    return getattr(response, "status_code", 0) == 400 and "core/form_token_refused.html" in names


@pytest.mark.parametrize(
    ("key", "route"), [(k, r) for k, r in tandem_routes() if k not in WITHOUT_TOKEN]
)
def test_no_post_without_a_form_token_is_processed(world: World, key: str, route: str) -> None:
    path = concrete_path(key, route, objects_for(world)["own"])
    answers = {}
    for role in ROLES:
        http = HttpClient()
        http.force_login(world.user(role))
        response = http.post(path, {})
        answers[role.value] = "token" if _refused_for_its_token(response) else response.status_code
    processed = {role: a for role, a in answers.items() if a != "token" and a not in NOT_PROCESSED}
    assert processed == {}
    if getattr(resolve(path).func, MARKER, False):
        assert "token" in answers.values(), "no role reaches the token check"
    else:
        assert 405 in answers.values(), "a POST route without @form_token_required"


def post_forms() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for template in sorted(SOURCE.glob("**/templates/**/*.html")):
        name = str(template.relative_to(SOURCE))
        if "/templates/admin/" in f"/{name}":
            continue
        found.extend(
            (name, form) for form in POST_FORM.findall(template.read_text(encoding="utf-8"))
        )
    return found


def test_the_template_walk_finds_the_post_forms() -> None:
    assert len(post_forms()) > 40


@pytest.mark.parametrize(
    ("template", "form"), [(t, f) for t, f in post_forms() if t not in TEMPLATES_WITHOUT_TOKEN]
)
def test_every_post_form_renders_a_form_token(template: str, form: str) -> None:
    assert "{% form_token %}" in form


def admin_add_urls() -> list[str]:
    """Add forms of Tandem's own models (the lockout and task records are read by superusers;
    audit events are never added by hand)."""
    return sorted(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_add"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, AgencyScopedAdmin) and model._meta.label != "audit.AuditEvent"
    )


@pytest.mark.parametrize("name", admin_add_urls())
def test_every_admin_add_form_carries_a_form_token_and_requires_it(db: None, name: str) -> None:
    http = HttpClient()
    http.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    page = http.get(reverse(name))
    assert 'name="form_token"' in page.content.decode()
    assert _refused_for_its_token(http.post(reverse(name), {}))
