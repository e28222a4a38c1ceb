"""Actions agreed in supervision: who does what by when, corrected, done, reopened or voided."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.audit.models import Action, AuditEvent
from tandem.practice.models import (
    AgreedAction,
    AgreedActionChangeKind,
    AgreedActionStatus,
    ClientPresentation,
)
from tandem.practice.supervision import services as supervision
from tests.conftest import LoginAs, World
from tests.factories import UserFactory
from tests.practice.supervision_setup import agreed, group_session, present


def audited(action: str, obj: AgreedAction) -> int:
    return AuditEvent.objects.filter(
        action=action, object_type="practice.agreedaction", object_id=str(obj.pk)
    ).count()


def test_presenting_a_client_records_the_agreed_action_owned_by_the_presenter(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    due = timezone.localdate() + timedelta(days=14)
    response = login_as(world.supervisor).post(
        f"/supervision/sessions/{session.pk}/",
        {
            "step": "present",
            "episode": world.own_client.episodes.get().pk,
            "suggestions": "Go with her to one rehearsal.",
            "agreed_action": "Phone the choir lead before Friday.",
            "action_due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    action = AgreedAction.objects.get()
    assert (action.client, action.owner, action.due_on) == (
        world.own_client,
        world.case_manager,
        due,
    )
    assert action.status == AgreedActionStatus.OPEN
    assert [c.kind for c in action.changes.all()] == [AgreedActionChangeKind.CREATED]
    assert audited(Action.CREATE, action) == 1


def test_an_agreed_action_without_a_due_date_keeps_the_form_and_saves_nothing(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    response = login_as(world.supervisor).post(
        f"/supervision/sessions/{session.pk}/",
        {
            "step": "present",
            "episode": world.own_client.episodes.get().pk,
            "suggestions": "Go with her to one rehearsal.",
            "agreed_action": "Phone the choir lead.",
        },
    )
    assert response.status_code == 200
    assert "action_due_on" in response.context["form"].errors
    assert "Phone the choir lead." in response.content.decode()
    assert not ClientPresentation.objects.exists()
    assert not AgreedAction.objects.exists()


def test_supervisor_agrees_another_action_for_a_presented_client(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    response = login_as(world.supervisor).post(
        f"/supervision/sessions/{session.pk}/",
        {
            "step": "agree",
            "client": world.own_client.pk,
            "text": "Ask about the bus pass",
            "owner": world.supervisor.pk,
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert AgreedAction.objects.get().owner == world.supervisor


def test_an_action_is_refused_for_a_client_not_presented_in_the_session(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    response = login_as(world.supervisor).post(
        f"/supervision/sessions/{session.pk}/",
        {
            "step": "agree",
            "client": world.team_client.pk,
            "text": "Ask about the bus pass",
            "owner": world.teammate.pk,
            "due_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert not AgreedAction.objects.exists()
    with pytest.raises(ValidationError) as refused:
        agreed(world, session, world.team_client)
    assert "client" in refused.value.message_dict


def test_the_owner_must_belong_to_the_team(world: World) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    with pytest.raises(ValidationError) as refused:
        agreed(world, session, world.own_client, owner=world.other_team_case_manager)
    assert "owner" in refused.value.message_dict


def test_an_action_cannot_be_due_before_its_session(world: World) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    with pytest.raises(ValidationError) as refused:
        agreed(world, session, world.own_client, due_in_days=-1)
    assert "due_on" in refused.value.message_dict


def test_only_a_supervisor_of_the_team_agrees_actions(world: World) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    with pytest.raises(PermissionDenied):
        supervision.agree_action(
            actor=world.case_manager,
            session=session,
            client=world.own_client,
            text="Call",
            owner=world.case_manager,
            due_on=timezone.localdate(),
        )


def test_a_correction_keeps_the_state_before_and_after(world: World, login_as: LoginAs) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    old_due = action.due_on
    new_due = old_due + timedelta(days=7)
    http = login_as(world.supervisor)
    response = http.post(
        f"/supervision/actions/{action.pk}/",
        {
            "step": "correct",
            "version": action.version,
            "text": action.text,
            "owner": world.teammate.pk,
            "due_on": new_due.isoformat(),
            "reason": "Her worker is on leave",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.due_on, action.version) == (world.teammate, new_due, 2)
    before, after = action.changes.order_by("pk")
    assert (before.owner, before.due_on) == (world.case_manager, old_due)
    assert (after.owner, after.due_on, after.reason) == (
        world.teammate,
        new_due,
        "Her worker is on leave",
    )
    assert audited(Action.UPDATE, action) == 1
    page = http.get(f"/supervision/actions/{action.pk}/").content.decode()
    assert "Her worker is on leave" in page
    assert "<del>" in page  # the value before the correction is shown struck through


def test_a_correction_on_a_stale_form_is_refused_and_keeps_the_typed_text(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    supervision.mark_agreed_action_done(
        actor=world.case_manager, action=action, expected_version=1, on=timezone.localdate()
    )
    response = login_as(world.supervisor).post(
        f"/supervision/actions/{action.pk}/",
        {
            "step": "correct",
            "version": 1,
            "text": "Call the choir lead and the landlord",
            "owner": world.case_manager.pk,
            "due_on": action.due_on.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert "Call the choir lead and the landlord" in response.content.decode()
    action.refresh_from_db()
    assert action.text == "Call the choir lead"
    # The form now carries the version read just now: saving again, on purpose, goes through.
    assert response.context["forms"]["correct"]["version"].value() == str(action.version)


def test_voiding_needs_a_reason_and_keeps_the_action_on_record(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    http = login_as(world.supervisor)
    url = f"/supervision/actions/{action.pk}/"
    refused = http.post(url, {"step": "void", "version": 1, "void_reason": ""})
    assert "void_reason" in refused.context["forms"]["void"].errors
    http.post(url, {"step": "void", "version": 1, "void_reason": "Entered for the wrong client"})
    action.refresh_from_db()
    assert action.status == AgreedActionStatus.VOIDED
    assert action.void_reason == "Entered for the wrong client"
    assert action.changes.last().kind == AgreedActionChangeKind.VOIDED  # type: ignore[union-attr]  # two rows exist
    with pytest.raises(ValidationError):
        supervision.correct_agreed_action(
            actor=world.supervisor,
            action=action,
            expected_version=action.version,
            text="x",
            owner=world.case_manager,
            due_on=action.due_on,
        )


def test_reopening_a_done_action_needs_a_reason(world: World, login_as: LoginAs) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    action = supervision.mark_agreed_action_done(
        actor=world.case_manager, action=action, expected_version=1, on=timezone.localdate()
    )
    http = login_as(world.supervisor)
    url = f"/supervision/actions/{action.pk}/"
    http.post(url, {"step": "reopen", "version": action.version, "reason": ""})
    action.refresh_from_db()
    assert action.status == AgreedActionStatus.DONE
    http.post(url, {"step": "reopen", "version": action.version, "reason": "Not reached yet"})
    action.refresh_from_db()
    assert (action.status, action.done_on) == (AgreedActionStatus.OPEN, None)


def test_the_owner_marks_their_action_done_from_the_caseload(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    response = login_as(world.case_manager).post(
        f"/supervision/actions/{action.pk}/done/", {"version": 1, "next": "/caseload/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/caseload/"
    action.refresh_from_db()
    assert (action.status, action.done_on) == (AgreedActionStatus.DONE, timezone.localdate())
    assert audited(Action.UPDATE, action) == 1


def test_marking_done_with_htmx_answers_the_row(world: World, login_as: LoginAs) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    response = login_as(world.case_manager).post(
        f"/supervision/actions/{action.pk}/done/",
        {"version": 1, "next": f"/clients/{world.own_client.pk}/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="agreed-action-{action.pk}"' in html
    assert "done on" in html
    assert "Mark done" not in html


def test_marking_done_twice_says_it_changed_and_stores_nothing_more(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    http = login_as(world.case_manager)
    url = f"/supervision/actions/{action.pk}/done/"
    http.post(url, {"version": 1, "next": "/caseload/"})
    stale = http.post(url, {"version": 1, "next": "/caseload/"}, follow=True)
    assert "changed by someone else" in stale.content.decode()
    assert action.changes.count() == 2


def test_another_case_manager_cannot_mark_the_action_done(world: World, login_as: LoginAs) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    response = login_as(world.teammate).post(
        f"/supervision/actions/{action.pk}/done/", {"version": 1}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == AgreedActionStatus.OPEN


def test_marking_done_never_sends_the_browser_to_another_site(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    response = login_as(world.case_manager).post(
        f"/supervision/actions/{action.pk}/done/",
        {"version": 1, "next": "https://elsewhere.example/"},
    )
    assert response["Location"] == "/caseload/"


def test_an_owner_who_no_longer_sees_the_client_cannot_close_the_action(world: World) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    outsider = UserFactory.create()
    action = AgreedAction.objects.create(
        session=session,
        client=world.own_client,
        text="Call",
        owner=outsider,
        due_on=timezone.localdate(),
        created_by=world.supervisor,
    )
    with pytest.raises(PermissionDenied):
        supervision.mark_agreed_action_done(
            actor=outsider, action=action, expected_version=1, on=timezone.localdate()
        )


def test_the_owner_reopens_an_action_marked_done_by_mistake(
    world: World, login_as: LoginAs
) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    http = login_as(world.case_manager)
    done = http.post(
        f"/supervision/actions/{action.pk}/done/",
        {"version": 1, "next": "/caseload/"},
        headers={"HX-Request": "true"},
    )
    assert f"/supervision/actions/{action.pk}/" in done.content.decode()  # the way back
    page = http.get(f"/supervision/actions/{action.pk}/")
    assert page.status_code == 200
    assert 'value="correct"' not in page.content.decode()  # correcting is the supervisor's
    http.post(
        f"/supervision/actions/{action.pk}/",
        {"step": "reopen", "version": 2, "reason": "Clicked the wrong row"},
    )
    action.refresh_from_db()
    assert action.status == AgreedActionStatus.OPEN


def test_the_owner_cannot_correct_or_void_the_action(world: World, login_as: LoginAs) -> None:
    session = group_session(world)
    present(world, session, world.own_client)
    action = agreed(world, session, world.own_client)
    http = login_as(world.case_manager)
    url = f"/supervision/actions/{action.pk}/"
    assert http.post(url, {"step": "void", "version": 1, "void_reason": "x"}).status_code == 403
    action.refresh_from_db()
    assert action.status == AgreedActionStatus.OPEN
