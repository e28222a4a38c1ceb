"""Programme managers and agency administrators add, change and deactivate schedules."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.clients import services as client_services
from tandem.measures.models import Administration, Schedule, ScheduleRule
from tandem.measures.services import schedule_settings
from tandem.orgs.models import ConfigurationChange, ConfigurationKind
from tandem.orgs.services import configuration_fingerprint
from tests.conftest import LoginAs, World
from tests.factories import AgencyFactory, ClientFactory, MembershipFactory, UserFactory
from tests.measures.factories import ScheduleFactory

START = date(2026, 3, 2)


def new_url(world: World) -> str:
    return reverse("measures:schedule_new", args=[world.programme.pk])


def waves(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "instrument_code": "qoli20",
        "rule": "waves",
        "include_baseline": "on",
        "interval_months": "9",
        "interval_days": "",
        "span_months": "18",
        "every_n_contacts": "",
        "window_before_days": "7",
        "window_after_days": "14",
        "reminder_after_days": "7",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def open_episode(world: World) -> list[tuple[str, date]]:
    episode = client_services.open_episode(
        actor=world.programme_manager,
        client=ClientFactory.create(agency=world.agency),
        programme=world.programme,
        team=world.team,
        case_manager=world.case_manager,
        start_date=START,
    )
    return list(
        Administration.objects.filter(episode=episode)
        .order_by("due_date")
        .values_list("wave", "due_date")
    )


def test_a_programme_manager_adds_a_schedule_and_new_episodes_get_its_waves(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.programme_manager).post(new_url(world), waves())

    assert response.status_code == 302
    schedule = Schedule.objects.get(programme=world.programme, instrument_code="qoli20")
    assert schedule.wave_offsets_days() == [("baseline", 0), ("month 9", 274), ("month 18", 548)]
    assert open_episode(world) == [
        ("baseline", START),
        ("month 9", START + timedelta(days=274)),
        ("month 18", START + timedelta(days=548)),
    ]


def test_adding_a_schedule_is_kept_in_the_history_and_audited(
    world: World, login_as: LoginAs
) -> None:
    login_as(world.agency_admin).post(new_url(world), waves())

    schedule = Schedule.objects.get(programme=world.programme)
    change = ConfigurationChange.objects.get(programme=world.programme)
    assert (change.kind, change.changed_by, change.before) == (
        ConfigurationKind.SCHEDULE_ADDED,
        world.agency_admin,
        {},
    )
    assert change.after["instrument_code"] == "qoli20"
    assert change.after["interval_months"] == "9"
    assert AuditEvent.objects.filter(
        object_type="measures.schedule", object_id=str(schedule.pk), actor_id=world.agency_admin.pk
    ).exists()


def test_waves_every_n_days_count_from_the_episode_start(world: World, login_as: LoginAs) -> None:
    login_as(world.programme_manager).post(
        new_url(world), waves(interval_months="", interval_days="30", span_months="2")
    )

    # Two months are 61 days: waves on days 30 and 60.
    assert open_episode(world) == [
        ("baseline", START),
        ("day 30", START + timedelta(days=30)),
        ("day 60", START + timedelta(days=60)),
    ]


def test_an_intake_and_a_discharge_schedule_need_no_interval(
    world: World, login_as: LoginAs
) -> None:
    client = login_as(world.programme_manager)
    for rule in ("intake", "discharge"):
        response = client.post(
            new_url(world),
            waves(instrument_code="cansas", rule=rule, interval_months="", span_months=""),
        )
        assert response.status_code == 302

    assert sorted(Schedule.objects.values_list("rule", flat=True)) == ["discharge", "intake"]
    assert open_episode(world) == [("intake", START)]


def test_waves_without_an_interval_are_refused_naming_the_field(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.programme_manager).post(new_url(world), waves(interval_months=""))

    assert response.status_code == 400
    assert response.context["form"].has_error("interval_months", "no_interval")
    assert response.context["form"]["span_months"].value() == "18"
    assert not Schedule.objects.exists()


def test_an_interval_in_months_and_in_days_at_once_is_refused(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.programme_manager).post(new_url(world), waves(interval_days="30"))

    assert response.status_code == 400
    assert response.context["form"].has_error("interval_days", "two_intervals")


def test_a_change_keeps_only_the_changed_settings_with_the_reason(
    world: World, login_as: LoginAs
) -> None:
    schedule = ScheduleFactory.create(programme=world.programme)
    url = reverse("measures:schedule_edit", args=[schedule.pk])
    form = login_as(world.programme_manager).get(url).context["form"]

    response = login_as(world.programme_manager).post(
        url,
        waves(
            instrument_code="rprs",
            interval_months="4.5",
            window_after_days="21",
            fingerprint=form["fingerprint"].value(),
            reason="Longer window for phone interviews",
        ),
    )

    assert response.status_code == 302
    change = ConfigurationChange.objects.get(kind=ConfigurationKind.SCHEDULE_CHANGED)
    assert (change.before, change.after) == ({"window_after_days": 14}, {"window_after_days": 21})
    assert change.reason == "Longer window for phone interviews"


def test_a_change_made_meanwhile_by_someone_else_is_detected_and_the_input_kept(
    world: World, login_as: LoginAs
) -> None:
    schedule = ScheduleFactory.create(programme=world.programme)
    stale = configuration_fingerprint(schedule_settings(schedule))
    Schedule.objects.filter(pk=schedule.pk).update(window_before_days=3)

    response = login_as(world.programme_manager).post(
        reverse("measures:schedule_edit", args=[schedule.pk]),
        waves(
            instrument_code="rprs", interval_months="4.5", window_after_days="30", fingerprint=stale
        ),
    )

    assert response.status_code == 409
    assert response.context["form"]["window_after_days"].value() == "30"
    schedule.refresh_from_db()
    assert (schedule.window_before_days, schedule.window_after_days) == (3, 14)


def test_deactivating_needs_a_reason_and_stops_new_waves(world: World, login_as: LoginAs) -> None:
    schedule = ScheduleFactory.create(programme=world.programme)
    url = reverse("measures:schedule_active", args=[schedule.pk])
    client = login_as(world.programme_manager)

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert refused.context["form"].has_error("reason")

    assert client.post(url, {"reason": "Replaced by the WAI-SR"}).status_code == 302
    schedule.refresh_from_db()
    assert schedule.is_active is False
    change = ConfigurationChange.objects.get(kind=ConfigurationKind.SCHEDULE_DEACTIVATED)
    assert (change.before, change.after, change.reason) == (
        {"is_active": True},
        {"is_active": False},
        "Replaced by the WAI-SR",
    )
    assert open_episode(world) == []


def test_a_deactivated_schedule_can_be_reactivated(world: World, login_as: LoginAs) -> None:
    schedule = ScheduleFactory.create(programme=world.programme, is_active=False)

    response = login_as(world.programme_manager).post(
        reverse("measures:schedule_active", args=[schedule.pk]), {"reason": ""}
    )

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.is_active is True


def test_another_agencys_administrator_cannot_reach_the_schedule(
    world: World, login_as: LoginAs
) -> None:
    schedule = ScheduleFactory.create(programme=world.programme)
    other = AgencyFactory.create()
    admin = UserFactory.create(agency=other, is_staff=True)
    MembershipFactory.create(user=admin, role="agency_admin", agency=other)

    response = login_as(admin).post(
        reverse("measures:schedule_active", args=[schedule.pk]), {"reason": "x"}
    )

    assert response.status_code == 404
    schedule.refresh_from_db()
    assert schedule.is_active is True


def test_a_supervisor_cannot_add_a_schedule(world: World, login_as: LoginAs) -> None:
    response = login_as(world.supervisor).post(new_url(world), waves())

    assert response.status_code == 403
    assert not Schedule.objects.filter(rule=ScheduleRule.WAVES).exists()


def test_settings_the_rule_does_not_use_are_cleared(world: World, login_as: LoginAs) -> None:
    login_as(world.programme_manager).post(
        new_url(world), waves(instrument_code="mcas", rule="intake", every_n_contacts="3")
    )

    schedule = Schedule.objects.get(programme=world.programme)
    assert (schedule.interval_months, schedule.span_months, schedule.every_n_contacts) == (
        None,
        None,
        None,
    )
