"""Moving an alert along its steps through the API: the page's service, If-Match, audited."""

from __future__ import annotations

from typing import Any

from django.test import Client as HttpClient

from tandem.accounts.models import User
from tandem.alerts.models import Alert, AlertRule, AlertStatus, AlertStep
from tandem.audit.models import Action, AuditEvent
from tandem.clients.models import Client
from tests.api.helpers import api_client, post_json, problem, token_text
from tests.conftest import World


def _alert_on(client: Client, **fields: Any) -> Alert:
    episode = client.episodes.get()
    return Alert.objects.create(
        rule=AlertRule.NO_RECENT_CONTACT,
        team=episode.team,
        subject_key=f"episode:{episode.pk}",
        episode=episode,
        client=client,
        worker=episode.primary_case_manager,
        opened_on=episode.start_date,
        reason={"days_since_contact": 25},
        **fields,
    )


def _writer(user: User, scopes: str = "read:feedback,write:feedback") -> HttpClient:
    return api_client(token_text(user, scopes=scopes))


def _etag(http: HttpClient, alert: Alert) -> str:
    answer = http.get(f"/api/v1/alerts/{alert.pk}")
    assert answer.status_code == 200
    return str(answer["ETag"])


def _move(http: HttpClient, alert: Alert, body: dict[str, Any], **headers: str) -> Any:
    return post_json(http, f"/api/v1/alerts/{alert.pk}/steps", body, **headers)


def _unchanged(alert: Alert) -> bool:
    fresh = Alert.objects.get(pk=alert.pk)
    return (fresh.status, fresh.version, fresh.steps.count()) == (
        alert.status,
        alert.version,
        0,
    )


def test_alert_moves_on_with_its_etag_as_on_the_page(world: World) -> None:
    alert = _alert_on(world.own_client)
    http = _writer(world.case_manager)
    etag = _etag(http, alert)
    answer = _move(
        http, alert, {"status": "action_agreed", "note": "Call on Monday"}, **{"If-Match": etag}
    )
    assert answer.status_code == 200
    found = answer.json()
    assert (found["status"], found["version"]) == ("action_agreed", 2)
    assert [(step["status"], step["note"]) for step in found["steps"]] == [
        ("action_agreed", "Call on Monday")
    ]
    assert answer["ETag"] != etag
    assert answer["ETag"] == _etag(http, alert)
    step = AlertStep.objects.get(alert=alert)
    assert step.actor == world.case_manager
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="alerts.alert", object_id=str(alert.pk)
    ).exists()
    resolved = _move(http, alert, {"status": "resolved"}, **{"If-Match": answer["ETag"]})
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_at"] is not None


def test_a_move_without_if_match_is_refused_with_428(world: World) -> None:
    alert = _alert_on(world.own_client)
    found = problem(_move(_writer(world.case_manager), alert, {"status": "discussed"}))
    assert (found["status"], found["errors"][0]["field"]) == (428, "If-Match")
    assert _unchanged(alert)


def test_a_stale_etag_gets_412_and_changes_nothing(world: World) -> None:
    alert = _alert_on(world.own_client)
    http = _writer(world.case_manager)
    etag = _etag(http, alert)
    # Someone else moves it on the page meanwhile.
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.DISCUSSED, version=2)
    alert.refresh_from_db()
    found = problem(_move(http, alert, {"status": "resolved"}, **{"If-Match": etag}))
    assert (found["status"], found["type"]) == (412, "urn:tandem:problem:stale")
    assert _unchanged(alert)


def test_invalid_steps_name_their_field(world: World) -> None:
    alert = _alert_on(world.own_client, status=AlertStatus.ACTION_AGREED)
    http = _writer(world.case_manager)
    etag = _etag(http, alert)
    cases = [
        ({"status": "discussed"}, "status"),  # backward
        ({"status": "closed"}, "status"),  # not a step
        ({"status": "open"}, "status"),  # not a step one moves to
    ]
    for body, field in cases:
        found = problem(_move(http, alert, body, **{"If-Match": etag}))
        assert (found["status"], [e["field"] for e in found["errors"]]) == (422, [field]), body
    fresh = _alert_on(world.team_client)
    supervisor = _writer(world.supervisor)
    etag = _etag(supervisor, fresh)
    found = problem(_move(supervisor, fresh, {"status": "action_agreed"}, **{"If-Match": etag}))
    assert (found["status"], [e["field"] for e in found["errors"]]) == (422, ["note"])
    assert _unchanged(alert)
    assert _unchanged(fresh)


def test_moving_needs_the_write_scope(world: World) -> None:
    alert = _alert_on(world.own_client)
    http = _writer(world.case_manager, scopes="read:feedback")
    found = problem(_move(http, alert, {"status": "discussed"}, **{"If-Match": _etag(http, alert)}))
    assert (found["status"], found["type"]) == (403, "urn:tandem:problem:insufficient_scope")
    assert _unchanged(alert)


def test_those_who_see_but_may_not_act_are_refused(world: World) -> None:
    # An alert about a worker: the programme manager sees it but acts only on alerts on clients.
    alert = Alert.objects.create(
        rule=AlertRule.CASELOAD_ABOVE_TARGET,
        team=world.team,
        subject_key=f"worker:{world.case_manager.pk}",
        worker=world.case_manager,
        opened_on=world.own_client.episodes.get().start_date,
        reason={},
    )
    http = _writer(world.programme_manager)
    found = problem(_move(http, alert, {"status": "discussed"}, **{"If-Match": _etag(http, alert)}))
    assert found["status"] == 403
    assert _unchanged(alert)


def test_refusals_read_in_french(world: World) -> None:
    alert = _alert_on(world.own_client)
    http = _writer(world.case_manager)
    french = {"Accept-Language": "fr"}
    missing = problem(_move(http, alert, {"status": "discussed"}, **french))
    assert missing["status"] == 428
    assert missing["title"] != "The request is not valid."
    etag = _etag(http, alert)
    found = problem(_move(http, alert, {"status": "action_agreed"}, **{"If-Match": etag}, **french))
    assert found["errors"][0]["field"] == "note"
    assert found["errors"][0]["message"] != "Say what was agreed."
