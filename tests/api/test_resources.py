"""The API's resources: scoped like the pages, 404 for every id out of reach, scored responses."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from tandem.alerts.models import Alert, AlertRule, AlertStatus, AlertStep
from tandem.api.models import IdempotentRequest
from tandem.api.scopes import scopes_allowed_for
from tandem.api.v1 import api
from tandem.clients.models import Client, Referral, ReferralStatus
from tandem.measures.models import (
    Administration,
    AdministrationStatus,
    EnteredVia,
    InstrumentWording,
    Invitation,
    InvitationChannel,
    InvitationKind,
    InvitationStatus,
    Response,
    SelfReportLink,
)
from tandem.measures.services import hash_token
from tandem.practice.models import Contact
from tests.api.helpers import api_client, post_json, problem, token_text
from tests.clients.factories import referral_in
from tests.conftest import FormClient, World
from tests.core.french import problems, typed_in_database
from tests.fidelity.factories import final_review
from tests.measures.factories import completed_response, due_rprs

RPRS_ITEMS = [f"q{n}" for n in range(1, 25)]


def _administration(client: Client, **fields: Any) -> Administration:
    return due_rprs(client.episodes.get(), **fields)


def test_case_manager_lists_only_their_own_clients(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    ids = {row["id"] for row in http.get("/api/v1/clients").json()["items"]}
    assert ids == {world.own_client.pk}


def test_supervisor_lists_the_teams_clients(world: World) -> None:
    http = api_client(token_text(world.supervisor))
    ids = {row["id"] for row in http.get("/api/v1/clients").json()["items"]}
    assert ids == {world.own_client.pk, world.team_client.pk}


def test_team_filter_narrows_and_never_widens(world: World) -> None:
    http = api_client(token_text(world.programme_manager))
    in_team = http.get(f"/api/v1/clients?team={world.other_team.pk}").json()["items"]
    assert {row["id"] for row in in_team} == {world.other_team_client.pk}
    elsewhere = http.get(f"/api/v1/clients?team={world.other_agency_team.pk}").json()["items"]
    assert elsewhere == []


def test_client_detail_and_episodes(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    detail = http.get(f"/api/v1/clients/{world.own_client.pk}").json()
    assert detail["family_name"] == world.own_client.family_name
    episodes = http.get(f"/api/v1/clients/{world.own_client.pk}/episodes").json()
    assert [row["id"] for row in episodes] == [world.own_client.episodes.get().pk]


def _contact_body(**fields: Any) -> dict[str, Any]:
    return {
        "occurred_on": str(timezone.localdate()),
        "minutes": 45,
        "mode": "community",
        "with_whom": "client",
        "note": "walk to the library",
    } | fields


def test_contact_logged_once_and_listed(world: World) -> None:
    http = api_client(token_text(world.case_manager, scopes="read:practice,write:practice"))
    path = f"/api/v1/clients/{world.own_client.pk}/contacts"
    made = post_json(http, path, _contact_body(), **{"Idempotency-Key": "c-1"})
    again = post_json(http, path, _contact_body(), **{"Idempotency-Key": "c-1"})
    assert made.status_code == again.status_code == 201
    assert Contact.objects.count() == 1
    contact = Contact.objects.get()
    assert (contact.worker, contact.minutes, contact.mode) == (world.case_manager, 45, "community")
    listed = http.get(path).json()
    assert [row["id"] for row in listed] == [contact.pk]
    assert listed[0] == json.loads(made.content)


def test_contact_with_an_unknown_mode_names_the_field(world: World) -> None:
    http = api_client(token_text(world.case_manager, scopes="read:practice,write:practice"))
    path = f"/api/v1/clients/{world.own_client.pk}/contacts"
    found = problem(post_json(http, path, _contact_body(mode="telepathy")))
    assert found["status"] == 422
    assert [error["field"] for error in found["errors"]] == ["mode"]
    assert not Contact.objects.exists()


def _alert_on(client: Client) -> Alert:
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
    )


def test_alerts_listed_as_on_the_alerts_page(world: World) -> None:
    own = _alert_on(world.own_client)
    _alert_on(world.team_client)
    AlertStep.objects.create(alert=own, status=AlertStatus.DISCUSSED, note="talked it over")
    http = api_client(token_text(world.case_manager, scopes="read:feedback"))
    listed = http.get("/api/v1/alerts").json()["items"]
    assert [row["id"] for row in listed] == [own.pk]
    detail = http.get(f"/api/v1/alerts/{own.pk}").json()
    assert [step["note"] for step in detail["steps"]] == ["talked it over"]
    assert http.get("/api/v1/alerts?status=resolved").json()["items"] == []
    assert problem(http.get("/api/v1/alerts?rule=gut_feeling"))["errors"][0]["field"] == "rule"
    supervisor = api_client(token_text(world.supervisor, scopes="read:feedback"))
    assert len(supervisor.get("/api/v1/alerts").json()["items"]) == 2


def _routes_for(client: Client) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every API route that takes an id, filled with this client's records."""
    administration = _administration(client)
    answered = _administration(client, wave="answered")
    response = completed_response(answered)
    alert = _alert_on(client)
    return [
        ("get", f"/api/v1/alerts/{alert.pk}", None),
        ("post", f"/api/v1/alerts/{alert.pk}/steps", {"status": "resolved"}),
        ("get", f"/api/v1/clients/{client.pk}", None),
        ("get", f"/api/v1/clients/{client.pk}/episodes", None),
        ("get", f"/api/v1/clients/{client.pk}/contacts", None),
        ("post", f"/api/v1/clients/{client.pk}/contacts", _contact_body()),
        ("get", f"/api/v1/administrations/{administration.pk}", None),
        ("get", f"/api/v1/administrations/{administration.pk}/invitations", None),
        ("post", f"/api/v1/administrations/{administration.pk}/close", {"reason": "gone"}),
        ("post", f"/api/v1/administrations/{administration.pk}/invitations", {"channel": "email"}),
        ("get", f"/api/v1/responses/{response.pk}", None),
        (
            "post",
            "/api/v1/responses",
            {"administration_id": administration.pk, "answers": dict.fromkeys(RPRS_ITEMS, 2)},
        ),
        (
            "post",
            "/api/v1/responses",
            {
                "episode_id": client.episodes.get().pk,
                "instrument_code": "rprs",
                "answers": dict.fromkeys(RPRS_ITEMS, 2),
            },
        ),
        (
            "post",
            "/api/v1/administrations",
            {
                "episode_id": client.episodes.get().pk,
                "instrument_code": "rprs",
                "due_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            },
        ),
    ]


@pytest.mark.parametrize("outsider", ["team_client", "other_team_client", "other_agency_client"])
def test_ids_out_of_reach_answer_404_on_every_route(world: World, outsider: str) -> None:
    """IDOR: another team's or agency's ids swapped into every route; none succeeds."""
    client: Client = getattr(world, outsider)
    routes = _routes_for(client)
    before = (
        Response.objects.count(),
        Contact.objects.count(),
        list(Administration.objects.values_list("status")),
        list(Alert.objects.values_list("status", "version")),
    )
    every_scope = ",".join(sorted(scopes_allowed_for(world.case_manager)))
    http = api_client(token_text(world.case_manager, scopes=every_scope))
    answers = {}
    for method, path, body in routes:
        if method == "get":
            response = http.get(path)
        else:
            response = post_json(http, path, body, **{"If-Match": '"any"'})
        answers[(method, path)] = (response.status_code, problem(response)["type"])
    assert set(answers.values()) == {(404, "urn:tandem:problem:not_found")}
    assert (
        Response.objects.count(),
        Contact.objects.count(),
        list(Administration.objects.values_list("status")),
        list(Alert.objects.values_list("status", "version")),
    ) == before


@pytest.mark.parametrize(
    ("role", "team"),
    [
        ("programme_manager", "other_agency_team"),
        ("supervisor", "other_team"),
        ("supervisor", "other_agency_team"),
        ("assessor", "other_agency_team"),
    ],
)
def test_another_teams_review_and_indicators_answer_404(world: World, role: str, team: str) -> None:
    """IDOR: another team's final review and indicators, for every role reading fidelity."""
    other = getattr(world, team)
    review = final_review(other)
    user = world.user(role)
    http = api_client(token_text(user, scopes=",".join(sorted(scopes_allowed_for(user)))))
    review_answer = http.get(f"/api/v1/fidelity/reviews/{review.pk}")
    assert (review_answer.status_code, problem(review_answer)["type"]) == (
        404,
        "urn:tandem:problem:not_found",
    )
    listed = http.get(f"/api/v1/fidelity/reviews?team={other.pk}").json()["items"]
    assert listed == []
    indicators = http.get(f"/api/v1/teams/{other.pk}/fidelity-indicators")
    assert indicators.status_code == (403 if role == "assessor" else 404)


def test_missing_ids_answer_exactly_as_hidden_ones(world: World) -> None:
    http = api_client(token_text(world.case_manager))
    missing = http.get("/api/v1/clients/999999")
    hidden = http.get(f"/api/v1/clients/{world.other_agency_client.pk}")
    assert (missing.status_code, missing.content) == (hidden.status_code, hidden.content)


def test_due_and_overdue_administrations(world: World) -> None:
    today = timezone.localdate()
    due = _administration(world.own_client, wave="due")
    overdue = _administration(
        world.own_client,
        wave="late",
        status=AdministrationStatus.OVERDUE,
        due_date=today - timedelta(days=10),
    )
    _administration(world.own_client, wave="done", status=AdministrationStatus.COMPLETED)
    _administration(world.team_client)
    http = api_client(token_text(world.case_manager))
    rows = http.get("/api/v1/administrations?status=due,overdue").json()["items"]
    assert [row["id"] for row in rows] == [overdue.pk, due.pk]
    found = problem(http.get("/api/v1/administrations?status=late"))
    assert found["errors"][0]["field"] == "status"


def test_invitation_log_tells_each_step_in_order(world: World) -> None:
    administration = _administration(world.own_client)
    now = timezone.now()
    answered = SelfReportLink.objects.create(
        administration=administration,
        token_hash=hash_token("first"),
        created_by=world.case_manager,
        expires_at=now + timedelta(days=14),
    )
    Invitation.objects.create(
        link=answered,
        kind=InvitationKind.LINK,
        channel=InvitationChannel.EMAIL,
        status=InvitationStatus.SENT,
        send_after=now - timedelta(days=5),
        sent_at=now - timedelta(days=5),
    )
    Invitation.objects.create(
        link=answered,
        kind=InvitationKind.REMINDER,
        channel=InvitationChannel.EMAIL,
        status=InvitationStatus.SENT,
        send_after=now - timedelta(days=2),
        sent_at=now - timedelta(days=2),
    )
    Invitation.objects.create(
        link=answered,
        kind=InvitationKind.REMINDER,
        channel=InvitationChannel.EMAIL,
        status=InvitationStatus.PENDING,
        send_after=now + timedelta(days=2),
    )
    draft = Response.objects.create(
        administration=administration,
        client=world.own_client,
        episode=administration.episode,
        instrument_code="rprs",
        instrument_version="1",
        entered_via=EnteredVia.SELF_REPORT_LINK,
    )
    Response.objects.filter(pk=draft.pk).update(created_at=now - timedelta(days=1))
    SelfReportLink.objects.filter(pk=answered.pk).update(response=draft, used_at=now)
    lapsed = SelfReportLink.objects.create(
        administration=administration,
        token_hash=hash_token("second"),
        created_by=world.case_manager,
        expires_at=now - timedelta(days=20),
    )
    http = api_client(token_text(world.case_manager))
    log = http.get(f"/api/v1/administrations/{administration.pk}/invitations").json()
    assert [(row["kind"], row["link_id"]) for row in log] == [
        ("expired", lapsed.pk),
        ("sent", answered.pk),
        ("reminded", answered.pk),
        ("opened", answered.pk),
        ("completed", answered.pk),
    ]


def test_invitation_by_email_is_sent_logged_and_never_returned(
    world: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    Client.objects.filter(pk=world.own_client.pk).update(email="client@example.org")
    administration = _administration(world.own_client)
    http = api_client(token_text(world.case_manager))
    path = f"/api/v1/administrations/{administration.pk}/invitations"
    with django_capture_on_commit_callbacks(execute=True):
        made = post_json(http, path, {"channel": "email"}, **{"Idempotency-Key": "invite-1"})
        again = post_json(http, path, {"channel": "email"}, **{"Idempotency-Key": "invite-1"})
    assert made.status_code == again.status_code == 201
    assert SelfReportLink.objects.filter(administration=administration).count() == 1
    assert len(mailoutbox) == 1
    link_path = next(word for word in mailoutbox[0].body.split() if "/r/" in word)
    token = link_path.rsplit("/r/", 1)[1].strip("/")
    assert token not in made.content.decode()
    assert token not in " ".join(IdempotentRequest.objects.values_list("body", flat=True))
    kinds = [row["kind"] for row in http.get(path).json()]
    assert kinds == ["sent"]
    shown = problem(post_json(http, path, {"channel": "in_person"}))
    assert shown["status"] == 422
    assert shown["errors"][0]["field"] == "channel"


def test_submitted_response_is_scored_and_read_back_equal(world: World) -> None:
    administration = _administration(world.own_client)
    answers = {item: 1 + (n % 4) for n, item in enumerate(RPRS_ITEMS)}
    total = sum(answers.values())
    http = api_client(token_text(world.case_manager))
    made = post_json(
        http, "/api/v1/responses", {"administration_id": administration.pk, "answers": answers}
    )
    assert made.status_code == 201
    body = json.loads(made.content)
    assert body["scores"]["total"] == pytest.approx(total)
    assert body["scores"]["total_0_100"] == pytest.approx((total - 24) / 72 * 100)
    read = http.get(f"/api/v1/responses/{body['id']}").json()
    assert read == body
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.COMPLETED


def test_instruments_carry_no_licensed_wording(world: World) -> None:
    InstrumentWording.objects.create(
        agency=world.agency,
        instrument_code="rprs",
        instrument_version="1",
        language="en",
        texts={"q1": "Licensed sentence one"},
    )
    http = api_client(token_text(world.case_manager))
    listed = http.get("/api/v1/instruments")
    detail = http.get("/api/v1/instruments/rprs").json()
    assert "Licensed sentence" not in listed.content.decode()
    assert detail["items"][0] == {
        "id": "q1",
        "label": "Item 1",
        "scale": "default",
        "reverse": False,
    }
    assert problem(http.get("/api/v1/instruments/nonesuch"))["status"] == 404


def test_schema_lists_every_route_and_is_for_signed_in_people(world: World) -> None:
    assert HttpClient().get("/api/v1/openapi.json").status_code == 302
    http = HttpClient()
    http.force_login(world.trainer)
    schema = http.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == set(api.get_openapi_schema()["paths"])
    assert "/api/v1/administrations/{pk}/invitations" in schema["paths"]


def test_token_pages_read_in_french(world: World) -> None:
    token_text(world.case_manager)
    typed = typed_in_database()
    for user, path in (
        (world.case_manager, "/account/tokens/"),
        (world.agency_admin, "/account/agency-tokens/"),
        (world.case_manager, "/api/docs/"),
    ):
        http = HttpClient()
        http.cookies["tandem_language"] = "fr"
        http.force_login(user)
        response = http.get(path)
        assert response.status_code == 200
        assert problems(response.content.decode(), typed=typed) == []
    http = FormClient()
    http.cookies["tandem_language"] = "fr"
    http.force_login(world.supervisor)
    made = http.post("/account/tokens/", {"name": "rapports", "scopes": ["read:clients"]})
    assert "tdm_" in made.content.decode()
    assert problems(made.content.decode(), typed=typed) == []


def test_referrals_and_waitlist_for_intake_roles_only(world: World) -> None:
    received = referral_in(world.programme)
    waiting = referral_in(world.programme)
    Referral.objects.filter(pk=waiting.pk).update(status=ReferralStatus.WAITLISTED)
    referral_in(world.other_agency_team.programme)
    http = api_client(token_text(world.supervisor, scopes="read:clients"))
    listed = http.get("/api/v1/referrals").json()["items"]
    assert {row["id"] for row in listed} == {received.pk, waiting.pk}
    waitlist = http.get("/api/v1/referrals?status=waitlisted&ordering=priority").json()["items"]
    assert [row["id"] for row in waitlist] == [waiting.pk]
    assert problem(http.get("/api/v1/referrals?status=lost"))["errors"][0]["field"] == "status"
    case_manager = api_client(token_text(world.case_manager, scopes="read:clients"))
    assert problem(case_manager.get("/api/v1/referrals"))["status"] == 403
