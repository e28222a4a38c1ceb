"""Site-wide pieces: the stylesheet is found, the health check answers, errors leak nothing."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.test import Client as HttpClient
from pytest_django import Settings


def test_the_stylesheet_is_found_by_the_static_files_finders() -> None:
    assert finders.find("tandem/tandem.css") is not None


def test_health_check_answers_without_signing_in(db: None) -> None:
    response = HttpClient().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_every_response_carries_a_request_id(db: None) -> None:
    assert len(HttpClient().get("/health/")["X-Request-ID"]) >= 8


def test_a_well_formed_request_id_from_the_proxy_is_kept(db: None, settings: Settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1  # a reverse proxy that sets X-Request-ID stands in front
    response = HttpClient().get("/health/", headers={"X-Request-ID": "abcdef12-3456"})
    assert response["X-Request-ID"] == "abcdef12-3456"


def test_a_malformed_request_id_is_replaced(db: None) -> None:
    response = HttpClient().get("/health/", headers={"X-Request-ID": "<script>"})
    assert response["X-Request-ID"] != "<script>"
