"""Correcting and voiding contacts, goals and steps: reasons, before and after, never deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.clients.corrections.services import RecordChangedError
from tandem.clients.models import ChangeKind, Episode, RecordChange
from tandem.dashboards.programme_flow import episodes_of
from tandem.fidelity.indicators.compute import compute_indicators
from tandem.fidelity.models import IndicatorValue
from tandem.practice import selectors, services
from tandem.practice.corrections import services as corrections
from tandem.practice.models import Contact, ContactMode, ContactWith, Goal, Step
from tandem.practice.services import PlanChangedError
from tests.conftest import LoginAs, World


def own_episode(world: World) -> Episode:
    return world.own_client.episodes.get()


def a_contact(world: World, **fields: object) -> Contact:
    values: dict[str, object] = {
        "occurred_on": timezone.localdate() - timedelta(days=1),
        "minutes": 30,
        "mode": ContactMode.COMMUNITY,
        "with_whom": ContactWith.CLIENT,
        "note": "Coffee at the market.",
    }
    values.update(fields)
    return services.record_contact(actor=world.case_manager, episode=own_episode(world), **values)  # type: ignore[arg-type]  # test values


def a_goal_with_a_step(world: World) -> tuple[Goal, Step]:
    goal = services.add_goal(
        actor=world.case_manager,
        episode=own_episode(world),
        expected_version=0,
        domain="vocational",
        own_words="A part-time job",
    )
    step = services.add_step(
        actor=world.case_manager,
        goal=goal,
        expected_version=1,
        action="Visit the job centre",
        responsible="Client",
        due_on=timezone.localdate() + timedelta(days=7),
    )
    return goal, step


def test_case_manager_corrects_a_contact_and_the_history_keeps_before_and_after(
    world: World, login_as: LoginAs
) -> None:
    contact = a_contact(world)
    response = login_as(world.case_manager).post(
        f"/contacts/{contact.pk}/edit/",
        {
            "action": "edit",
            "version": contact.version,
            "occurred_on": contact.occurred_on.isoformat(),
            "minutes": 50,
            "mode": ContactMode.PHONE,
            "with_whom": ContactWith.CLIENT,
            "note": contact.note,
            "reason": "It was a phone call, and longer.",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.minutes, contact.mode, contact.version) == (50, ContactMode.PHONE, 2)
    change = RecordChange.objects.get(object_type="practice.contact", object_id=contact.pk)
    assert change.kind == ChangeKind.EDIT
    assert change.client == world.own_client
    assert change.changes == [
        {"field": "minutes", "before": 30, "after": 50},
        {"field": "mode", "before": "community", "after": "phone"},
    ]
    assert AuditEvent.objects.filter(
        object_type="practice.contact", object_id=str(contact.pk), action="update"
    ).exists()


def test_a_voided_contact_stays_but_leaves_the_lists_and_counts(
    world: World, login_as: LoginAs
) -> None:
    kept = a_contact(world, note="Kept contact")
    wrong = a_contact(world, note="Wrong client contact")
    http = login_as(world.case_manager)
    response = http.post(
        f"/contacts/{wrong.pk}/edit/",
        {"action": "void", "version": wrong.version, "reason": "Entered for the wrong client."},
    )
    assert response.status_code == 302
    voided = Contact.all_objects.get(pk=wrong.pk)
    assert voided.voided_by == world.case_manager
    assert voided.void_reason == "Entered for the wrong client."
    assert voided.voided_at is not None
    assert list(Contact.objects.all()) == [kept]
    assert selectors.recent_contacts_for(world.case_manager, world.own_client) == [kept]
    figures = selectors.contact_figures_for_worker(world.case_manager, today=timezone.localdate())
    assert figures.contacts == 1
    page = http.get(f"/clients/{world.own_client.pk}/contacts/").content.decode()
    assert "Wrong client contact" not in page
    shown = http.get(f"/clients/{world.own_client.pk}/contacts/?voided=1").content.decode()
    assert "Entered for the wrong client." in shown
    assert RecordChange.objects.filter(kind=ChangeKind.VOID, object_id=wrong.pk).exists()


def test_voiding_needs_a_reason(world: World, login_as: LoginAs) -> None:
    contact = a_contact(world)
    response = login_as(world.case_manager).post(
        f"/contacts/{contact.pk}/edit/",
        {"action": "void", "version": contact.version, "reason": "  "},
    )
    assert response.status_code == 200
    assert "reason" in response.context["void_form"].errors
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_voided_contact_cannot_be_corrected(world: World) -> None:
    contact = a_contact(world)
    corrections.void_contact(
        actor=world.case_manager, contact=contact, expected_version=1, reason="Duplicate."
    )
    voided = Contact.all_objects.get(pk=contact.pk)
    with pytest.raises(ValidationError):
        corrections.correct_contact(
            actor=world.case_manager,
            contact=voided,
            expected_version=voided.version,
            reason="Late fix.",
            minutes=10,
        )


def test_a_concurrent_contact_correction_is_refused_and_the_input_kept(
    world: World, login_as: LoginAs
) -> None:
    contact = a_contact(world)
    corrections.correct_contact(
        actor=world.supervisor, contact=contact, expected_version=1, reason="Date.", minutes=40
    )
    response = login_as(world.case_manager).post(
        f"/contacts/{contact.pk}/edit/",
        {
            "action": "edit",
            "version": 1,
            "occurred_on": contact.occurred_on.isoformat(),
            "minutes": 25,
            "mode": ContactMode.OFFICE,
            "with_whom": ContactWith.CLIENT,
            "note": "My typed note",
            "reason": "Office, not community.",
        },
    )
    assert response.status_code == 200
    form = response.context["edit_form"]
    assert "changed by someone else" in str(form.non_field_errors())
    assert form.data["version"] == "2"
    assert "My typed note" in response.content.decode()
    contact.refresh_from_db()
    assert contact.minutes == 40


def test_someone_outside_the_team_cannot_void_a_contact(world: World) -> None:
    contact = a_contact(world)
    with pytest.raises(PermissionDenied):
        corrections.void_contact(
            actor=world.other_team_case_manager,
            contact=contact,
            expected_version=1,
            reason="Not mine.",
        )


def test_correcting_a_goal_claims_the_plan_version(world: World, login_as: LoginAs) -> None:
    goal, _step = a_goal_with_a_step(world)
    plan = goal.plan
    plan.refresh_from_db()
    response = login_as(world.case_manager).post(
        f"/goals/{goal.pk}/edit/",
        {
            "action": "edit",
            "version": plan.version,
            "domain": "vocational",
            "own_words": "A part-time job with animals",
            "reason": "Said more precisely.",
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.own_words == "A part-time job with animals"
    change = RecordChange.objects.get(object_type="practice.goal")
    assert change.changes == [
        {
            "field": "own_words",
            "before": "A part-time job",
            "after": "A part-time job with animals",
        }
    ]
    with pytest.raises(PlanChangedError):
        corrections.correct_goal(
            actor=world.case_manager,
            goal=goal,
            expected_version=plan.version,
            reason="Stale.",
            domain="health",
            own_words="Stale",
        )


def test_voiding_a_goal_voids_its_steps_and_they_leave_the_plan(
    world: World, login_as: LoginAs
) -> None:
    goal, step = a_goal_with_a_step(world)
    goal.plan.refresh_from_db()
    http = login_as(world.case_manager)
    response = http.post(
        f"/goals/{goal.pk}/edit/",
        {"action": "void", "version": goal.plan.version, "reason": "Goal of another client."},
    )
    assert response.status_code == 302
    assert Goal.all_objects.get(pk=goal.pk).is_voided
    assert Step.all_objects.get(pk=step.pk).is_voided
    plan = selectors.plan_for(world.case_manager, own_episode(world))
    assert plan is not None
    assert list(plan.goals.all()) == []
    page = http.get(f"/clients/{world.own_client.pk}/plan/").content.decode()
    assert "A part-time job" not in page
    shown = http.get(f"/clients/{world.own_client.pk}/plan/?voided=1").content.decode()
    assert "Goal of another client." in shown
    assert RecordChange.objects.filter(kind=ChangeKind.VOID).count() == 2


def test_correcting_a_step_keeps_before_and_after(world: World, login_as: LoginAs) -> None:
    goal, step = a_goal_with_a_step(world)
    goal.plan.refresh_from_db()
    new_due = step.due_on + timedelta(days=7)
    response = login_as(world.supervisor).post(
        f"/steps/{step.pk}/edit/",
        {
            "action": "edit",
            "version": goal.plan.version,
            "what": step.action,
            "responsible": "Client and case manager",
            "due_on": new_due.isoformat(),
            "resource": "",
            "reason": "Planned together.",
        },
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.responsible, step.due_on) == ("Client and case manager", new_due)
    change = RecordChange.objects.get(object_type="practice.step")
    assert change.changed_by == world.supervisor
    assert change.changes == [
        {"field": "responsible", "before": "Client", "after": "Client and case manager"},
        {
            "field": "due_on",
            "before": (new_due - timedelta(days=7)).isoformat(),
            "after": new_due.isoformat(),
        },
    ]


def test_a_voided_step_leaves_the_caseload_next_step(world: World) -> None:
    goal, step = a_goal_with_a_step(world)
    goal.plan.refresh_from_db()
    corrections.void_step(
        actor=world.case_manager,
        step=step,
        expected_version=goal.plan.version,
        reason="Duplicate step.",
    )
    assert selectors.next_steps_for([own_episode(world)]) == {}


def test_a_correction_that_changes_nothing_is_refused(world: World) -> None:
    contact = a_contact(world)
    with pytest.raises(ValidationError):
        corrections.correct_contact(
            actor=world.case_manager,
            contact=contact,
            expected_version=1,
            reason="Nothing.",
            minutes=contact.minutes,
        )


def test_a_stale_contact_void_is_refused(world: World) -> None:
    contact = a_contact(world)
    with pytest.raises(RecordChangedError):
        corrections.void_contact(
            actor=world.case_manager, contact=contact, expected_version=7, reason="Stale."
        )


def test_voided_contacts_leave_the_fidelity_indicators_and_the_programme_flow(
    world: World,
) -> None:
    kept = a_contact(world, occurred_on=timezone.localdate() - timedelta(days=3))
    wrong = a_contact(world, occurred_on=timezone.localdate() - timedelta(days=10))
    corrections.void_contact(
        actor=world.case_manager, contact=wrong, expected_version=1, reason="Wrong client."
    )
    today = timezone.localdate()
    compute_indicators(day=today, team_ids=[world.team.pk])
    row = IndicatorValue.objects.get(
        team=world.team, code="contacts_per_client_week", day=today, worker__isnull=True
    )
    assert row.numerator == 1
    episode = own_episode(world)
    flow = {
        e.pk: e.first_contact_on for e in episodes_of(world.programme, episode.start_date, today)
    }
    assert flow[episode.pk] == kept.occurred_on


def test_the_record_history_shows_contact_corrections_with_labels(
    world: World, login_as: LoginAs
) -> None:
    contact = a_contact(world)
    corrections.correct_contact(
        actor=world.case_manager,
        contact=contact,
        expected_version=1,
        reason="It was by phone.",
        mode=ContactMode.PHONE,
    )
    html = login_as(world.supervisor).get(f"/clients/{world.own_client.pk}/history/")
    text = html.content.decode()
    assert "It was by phone." in text
    assert str(ContactMode.COMMUNITY.label) in text
    assert str(ContactMode.PHONE.label) in text


def test_the_history_query_count_does_not_grow_with_changes(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.case_manager)
    counts = []
    for n in (2, 30):
        for _ in range(n):
            contact = a_contact(world)
            corrections.void_contact(
                actor=world.case_manager, contact=contact, expected_version=1, reason="Twice."
            )
        with CaptureQueriesContext(connection) as queries:
            response = http.get(f"/clients/{world.own_client.pk}/history/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
