"""A wave closed as "not collected" with a reason, reopened or its reason corrected; measures
needing attention sorted by urgency, with long-missed waves folded away."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tandem.audit.models import Action, AuditEvent
from tandem.measures.models import (
    Administration,
    AdministrationChange,
    AdministrationChangeKind,
    AdministrationStatus,
    SelfReportLink,
)
from tandem.measures.selectors import by_urgency
from tandem.measures.services import issue_link
from tests.conftest import LoginAs, World
from tests.measures.factories import AdministrationFactory, due_rprs

pytestmark = pytest.mark.django_db


def _administration(world: World, client_attr: str = "own_client") -> Administration:
    return due_rprs(getattr(world, client_attr).episodes.get())


def _close(login_as: LoginAs, world: World, administration: Administration, reason: str) -> int:
    page = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/close/",
        {"reason": reason, "version": str(administration.version)},
    )
    status: int = page.status_code
    return status


def test_closing_a_wave_as_not_collected_keeps_the_reason_and_stops_its_link(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    issued = issue_link(
        actor=world.case_manager,
        administration=administration,
        channel="in_person",
        build_url=lambda token: token,
    )
    assert _close(login_as, world, administration, "Client in hospital all month") == 302
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.NOT_COLLECTED
    assert administration.closed_reason == "Client in hospital all month"
    assert administration.closed_by == world.case_manager
    assert SelfReportLink.objects.get(pk=issued.link.pk).cancelled_at is not None
    change = AdministrationChange.objects.get(administration=administration)
    assert change.kind == AdministrationChangeKind.CLOSED
    assert (change.status_before, change.status_after) == ("due", "not_collected")
    assert change.reason_after == "Client in hospital all month"
    assert AuditEvent.objects.filter(
        action=Action.CREATE,
        object_type="measures.administrationchange",
        object_id=str(change.pk),
    ).exists()


def test_closing_needs_a_reason(world: World, login_as: LoginAs) -> None:
    administration = _administration(world)
    assert _close(login_as, world, administration, "   ") == 400
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.DUE


def test_closing_a_wave_changed_meanwhile_is_refused(world: World, login_as: LoginAs) -> None:
    administration = _administration(world)
    Administration.objects.filter(pk=administration.pk).update(version=3)
    assert _close(login_as, world, administration, "No contact") == 409
    assert not AdministrationChange.objects.exists()


def test_a_completed_wave_cannot_be_closed(world: World, login_as: LoginAs) -> None:
    administration = _administration(world)
    Administration.objects.filter(pk=administration.pk).update(
        status=AdministrationStatus.COMPLETED
    )
    assert _close(login_as, world, administration, "No contact") == 400


def test_the_reason_of_a_closed_wave_can_be_corrected(world: World, login_as: LoginAs) -> None:
    administration = _administration(world)
    _close(login_as, world, administration, "Moved awy")
    administration.refresh_from_db()
    assert _close(login_as, world, administration, "Moved away") == 302
    change = AdministrationChange.objects.order_by("-pk").first()
    assert change is not None
    assert change.kind == AdministrationChangeKind.REASON_CORRECTED
    assert (change.reason_before, change.reason_after) == ("Moved awy", "Moved away")


def test_a_closed_wave_can_be_reopened_with_the_status_its_dates_give(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    _close(login_as, world, administration, "Mistake")
    administration.refresh_from_db()
    page = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/reopen/", {"version": str(administration.version)}
    )
    assert page.status_code == 302
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.DUE
    change = AdministrationChange.objects.order_by("-pk").first()
    assert change is not None
    assert change.kind == AdministrationChangeKind.REOPENED
    assert (change.status_before, change.status_after) == ("not_collected", "due")


def test_an_outsider_cannot_close_a_wave(world: World, login_as: LoginAs) -> None:
    administration = _administration(world, "other_team_client")
    assert _close(login_as, world, administration, "No contact") == 404
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.DUE


def test_the_page_of_a_closed_wave_shows_the_reason_and_offers_to_reopen(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    _close(login_as, world, administration, "Declined this time")
    html = login_as(world.case_manager).get(f"/measures/{administration.pk}/").content.decode()
    assert "Declined this time" in html
    assert f'action="/measures/{administration.pk}/reopen/"' in html
    assert "Create a link" not in html


# ---- by urgency ----------------------------------------------------------------------------------
def _row(world: World, status: str, due: date, wave: str) -> Administration:
    return AdministrationFactory.create(
        episode=world.own_client.episodes.get(), status=status, due_date=due, wave=wave
    )


def test_measures_needing_attention_are_sorted_overdue_then_due_then_recently_missed(
    world: World,
) -> None:
    today = timezone.localdate()
    due_later = _row(world, "due", today + timedelta(days=3), "a")
    due_soon = _row(world, "due", today, "b")
    overdue_1 = _row(world, "overdue", today - timedelta(days=1), "c")
    overdue_9 = _row(world, "overdue", today - timedelta(days=9), "d")
    missed = _row(world, "missed", today - timedelta(days=30), "e")
    old = _row(world, "missed", today - timedelta(days=200), "f")
    older = _row(world, "missed", today - timedelta(days=400), "g")
    attention = by_urgency(Administration.objects.all(), today=today)
    assert [a.pk for a in attention.current] == [
        overdue_9.pk,
        overdue_1.pk,
        due_soon.pk,
        due_later.pk,
        missed.pk,
    ]
    assert [a.pk for a in attention.old_missed] == [old.pk, older.pk]
    assert len(attention) == 7


def test_the_client_page_folds_long_missed_waves_under_a_count(
    world: World, login_as: LoginAs
) -> None:
    today = timezone.localdate()
    _row(world, "overdue", today - timedelta(days=2), "a")
    _row(world, "missed", today - timedelta(days=200), "b")
    _row(world, "missed", today - timedelta(days=300), "c")
    html = login_as(world.case_manager).get(f"/clients/{world.own_client.pk}/").content.decode()
    assert '<details class="old-missed">' in html
    assert "2 measures missed more than two months ago" in html
    assert html.index('status-overdue"') < html.index('<details class="old-missed">')


def test_the_worker_dashboard_lists_overdue_first_and_folds_long_missed_waves(
    world: World, login_as: LoginAs
) -> None:
    today = timezone.localdate()
    due = _row(world, "due", today, "a")
    overdue = _row(world, "overdue", today - timedelta(days=4), "b")
    _row(world, "missed", today - timedelta(days=200), "c")
    html = login_as(world.case_manager).get("/dashboard/").content.decode()
    assert html.index(f'data-administration="{overdue.pk}"') < html.index(
        f'data-administration="{due.pk}"'
    )
    assert "1 measure missed more than two months ago" in html


def test_a_stale_close_form_comes_back_with_the_current_version_and_the_reason(
    world: World, login_as: LoginAs
) -> None:
    administration = _administration(world)
    Administration.objects.filter(pk=administration.pk).update(version=3)
    page = login_as(world.case_manager).post(
        f"/measures/{administration.pk}/close/", {"reason": "No contact", "version": "1"}
    )
    html = page.content.decode()
    assert 'name="version" value="3"' in html
    assert "No contact</textarea>" in html


def test_the_nightly_refresh_leaves_a_wave_closed_as_not_collected_alone(
    world: World, login_as: LoginAs
) -> None:
    from tandem.measures.services import refresh_administration_statuses

    administration = _administration(world)
    _close(login_as, world, administration, "Declined")
    refresh_administration_statuses(today=timezone.localdate() + timedelta(days=60))
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.NOT_COLLECTED


def test_after_discharge_only_the_discharge_wave_can_be_reopened(
    world: World, login_as: LoginAs
) -> None:
    from django.core.exceptions import ValidationError

    from tandem.measures.services import reopen_administration

    administration = _administration(world)
    _close(login_as, world, administration, "Declined")
    episode = administration.episode
    episode.status = "closed"
    episode.end_date = timezone.localdate()
    episode.save(update_fields=["status", "end_date"])
    administration.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        reopen_administration(
            actor=world.case_manager,
            administration=administration,
            expected_version=administration.version,
        )
    assert raised.value.error_dict["__all__"][0].code == "episode_closed"
