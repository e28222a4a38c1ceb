"""Content-Security-Policy, no-store, referrer and permissions policies on Tandem's pages.

The access matrix (tests/access/test_url_matrix.py) checks the same headers on every URL for
every role; these tests name each rule once and check what the pages need to live with it.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from tests.access.headers import directives, missing_security_headers
from tests.conftest import LoginAs, World
from tests.measures.factories import due_rprs

pytestmark = pytest.mark.django_db

ALL_THREES = {f"q{i}": "3" for i in range(1, 25)}


def test_the_sign_in_page_carries_every_security_header() -> None:
    response = HttpClient().get("/accounts/login/")
    assert response.status_code == 200
    assert missing_security_headers("/accounts/login/", response) == []


def test_the_policy_allows_no_inline_script_and_no_inline_style() -> None:
    policy = directives(HttpClient().get("/accounts/login/")["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'none'"]


def test_a_signed_in_page_is_never_stored(world: World, login_as: LoginAs) -> None:
    response = login_as(world.case_manager).get("/caseload/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_self_report_page_never_sends_its_address_as_a_referrer(
    world: World, login_as: LoginAs
) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    issued = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/link/", {"channel": "in_person"}
    )
    match = re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]+/)", issued.content.decode())
    assert match is not None
    response = HttpClient().get(match.group(1))
    assert response.status_code == 200
    # The origin at most, never the path: "no-referrer" would make the browser post the
    # answers with "Origin: null", which the CSRF check refuses.
    assert response["Referrer-Policy"] == "strict-origin"
    assert '<meta name="referrer" content="strict-origin">' in response.content.decode()


def test_a_refused_token_page_never_sends_its_address_as_a_referrer(db: None) -> None:
    response = HttpClient().get("/r/not-a-real-token/")
    assert response.status_code == 410
    assert missing_security_headers("/r/not-a-real-token/", response) == []


def test_pages_that_load_htmx_tell_it_to_inject_no_style(world: World, login_as: LoginAs) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    html = login_as(world.case_manager).get(f"/measures/{administration.pk}/").content.decode()
    assert "htmx.min.js" in html
    assert '"includeIndicatorStyles":false' in html


def test_the_score_chart_on_the_client_page_has_no_inline_style(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.case_manager)
    administration = due_rprs(world.own_client.episodes.get())
    assert http.post(f"/measures/{administration.pk}/", ALL_THREES).status_code == 302
    html = http.get(f"/clients/{world.own_client.pk}/").content.decode()
    assert "<svg" in html
    assert "<style" not in html
    assert " style=" not in html


def test_chart_styles_become_presentation_attributes() -> None:
    from tandem.core.svg import without_inline_styles

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"><defs><style type="text/css">'
        "*{stroke-linejoin: round; stroke-linecap: butt}</style></defs>"
        '<path d="M0 0" style="fill: none; stroke: #1f77b4; stroke-width: 1.5"/></svg>'
    )
    assert without_inline_styles(svg) == (
        '<svg xmlns="http://www.w3.org/2000/svg" stroke-linejoin="round" stroke-linecap="butt">'
        '<defs></defs><path d="M0 0" fill="none" stroke="#1f77b4" stroke-width="1.5"/></svg>'
    )
