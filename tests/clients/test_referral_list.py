"""The referral list: decided referrals stay findable by status, programme, dates and name."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.clients import services
from tandem.clients.models import DeclineReason, ReferralStatus
from tests.clients.factories import ReferralFactory
from tests.conftest import LoginAs, World


def test_a_declined_referral_is_found_by_its_status(world: World, login_as: LoginAs) -> None:
    declined = ReferralFactory.create(
        programme=world.programme,
        created_by=world.supervisor,
        status=ReferralStatus.DECLINED,
        decline_reason=DeclineReason.NOT_ELIGIBLE,
        family_name="Declinedperson",
    )
    waiting = ReferralFactory.create(programme=world.programme, created_by=world.supervisor)
    html = login_as(world.supervisor).get("/referrals/?status=declined").content.decode()
    assert declined.display_name in html
    assert waiting.display_name not in html


def test_received_dates_narrow_the_list(world: World, login_as: LoginAs) -> None:
    today = timezone.localdate()
    old = ReferralFactory.create(
        programme=world.programme,
        created_by=world.supervisor,
        received_on=today - timedelta(days=400),
    )
    recent = ReferralFactory.create(
        programme=world.programme, created_by=world.supervisor, received_on=today
    )
    since = (today - timedelta(days=30)).isoformat()
    html = login_as(world.supervisor).get(f"/referrals/?from={since}").content.decode()
    assert recent.display_name in html
    assert old.display_name not in html


def test_a_bad_filter_is_ignored_and_named(world: World, login_as: LoginAs) -> None:
    ReferralFactory.create(programme=world.programme, created_by=world.supervisor)
    response = login_as(world.supervisor).get("/referrals/?from=yesterday&status=nonsense")
    assert response.status_code == 200
    assert set(response.context["state"].errors) == {"from", "status"}
    assert len(response.context["rows"]) == 1


def test_the_search_is_posted_kept_in_the_session_and_never_in_the_url(
    world: World, login_as: LoginAs
) -> None:
    wanted = ReferralFactory.create(
        programme=world.programme, created_by=world.supervisor, family_name="Ouellette"
    )
    other = ReferralFactory.create(programme=world.programme, created_by=world.supervisor)
    http = login_as(world.supervisor)
    response = http.post("/referrals/?status=received", {"search": "  ouellette "})
    assert response.status_code == 302
    assert response["Location"] == "/referrals/?status=received"
    assert "ouellette" not in response["Location"].lower()
    html = http.get(response["Location"]).content.decode()
    assert wanted.display_name in html
    assert other.display_name not in html
    http.post("/referrals/", {"clear_search": "1"})
    assert other.display_name in http.get("/referrals/").content.decode()


def test_an_assigned_referral_stays_findable_with_its_client(
    world: World, login_as: LoginAs
) -> None:
    referral = ReferralFactory.create(
        programme=world.programme,
        created_by=world.supervisor,
        status=ReferralStatus.WAITLISTED,
        gender="woman",
        preferred_language="fr",
        email="person@example.org",
        phone="514 555-0123",
    )
    episode = services.assign_referral(
        actor=world.supervisor,
        referral=referral,
        team=world.team,
        case_manager=world.case_manager,
        start_date=timezone.localdate(),
    )
    client = episode.client
    assert (client.gender, client.preferred_language) == ("woman", "fr")
    assert (client.email, client.phone) == ("person@example.org", "514 555-0123")
    html = login_as(world.supervisor).get("/referrals/?status=assigned").content.decode()
    assert referral.display_name in html


def test_referral_list_query_count_does_not_grow_with_referrals(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.supervisor)
    counts = []
    for n in (3, 60):
        ReferralFactory.create_batch(n, programme=world.programme, created_by=world.supervisor)
        with CaptureQueriesContext(connection) as queries:
            response = http.get("/referrals/?sort=name")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
