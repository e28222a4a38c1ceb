"""Schedules make administrations due; the nightly task moves their status and sends or stops
reminders; the caseload shows them with a constant number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from tandem.clients.models import DischargeReason
from tandem.clients.services import close_episode, open_episode
from tandem.measures.models import (
    Administration,
    AdministrationStatus,
    Invitation,
    InvitationKind,
    InvitationStatus,
    ScheduleRule,
)
from tandem.measures.services import (
    create_contact_administrations,
    issue_link,
    refresh_administration_statuses,
    send_due_reminders,
    submit_response,
)
from tandem.measures.tasks import nightly_measures
from tests.conftest import LoginAs, World
from tests.factories import ClientFactory, EpisodeFactory
from tests.measures.factories import ScheduleFactory, due_rprs

pytestmark = pytest.mark.django_db

ALL_TWOS = {f"q{i}": 2 for i in range(1, 25)}


def _open(world: World, start: date) -> Administration:
    client = ClientFactory.create(agency=world.agency)
    episode = open_episode(
        actor=world.supervisor,
        client=client,
        programme=world.programme,
        team=world.team,
        case_manager=world.case_manager,
        start_date=start,
    )
    return Administration.objects.filter(episode=episode).order_by("due_date").first()  # type: ignore[return-value]  # the episode has measures due


def test_opening_an_episode_creates_baseline_and_waves_every_four_and_a_half_months(
    world: World,
) -> None:
    ScheduleFactory.create(programme=world.programme)
    start = timezone.localdate()
    first = _open(world, start)
    waves = list(
        Administration.objects.filter(episode=first.episode).values_list("wave", "due_date")
    )
    assert [w for w, _d in waves] == ["baseline", "month 4.5", "month 9", "month 13.5", "month 18"]
    assert waves[1][1] == start + timedelta(days=137)
    assert first.status == AdministrationStatus.DUE
    assert Administration.objects.get(episode=first.episode, wave="month 9").status == "scheduled"


def test_intake_schedule_makes_one_administration_and_other_programmes_none(
    world: World,
) -> None:
    ScheduleFactory.create(programme=world.programme, rule=ScheduleRule.INTAKE)
    ScheduleFactory.create(programme=world.other_programme_team.programme, instrument_code="mcas")
    administration = _open(world, timezone.localdate())
    assert Administration.objects.filter(episode=administration.episode).count() == 1
    assert administration.wave == "intake"


def test_every_nth_contact_schedule(world: World) -> None:
    ScheduleFactory.create(
        programme=world.programme,
        rule=ScheduleRule.EVERY_NTH_CONTACT,
        every_n_contacts=3,
        instrument_code="srs",
    )
    episode = world.own_client.episodes.get()
    assert create_contact_administrations(actor=None, episode=episode, contact_count=2) == []
    (made,) = create_contact_administrations(actor=None, episode=episode, contact_count=3)
    assert made.wave == "contact 3"


def test_nightly_statuses_move_from_due_to_overdue_to_missed(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    due = administration.due_date
    refresh_administration_statuses(today=due + timedelta(days=1))
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.OVERDUE
    refresh_administration_statuses(today=due + timedelta(days=15))
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.MISSED


def test_completed_administrations_keep_their_status(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    submit_response(actor=world.case_manager, administration=administration, answers=ALL_TWOS)
    refresh_administration_statuses(today=administration.due_date + timedelta(days=30))
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.COMPLETED


def _link(world: World, administration: Administration, channel: str = "email") -> None:
    issue_link(
        actor=world.case_manager,
        administration=administration,
        channel=channel,
        build_url=lambda token: f"https://tandem.example/r/{token}/",
    )


def test_reminder_goes_out_when_due(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    world.own_client.email = "client@example.org"
    world.own_client.save()
    administration = due_rprs(world.own_client.episodes.get())
    with django_capture_on_commit_callbacks(execute=True):
        _link(world, administration)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=timezone.now() + timedelta(days=8)) == (1, 0)
    assert len(mail.outbox) == 2
    assert "/r/" not in mail.outbox[1].body  # a reminder never carries (or has) the token
    reminder = Invitation.objects.get(kind=InvitationKind.REMINDER)
    assert reminder.status == InvitationStatus.SENT


def test_reminders_stop_when_the_response_is_completed(world: World) -> None:
    administration = due_rprs(world.own_client.episodes.get())
    _link(world, administration, channel="in_person")
    submit_response(actor=world.case_manager, administration=administration, answers=ALL_TWOS)
    assert not Invitation.objects.filter(status=InvitationStatus.PENDING).exists()
    assert send_due_reminders(now=timezone.now() + timedelta(days=8)) == (0, 0)


def test_closing_the_episode_cancels_reminders_links_and_open_measures(world: World) -> None:
    episode = world.own_client.episodes.get()
    administration = due_rprs(episode)
    _link(world, administration, channel="in_person")
    close_episode(
        actor=world.case_manager,
        episode=episode,
        end_date=timezone.localdate(),
        reason=DischargeReason.GOALS_MET,
    )
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.CANCELLED
    assert not Invitation.objects.filter(status=InvitationStatus.PENDING).exists()
    assert administration.links.get().cancelled_at is not None


def test_discharge_schedule_makes_the_discharge_measure_due(world: World) -> None:
    ScheduleFactory.create(
        programme=world.programme, rule=ScheduleRule.DISCHARGE, instrument_code="mcas"
    )
    episode = world.own_client.episodes.get()
    close_episode(
        actor=world.case_manager,
        episode=episode,
        end_date=timezone.localdate(),
        reason=DischargeReason.GOALS_MET,
    )
    discharge = Administration.objects.get(episode=episode, wave="discharge")
    assert discharge.status == AdministrationStatus.DUE


def test_the_nightly_task_runs_both_steps(world: World) -> None:
    due_rprs(world.own_client.episodes.get(), due_date=timezone.localdate() - timedelta(days=2))
    result = nightly_measures.enqueue()
    assert result.return_value == {
        "statuses_changed": 1,
        "reminders_sent": 0,
        "reminders_cancelled": 0,
        "nightly_hooks_failed": 0,
    }


def test_caseload_shows_measures_with_constant_queries(world: World, login_as: LoginAs) -> None:
    http = login_as(world.case_manager)
    counts = []
    for n in (3, 60):
        for _ in range(n):
            episode = EpisodeFactory.create(
                team=world.team, primary_case_manager=world.case_manager
            )
            due_rprs(episode)
            due_rprs(
                episode,
                wave="month 4.5",
                due_date=timezone.localdate() - timedelta(days=3),
                status=AdministrationStatus.OVERDUE,
            )
        with CaptureQueriesContext(connection) as queries:
            html = http.get("/caseload/").content.decode()
        counts.append(len(queries))
    assert html.count("1 overdue") >= 63
    assert counts[0] == counts[1]


def test_schedule_needs_interval_and_span_for_waves() -> None:
    from django.core.exceptions import ValidationError

    schedule = ScheduleFactory.build(interval_months=None)
    with pytest.raises(ValidationError) as caught:
        schedule.clean()
    assert "interval_months" in caught.value.error_dict
    assert ScheduleFactory.build(
        interval_months=Decimal("6"), span_months=Decimal("12")
    ).wave_offsets_days() == [
        ("baseline", 0),
        ("month 6", 183),
        ("month 12", 365),
    ]


def test_schedule_must_name_a_registered_instrument() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        ScheduleFactory.build(instrument_code="no_such_scale").clean()
    assert caught.value.error_dict["instrument_code"][0].code == "unknown"


def test_agency_admin_adds_a_schedule_in_the_admin(world: World, login_as: LoginAs) -> None:
    from tandem.measures.models import Schedule

    response = login_as(world.agency_admin).post(
        "/admin/measures/schedule/add/",
        {
            "programme": world.programme.pk,
            "scope": "programme",
            "instrument_code": "rprs",
            "rule": "waves",
            "include_baseline": "on",
            "interval_months": "4.5",
            "span_months": "18",
            "window_before_days": "7",
            "window_after_days": "14",
            "reminder_after_days": "7",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Schedule.objects.get().programme == world.programme


def test_every_third_contact_logged_makes_a_measure_due(world: World) -> None:
    from tandem.practice.services import record_contact

    ScheduleFactory.create(
        programme=world.programme,
        rule=ScheduleRule.EVERY_NTH_CONTACT,
        every_n_contacts=3,
        instrument_code="srs",
    )
    episode = world.own_client.episodes.get()
    for _ in range(3):
        contact = record_contact(
            actor=world.case_manager,
            episode=episode,
            occurred_on=timezone.localdate(),
            minutes=30,
            mode=_first_choice(contact_mode=True),
            with_whom=_first_choice(contact_mode=False),
        )
    assert contact.pk
    assert list(Administration.objects.filter(episode=episode).values_list("wave", flat=True)) == [
        "contact 3"
    ]


def _first_choice(*, contact_mode: bool) -> str:
    from tandem.practice.models import Contact

    field = Contact._meta.get_field("mode" if contact_mode else "with_whom")
    return str(field.choices[0][0])  # type: ignore[index, union-attr]  # both are choice fields


def test_caseload_shows_a_reminder_to_pass_on_until_the_link_expires(world: World) -> None:
    from tandem.measures.models import SelfReportLink
    from tandem.measures.selectors import measure_status_by_episode

    episode = world.own_client.episodes.get()
    _link(world, due_rprs(episode), channel="in_person")
    send_due_reminders(now=timezone.now() + timedelta(days=8))
    assert measure_status_by_episode([episode.pk])[episode.pk]["reminders"] == 1
    SelfReportLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "reminders" not in measure_status_by_episode([episode.pk]).get(episode.pk, {})
