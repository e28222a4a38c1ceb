"""Scheduling one administration through the API: validated, audited, idempotent, scoped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tandem.audit.models import Action, AuditEvent
from tandem.clients.models import Client, EpisodeStatus
from tandem.measures.models import Administration, Invitation, InvitationStatus
from tests.api.helpers import api_client, post_json, problem, token_text
from tests.conftest import World
from tests.measures.factories import ScheduleFactory

PATH = "/api/v1/administrations"


@pytest.fixture(autouse=True)
def _programme_measures(world: World) -> None:
    ScheduleFactory.create(programme=world.programme, instrument_code="rprs")
    ScheduleFactory.create(programme=world.programme, instrument_code="mcas")


def _body(client: Client, **fields: Any) -> dict[str, Any]:
    return {
        "episode_id": client.episodes.get().pk,
        "instrument_code": "rprs",
        "due_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
    } | fields


def _field_error(response: Any) -> tuple[int, str, str]:
    found = problem(response)["errors"][0]
    return response.status_code, found["field"], found["code"]


def test_a_case_manager_schedules_one_administration(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    made = post_json(http, PATH, _body(world.own_client))
    assert made.status_code == 201
    body = made.json()
    row = Administration.objects.get(pk=body["id"])
    assert (row.instrument_code, row.wave, row.status) == ("rprs", "extra", "scheduled")
    assert row.due_date == timezone.localdate() + timedelta(days=10)
    assert made["Location"] == f"/api/v1/administrations/{row.pk}"
    assert made["ETag"] == http.get(made["Location"])["ETag"]
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="measures.administration", object_id=str(row.pk)
    ).exists()


def test_a_retried_schedule_stores_once(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    body = _body(world.own_client)
    first = post_json(http, PATH, body, **{"Idempotency-Key": "s-1"})
    again = post_json(http, PATH, body, **{"Idempotency-Key": "s-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Administration.objects.filter(wave="extra").count() == 1


def test_the_same_instrument_twice_on_one_day_names_the_date(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    assert post_json(http, PATH, _body(world.own_client)).status_code == 201
    assert _field_error(post_json(http, PATH, _body(world.own_client))) == (
        422,
        "due_date",
        "duplicate",
    )
    other_day = (timezone.localdate() + timedelta(days=11)).isoformat()
    assert post_json(http, PATH, _body(world.own_client, due_date=other_day)).status_code == 201


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"instrument_code": "nope"}, ("instrument_code", "unknown")),
        ({"instrument_code": "ors"}, ("instrument_code", "not_in_programme")),
        ({"due_date_days": -1}, ("due_date", "in_past")),
        ({"due_date_days": 400}, ("due_date", "too_far_ahead")),
        (
            {"instrument_code": "mcas", "send_invitation": True},
            ("send_invitation", "not_self_report"),
        ),
    ],
)
def test_each_rule_names_its_field(
    world: World, fields: dict[str, Any], expected: tuple[str, str]
) -> None:
    days = fields.pop("due_date_days", None)
    if days is not None:
        fields["due_date"] = (timezone.localdate() + timedelta(days=days)).isoformat()
    http = api_client(token_text(world.case_manager))
    answer = post_json(http, PATH, _body(world.own_client, **fields))
    assert _field_error(answer) == (422, *expected)
    assert not Administration.objects.filter(wave="extra").exists()


def test_a_date_before_the_episode_started_is_refused(world: World) -> None:
    episode = world.own_client.episodes.get()
    episode.start_date = timezone.localdate() + timedelta(days=20)
    episode.save(update_fields=["start_date"])
    http = api_client(token_text(world.case_manager))
    assert _field_error(post_json(http, PATH, _body(world.own_client))) == (
        422,
        "due_date",
        "before_episode",
    )


def test_a_closed_episode_takes_nothing_more(world: World) -> None:
    episode = world.own_client.episodes.get()
    episode.status = EpisodeStatus.CLOSED
    episode.end_date = timezone.localdate()
    episode.save(update_fields=["status", "end_date"])
    http = api_client(token_text(world.case_manager))
    assert _field_error(post_json(http, PATH, _body(world.own_client))) == (
        422,
        "episode_id",
        "closed",
    )


def test_a_missing_field_is_named(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    body = _body(world.own_client)
    del body["due_date"]
    assert problem(post_json(http, PATH, body))["errors"][0]["field"] == "due_date"


def test_the_invitation_goes_out_at_once_when_asked(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    Client.objects.filter(pk=world.own_client.pk).update(email="client@example.org")
    http = api_client(token_text(world.case_manager))
    with django_capture_on_commit_callbacks(execute=True):
        made = post_json(http, PATH, _body(world.own_client, send_invitation=True))
    assert made.status_code == 201
    invitation = Invitation.objects.get(link__administration_id=made.json()["id"], kind="link")
    assert invitation.status == InvitationStatus.SENT
    assert len(mailoutbox) == 1
    assert "/r/" in mailoutbox[0].body
    assert "/r/" not in made.content.decode()


def test_no_email_on_file_is_named(world: World) -> None:
    Client.objects.filter(pk=world.own_client.pk).update(email="")
    http = api_client(token_text(world.case_manager))
    answer = post_json(http, PATH, _body(world.own_client, send_invitation=True))
    assert _field_error(answer) == (422, "send_invitation", "no_email")


def test_a_read_only_token_cannot_schedule(world: World) -> None:
    http = api_client(token_text(world.case_manager, scopes="read:measures"))
    assert post_json(http, PATH, _body(world.own_client)).status_code == 403
    assert not Administration.objects.filter(wave="extra").exists()


@pytest.mark.parametrize("outsider", ["team_client", "other_team_client", "other_agency_client"])
def test_another_teams_episode_is_not_found(world: World, outsider: str) -> None:
    http = api_client(token_text(world.case_manager))
    answer = post_json(http, PATH, _body(getattr(world, outsider)))
    assert (answer.status_code, problem(answer)["type"]) == (404, "urn:tandem:problem:not_found")
    assert not Administration.objects.filter(wave="extra").exists()
