"""The API's conventions: cursors, allowlists, problem details, If-Match, Idempotency-Key, rate."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone
from pytest_django import Settings

from tandem.api.conventions import IDEMPOTENCY_KEEP_HOURS
from tandem.api.models import IdempotentRequest
from tandem.clients.models import Client, Episode
from tandem.measures.models import Administration, AdministrationStatus, Response
from tests.api.helpers import api_client, post_json, problem, token_text
from tests.conftest import World
from tests.factories import EpisodeFactory
from tests.measures.factories import due_rprs

RPRS_ITEMS = [f"q{n}" for n in range(1, 25)]


def _caseload(world: World, extra: int) -> set[int]:
    for _ in range(extra):
        EpisodeFactory.create(team=world.team, primary_case_manager=world.case_manager)
    return set(
        Episode.objects.filter(primary_case_manager=world.case_manager).values_list(
            "client_id", flat=True
        )
    )


def _walk(http: HttpClient, path: str) -> list[int]:
    ids: list[int] = []
    url = path
    for _ in range(20):
        page = http.get(url).json()
        ids.extend(row["id"] for row in page["items"])
        if page["next_cursor"] is None:
            return ids
        url = f"{path}&cursor={page['next_cursor']}"
    raise AssertionError("the cursor never ended")


def test_cursor_pages_walk_every_visible_client_once_in_order(world: World) -> None:
    expected = _caseload(world, 6)
    http = api_client(token_text(world.case_manager))
    forwards = _walk(http, "/api/v1/clients?limit=2")
    assert forwards == sorted(expected)
    backwards = _walk(http, "/api/v1/clients?limit=3&ordering=-id")
    assert backwards == sorted(expected, reverse=True)


@pytest.mark.parametrize("ordering", ["family_name", "-family_name", "date_of_birth"])
def test_cursor_pages_by_a_field_with_ties_keep_every_row_once(world: World, ordering: str) -> None:
    expected = _caseload(world, 6)
    clients = list(Client.objects.filter(pk__in=expected))
    for number, client in enumerate(clients):
        # Three family names and two birthdays among seven clients: ties across page breaks.
        client.family_name = f"Name{number % 3}"
        client.date_of_birth = date(1970 + number % 2, 1, 1)
        client.save(update_fields=["family_name", "date_of_birth"])
    field = ordering.lstrip("-")
    descending = ordering.startswith("-")
    wanted = sorted(clients, key=lambda c: (getattr(c, field), c.pk), reverse=descending)
    http = api_client(token_text(world.case_manager))
    walked = _walk(http, f"/api/v1/clients?limit=2&ordering={ordering}")
    assert walked == [client.pk for client in wanted]


def test_cursor_survives_rows_added_between_pages(world: World) -> None:
    _caseload(world, 4)
    http = api_client(token_text(world.case_manager))
    first = http.get("/api/v1/clients?limit=2").json()
    seen = [row["id"] for row in first["items"]]
    newest = EpisodeFactory.create(team=world.team, primary_case_manager=world.case_manager)
    rest = _walk(http, f"/api/v1/clients?limit=2&cursor={first['next_cursor']}")
    assert set(seen).isdisjoint(rest)
    assert newest.client_id in rest


def test_tampered_cursor_is_a_400_naming_the_cursor(world: World) -> None:
    _caseload(world, 3)
    http = api_client(token_text(world.case_manager))
    cursor = http.get("/api/v1/clients?limit=1").json()["next_cursor"]
    found = problem(http.get(f"/api/v1/clients?limit=1&cursor={cursor[:-2]}xx"))
    assert found["status"] == 400
    assert found["errors"][0]["field"] == "cursor"


def test_a_cursor_of_another_ordering_is_refused(world: World) -> None:
    _caseload(world, 3)
    http = api_client(token_text(world.case_manager))
    cursor = http.get("/api/v1/clients?limit=1").json()["next_cursor"]
    response = http.get(f"/api/v1/clients?limit=1&ordering=-id&cursor={cursor}")
    assert problem(response)["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("parameter", ["name", "family_name", "search", "q"])
def test_unknown_filter_is_a_400_naming_it(world: World, parameter: str) -> None:
    http = api_client(token_text(world.case_manager))
    found = problem(http.get(f"/api/v1/clients?{parameter}=Family"))
    assert found["status"] == 400
    assert found["errors"] == [
        {"field": parameter, "message": found["detail"], "code": "unknown_parameter"}
    ]


def test_ordering_outside_the_allowlist_is_a_400(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    found = problem(http.get("/api/v1/clients?ordering=given_name"))
    assert found["errors"][0]["field"] == "ordering"
    assert found["errors"][0]["code"] == "unknown_ordering"


def test_limit_out_of_range_and_malformed_name_the_field(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    assert problem(http.get("/api/v1/clients?limit=0"))["errors"][0]["field"] == "limit"
    malformed = problem(http.get("/api/v1/clients?limit=many"))
    assert malformed["status"] == 422
    assert malformed["errors"][0]["field"] == "limit"


def test_malformed_body_is_a_422_naming_the_field(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    found = problem(post_json(http, "/api/v1/responses", {"answers": "all fours"}))
    assert found["status"] == 422
    assert [error["field"] for error in found["errors"]] == ["answers"]


def test_service_validation_names_the_item(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = api_client(token_text(world.case_manager))
    body = {"administration_id": administration.pk, "answers": {"q1": 9}}
    found = problem(post_json(http, "/api/v1/responses", body))
    assert found["status"] == 422
    assert "q1" in {error["field"] for error in found["errors"]}
    assert not Response.objects.exists()


# ---- If-Match ------------------------------------------------------------------------------------
def _close(http: HttpClient, administration: Administration, etag: str | None) -> object:
    headers = {"If-Match": etag} if etag else {}
    return post_json(
        http,
        f"/api/v1/administrations/{administration.pk}/close",
        {"reason": "client moved away"},
        **headers,
    )


def test_write_with_the_current_etag_succeeds_and_changes_the_etag(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = api_client(token_text(world.case_manager))
    etag = http.get(f"/api/v1/administrations/{administration.pk}")["ETag"]
    response = _close(http, administration, etag)
    assert response.status_code == 200  # type: ignore[attr-defined]  # a test response
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.NOT_COLLECTED
    assert response["ETag"] != etag  # type: ignore[index]  # a test response


def test_stale_if_match_gets_412_and_changes_nothing(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = api_client(token_text(world.case_manager))
    etag = http.get(f"/api/v1/administrations/{administration.pk}")["ETag"]
    Administration.objects.filter(pk=administration.pk).update(version=2)
    found = problem(_close(http, administration, etag))
    assert found["status"] == 412
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.DUE
    assert administration.closed_reason == ""


def test_write_without_if_match_gets_428(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = api_client(token_text(world.case_manager))
    found = problem(_close(http, administration, None))
    assert found["status"] == 428
    assert found["errors"][0]["field"] == "If-Match"


# ---- Idempotency-Key -----------------------------------------------------------------------------
def _answers(value: int = 3) -> dict[str, int]:
    return dict.fromkeys(RPRS_ITEMS, value)


def test_same_idempotency_key_twice_stores_one_response(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = api_client(token_text(world.case_manager))
    body = {"administration_id": administration.pk, "answers": _answers()}
    first = post_json(http, "/api/v1/responses", body, **{"Idempotency-Key": "k-1"})
    again = post_json(http, "/api/v1/responses", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert json.loads(again.content) == json.loads(first.content)
    assert Response.objects.count() == 1


def test_key_reused_for_another_request_is_refused(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = api_client(token_text(world.case_manager))
    body = {"administration_id": administration.pk, "answers": _answers()}
    post_json(http, "/api/v1/responses", body, **{"Idempotency-Key": "k-2"})
    other = {"administration_id": administration.pk, "answers": _answers(4)}
    found = problem(post_json(http, "/api/v1/responses", other, **{"Idempotency-Key": "k-2"}))
    assert found["status"] == 422
    assert found["errors"][0]["field"] == "Idempotency-Key"
    assert Response.objects.count() == 1


def test_a_refused_submission_releases_its_key(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    http = api_client(token_text(world.case_manager))
    bad = {"administration_id": administration.pk, "answers": {"q1": 9}}
    assert (
        post_json(http, "/api/v1/responses", bad, **{"Idempotency-Key": "k-3"}).status_code == 422
    )
    assert not IdempotentRequest.objects.exists()
    good = {"administration_id": administration.pk, "answers": _answers()}
    assert (
        post_json(http, "/api/v1/responses", good, **{"Idempotency-Key": "k-3"}).status_code == 201
    )


def test_the_same_key_of_another_token_is_another_request(world: World) -> None:
    episode = world.own_client.episodes.get()
    first, second = due_rprs(episode, wave="w1"), due_rprs(episode, wave="w2")
    for administration in (first, second):
        http = api_client(token_text(world.case_manager))
        body = {"administration_id": administration.pk, "answers": _answers()}
        assert (
            post_json(http, "/api/v1/responses", body, **{"Idempotency-Key": "same"}).status_code
            == 201
        )
    assert Response.objects.count() == 2


def test_stored_answers_are_removed_after_a_day(world: World) -> None:
    episode = world.own_client.episodes.get()
    first, second = due_rprs(episode, wave="w1"), due_rprs(episode, wave="w2")
    http = api_client(token_text(world.case_manager))
    body = {"administration_id": first.pk, "answers": _answers()}
    post_json(http, "/api/v1/responses", body, **{"Idempotency-Key": "old"})
    IdempotentRequest.objects.update(
        created_at=timezone.now() - timedelta(hours=IDEMPOTENCY_KEEP_HOURS, seconds=1)
    )
    body = {"administration_id": second.pk, "answers": _answers()}
    post_json(http, "/api/v1/responses", body, **{"Idempotency-Key": "new"})
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]


CONCURRENT_SUBMITS = 50


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_key_store_one_response(world: World) -> None:
    """On SQLite the file lock serialises the writers; on PostgreSQL the unique index does."""
    administration = due_rprs(world.own_client.episodes.get())
    text = token_text(world.case_manager)
    body = json.dumps({"administration_id": administration.pk, "answers": _answers()})
    start = threading.Barrier(CONCURRENT_SUBMITS)
    answers: list[int] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            http = api_client(text)
            start.wait()
            response = http.post(
                "/api/v1/responses",
                body,
                content_type="application/json",
                headers={"Idempotency-Key": "burst"},
            )
            answers.append(response.status_code)
        except BaseException as error:  # reported below, from the test's thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(CONCURRENT_SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Response.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1
    assert answers == [201] * CONCURRENT_SUBMITS


# ---- rate limit ----------------------------------------------------------------------------------
def test_token_past_its_rate_gets_429_with_retry_after(world: World, settings: Settings) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    cache.clear()
    http = api_client(token_text(world.case_manager))
    other = api_client(token_text(world.teammate))
    answers = [http.get("/api/v1/instruments").status_code for _ in range(3)]
    refused = http.get("/api/v1/instruments")
    assert answers == [200, 200, 200]
    assert problem(refused)["status"] == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert other.get("/api/v1/instruments").status_code == 200
