"""Referral intake: entry, eligibility screen, decisions, waitlist order and assignment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.clients import services
from tandem.clients.models import (
    DeclineReason,
    EpisodeStatus,
    IntakePolicy,
    Referral,
    ReferralDecision,
    ReferralPriority,
    ReferralStatus,
)
from tandem.orgs.models import ProgrammeModel
from tests.clients.factories import ReferralFactory
from tests.conftest import LoginAs, World


def referral_post(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "programme": world.programme.pk,
        "received_on": timezone.localdate().isoformat(),
        "given_name": "Rowan",
        "family_name": "Testperson",
        "date_of_birth": "1990-04-01",
        "gender": "non_binary",
        "preferred_language": "fr",
        "phone": "514 555-0123",
        "email": "rowan@example.org",
        "reason": "Lost housing, needs help with applications.",
        "current_supports": "A friend from work.",
        "risks": "None known.",
        "consent_to_share": "on",
        "source": "hospital",
        "source_contact": "Discharge planner, 555-0100",
        "priority": "2",
    }
    data.update(overrides)
    return data


def test_supervisor_enters_a_referral(world: World, login_as: LoginAs) -> None:
    response = login_as(world.supervisor).post("/referrals/new/", referral_post(world))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.agency_id == world.agency.pk
    assert AuditEvent.objects.filter(object_type="clients.referral", action="create").exists()


def test_a_programme_required_field_left_empty_is_named_and_input_kept(
    world: World,
    login_as: LoginAs,
) -> None:
    IntakePolicy.objects.create(programme=world.programme, required_fields=["source_contact"])
    response = login_as(world.supervisor).post(
        "/referrals/new/", referral_post(world, source_contact="")
    )
    assert response.status_code == 200
    assert "source_contact" in response.context["form"].errors
    assert "Lost housing" in response.content.decode()
    assert not Referral.objects.exists()


def test_case_manager_may_not_enter_referrals(world: World, login_as: LoginAs) -> None:
    assert login_as(world.case_manager).get("/referrals/new/").status_code == 403


def test_short_term_screen_flags_substance_use_as_primary_need(world: World) -> None:
    world.programme.model = ProgrammeModel.STCM
    world.programme.save()
    referral = ReferralFactory.create(programme=world.programme, created_by=world.supervisor)
    services.screen_referral(
        actor=world.supervisor,
        referral=referral,
        answers={
            "navigation_need": True,
            "motivated": True,
            "has_supports": True,
            "substance_use_primary": True,
        },
        screened_on=timezone.localdate(),
    )
    assert referral.mismatch_codes == ["substance_use_primary"]


def test_declining_needs_a_reason_code(world: World) -> None:
    referral = ReferralFactory.create(programme=world.programme, created_by=world.supervisor)
    with pytest.raises(ValidationError) as raised:
        services.decide_referral(
            actor=world.supervisor,
            referral=referral,
            decision=ReferralDecision.DECLINE,
            decided_on=timezone.localdate(),
        )
    assert "decline_reason" in raised.value.message_dict


def test_declined_referrals_are_counted_by_reason(world: World, login_as: LoginAs) -> None:
    for _ in range(2):
        referral = ReferralFactory.create(programme=world.programme, created_by=world.supervisor)
        services.decide_referral(
            actor=world.supervisor,
            referral=referral,
            decision=ReferralDecision.DECLINE,
            decided_on=timezone.localdate(),
            decline_reason=DeclineReason.SUBSTANCE_USE_PRIMARY,
        )
    response = login_as(world.programme_manager).get("/referrals/")
    declines = response.context["declines"]
    assert [(d["decline_reason"], d["n"]) for d in declines] == [("substance_use_primary", 2)]


def test_waitlist_is_ordered_by_priority_then_date(world: World, login_as: LoginAs) -> None:
    today = timezone.localdate()
    old_routine = ReferralFactory.create(
        programme=world.programme,
        created_by=world.supervisor,
        status=ReferralStatus.WAITLISTED,
        priority=ReferralPriority.ROUTINE,
        received_on=today - timedelta(days=40),
    )
    new_urgent = ReferralFactory.create(
        programme=world.programme,
        created_by=world.supervisor,
        status=ReferralStatus.WAITLISTED,
        priority=ReferralPriority.URGENT,
        received_on=today - timedelta(days=2),
    )
    old_urgent = ReferralFactory.create(
        programme=world.programme,
        created_by=world.supervisor,
        status=ReferralStatus.WAITLISTED,
        priority=ReferralPriority.URGENT,
        received_on=today - timedelta(days=9),
    )
    rows = login_as(world.supervisor).get("/waitlist/").context["rows"]
    assert [r["referral"] for r in rows] == [old_urgent, new_urgent, old_routine]
    assert [r["days"] for r in rows] == [9, 2, 40]


def test_assigning_opens_an_episode_with_the_case_manager(world: World, login_as: LoginAs) -> None:
    referral = ReferralFactory.create(
        programme=world.programme, created_by=world.supervisor, status=ReferralStatus.WAITLISTED
    )
    response = login_as(world.supervisor).post(
        f"/referrals/{referral.pk}/",
        {
            "action": "assign",
            "assignee": f"{world.team.pk}:{world.case_manager.pk}",
            "start_date": timezone.localdate().isoformat(),
        },
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ASSIGNED
    assert referral.episode is not None
    assert referral.episode.primary_case_manager == world.case_manager
    assert referral.episode.status == EpisodeStatus.OPEN
    assert response["Location"] == f"/clients/{referral.client_id}/"


def test_supervisor_cannot_assign_into_another_team(world: World) -> None:
    referral = ReferralFactory.create(
        programme=world.programme, created_by=world.supervisor, status=ReferralStatus.WAITLISTED
    )
    with pytest.raises(PermissionDenied):
        services.assign_referral(
            actor=world.supervisor,
            referral=referral,
            team=world.other_team,
            case_manager=world.other_team_case_manager,
            start_date=timezone.localdate(),
        )


def test_waitlist_query_count_does_not_grow_with_referrals(world: World, login_as: LoginAs) -> None:
    http = login_as(world.supervisor)
    counts = []
    for n in (5, 200):
        ReferralFactory.create_batch(
            n,
            programme=world.programme,
            created_by=world.supervisor,
            status=ReferralStatus.WAITLISTED,
        )
        with CaptureQueriesContext(connection) as queries:
            response = http.get("/waitlist/")
        assert response.content.decode().count("/referrals/") >= n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_researcher_cannot_decide_a_referral(world: World, login_as: LoginAs) -> None:
    referral = ReferralFactory.create(programme=world.programme, created_by=world.supervisor)
    response = login_as(world.researcher).post(
        f"/referrals/{referral.pk}/", {"action": "decide", "decision": "waitlist", "priority": 3}
    )
    assert response.status_code == 403
    assert Referral.objects.get().status == ReferralStatus.RECEIVED
