"""API test helpers: a test client signing its requests with a person's token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client as HttpClient

from tandem.accounts.models import User
from tandem.api.services import create_token


def token_text(user: User, scopes: str = "read:clients,read:measures,write:measures") -> str:
    """A token made through the service, as a person makes one on their page."""
    return create_token(actor=user, user=user, name="tests", scopes=scopes).text


def api_client(text: str) -> HttpClient:
    return HttpClient(headers={"Authorization": f"Bearer {text}"})


def problem(response: Any) -> dict[str, Any]:
    """The problem-details body of an error answer, checking its media type."""
    assert response["Content-Type"] == "application/problem+json"
    found: dict[str, Any] = json.loads(response.content)
    assert found["status"] == response.status_code
    return found


def post_json(http: HttpClient, path: str, body: object, **headers: str) -> Any:
    return http.post(path, json.dumps(body), content_type="application/json", headers=headers)
