"""Who is asking: the client's address and the request id, trusted from a proxy only when
``TRUSTED_PROXY_COUNT`` says that many proxies stand in front of Tandem."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.test import Client as HttpClient
from django.test import RequestFactory
from pytest_django import Settings

from tandem.audit.models import AuditEvent

PROXY = "10.0.0.2"


def _request(forwarded_for: str | None = None, remote: str = PROXY) -> WSGIRequest:
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_without_a_trusted_proxy_the_address_is_the_peer(settings: Settings) -> None:
    from tandem.core.addresses import client_address

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("203.0.113.9")) == PROXY


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "192.0.2.66, 203.0.113.9", "203.0.113.9"),  # the first entry is the client's say-so
        (2, "192.0.2.66, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_trusted_proxies_the_address_is_the_one_the_outermost_proxy_saw(
    settings: Settings, proxies: int, forwarded_for: str, expected: str
) -> None:
    from tandem.core.addresses import client_address

    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(_request(forwarded_for)) == expected


@pytest.mark.parametrize("forwarded_for", [None, "", "not-an-address", "203.0.113.9:4431"])
def test_a_missing_or_malformed_forwarded_address_falls_back_to_the_peer(
    settings: Settings, forwarded_for: str | None
) -> None:
    from tandem.core.addresses import client_address

    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(forwarded_for)) == PROXY


def test_the_sign_in_lockout_counts_the_same_address(settings: Settings) -> None:
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(_request("192.0.2.66, 203.0.113.9")) == "203.0.113.9"


def test_a_request_id_sent_by_a_client_is_replaced_without_a_trusted_proxy(
    db: None, settings: Settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    response = HttpClient().get("/health/", headers={"X-Request-ID": "forged-by-client-1"})
    assert response["X-Request-ID"] != "forged-by-client-1"


def test_an_audit_event_carries_no_request_id_chosen_by_the_client(
    db: None, settings: Settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    HttpClient().get("/r/no-such-token/", headers={"X-Request-ID": "forged-by-client-1"})
    request_ids = set(AuditEvent.objects.values_list("request_id", flat=True))
    assert request_ids
    assert "forged-by-client-1" not in request_ids
