"""Projects and members: who starts one, who is in it, and who sees nothing of it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.qualitative.models import (
    ChangeKind,
    Project,
    ProjectChange,
    ProjectMember,
    ProjectRole,
)
from tandem.qualitative.services import projects as services
from tandem.qualitative.services.common import RecordChangedError
from tests.access.test_url_matrix import all_routes
from tests.conftest import LoginAs, World
from tests.qualitative.access import qualitative_path
from tests.qualitative.factories import ProjectSet, agency_person, open_member_check, project_with


@pytest.mark.parametrize("role", ["researcher", "agency_admin", "programme_manager"])
def test_creators_start_a_project_and_lead_it(world: World, role: str) -> None:
    actor = getattr(world, role)
    project = services.create_project(actor=actor, agency=world.agency, title="Focus groups")
    member = ProjectMember.objects.get(project=project)
    assert (member.user, member.role, member.is_active) == (actor, ProjectRole.LEAD, True)
    assert AuditEvent.objects.filter(
        actor_id=actor.pk, action=Action.CREATE, object_type="qualitative.project"
    ).exists()


@pytest.mark.parametrize("role", ["case_manager", "supervisor", "assessor", "trainer"])
def test_other_roles_cannot_start_a_project(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.create_project(actor=getattr(world, role), agency=world.agency, title="X")


def test_no_one_starts_a_project_in_another_agency(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.create_project(actor=world.researcher, agency=world.other_agency, title="X")


def test_a_linked_project_is_led_by_its_opener_in_an_agency_they_work_in(world: World) -> None:
    """Another module (a training cohort) checked the right; here only the agency is checked."""
    project = services.create_linked_project(
        actor=world.trainer, agency=world.agency, title="Interviews"
    )
    member = ProjectMember.objects.get(project=project)
    assert (member.user, member.role) == (world.trainer, ProjectRole.LEAD)
    assert AuditEvent.objects.filter(
        actor_id=world.trainer.pk, action=Action.CREATE, object_type="qualitative.project"
    ).exists()
    with pytest.raises(PermissionDenied):
        services.create_linked_project(
            actor=world.trainer, agency=world.other_agency, title="Interviews"
        )


def test_the_new_project_page_starts_a_project(world: World, login_as: LoginAs) -> None:
    response = login_as(world.researcher).post(
        reverse("qualitative:project_new"),
        {"agency": str(world.agency.pk), "title": "Interviews", "description": ""},
    )
    project = Project.objects.get(title="Interviews")
    assert response.status_code == 302
    assert response["Location"] == reverse("qualitative:project_detail", args=[project.pk])


def test_a_lead_adds_a_person_of_the_agency(world: World, qual: ProjectSet) -> None:
    services.add_member(
        actor=world.researcher, project=qual.project, user=world.case_manager, role="coder"
    )
    assert qual.project.members.get(user=world.case_manager).role == ProjectRole.CODER


def test_a_person_of_another_agency_cannot_be_added(world: World, qual: ProjectSet) -> None:
    with pytest.raises(ValidationError) as refused:
        services.add_member(
            actor=world.researcher,
            project=qual.project,
            user=world.other_agency_case_manager,
            role="viewer",
        )
    assert set(refused.value.message_dict) == {"user"}


def test_only_leads_manage_members(world: World, qual: ProjectSet) -> None:
    with pytest.raises(PermissionDenied):
        services.add_member(
            actor=world.trainer, project=qual.project, user=world.case_manager, role="viewer"
        )


def test_the_last_lead_cannot_step_down(world: World, qual: ProjectSet) -> None:
    with pytest.raises(ValidationError) as refused:
        services.change_member(
            actor=world.researcher,
            member=qual.member,
            expected_version=qual.member.version,
            role="viewer",
            is_active=True,
            reason="Leaving",
        )
    assert set(refused.value.message_dict) == {"role"}


def test_a_removed_member_no_longer_sees_the_project(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    coder = qual.project.members.get(user=world.trainer)
    services.change_member(
        actor=world.researcher,
        member=coder,
        expected_version=coder.version,
        role=coder.role,
        is_active=False,
        reason="Left the team",
    )
    change = ProjectChange.objects.get(object_type="qualitative.projectmember")
    assert (change.kind, change.reason) == (ChangeKind.VOID, "Left the team")
    response = login_as(world.trainer).get(
        reverse("qualitative:project_detail", args=[qual.project.pk])
    )
    assert response.status_code == 404


def project_urls(found: ProjectSet) -> list[tuple[str, str]]:
    objects = {"qualitative": {**vars(found), "check": open_member_check(found)}}
    return [
        (key, path)
        for key, route in all_routes()
        if key.startswith("qualitative:")
        and "<int:pk>" in route
        and (path := qualitative_path(key, "/" + route, objects)) is not None
    ]


POST_ONLY = {"qualitative:code_reorder", "qualitative:coding_add", "qualitative:coding_remove"}


@pytest.mark.parametrize("outsider", ["case_manager", "agency_admin", "other_agency"])
def test_a_non_member_gets_404_on_every_project_url_each_refusal_audited(
    world: World, qual: ProjectSet, outsider: str
) -> None:
    user = (
        world.other_agency_case_manager if outsider == "other_agency" else getattr(world, outsider)
    )
    http = HttpClient()
    http.force_login(user)
    answers = {}
    for key, path in project_urls(qual):
        before = AuditEvent.objects.filter(actor_id=user.pk, outcome=Outcome.DENIED).count()
        response = http.post(path, {}) if key in POST_ONLY else http.get(path)
        denied = AuditEvent.objects.filter(actor_id=user.pk, outcome=Outcome.DENIED).count()
        answers[key] = (response.status_code, denied - before)
    # A POST-only route refuses a GET before looking anything up; posted without a form token,
    # it is refused for the token: its 404 is checked with a token below.
    expected = {key: (404, 1) for key, _path in project_urls(qual)}
    for key in POST_ONLY:
        expected[key] = answers[key]
    assert answers == expected
    assert len(expected) >= 25


def test_a_non_member_posting_a_reorder_gets_404(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    response = login_as(world.case_manager).post(
        reverse("qualitative:code_reorder", args=[qual.project.pk, qual.code.pk]),
        {"direction": "down"},
    )
    assert response.status_code == 404


def test_a_project_of_another_agency_is_a_404_even_for_its_role_holders(
    world: World, login_as: LoginAs
) -> None:
    # The researcher is a member on paper, but works in agency A only: nothing crosses agencies.
    elsewhere = project_with(world.other_agency, members={world.researcher: ProjectRole.LEAD})
    response = login_as(world.researcher).get(
        reverse("qualitative:project_detail", args=[elsewhere.project.pk])
    )
    assert response.status_code == 404


def test_a_stale_edit_is_refused_with_409_and_the_input_kept(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    services.update_project(
        actor=world.researcher,
        project=qual.project,
        expected_version=qual.project.version,
        reason="Clearer",
        title="Alliance interviews 2026",
        description="",
    )
    response = login_as(world.researcher).post(
        reverse("qualitative:project_edit", args=[qual.project.pk]),
        {
            "action": "edit",
            "version": str(qual.project.version),
            "title": "My title",
            "description": "",
            "reason": "Mine",
        },
    )
    assert response.status_code == 409
    assert "My title" in response.content.decode()
    assert Project.objects.get(pk=qual.project.pk).title == "Alliance interviews 2026"


def test_the_service_refuses_a_stale_version(world: World, qual: ProjectSet) -> None:
    with pytest.raises(RecordChangedError):
        services.update_project(
            actor=world.researcher,
            project=qual.project,
            expected_version=qual.project.version + 1,
            reason="Late",
            title="Late",
            description="",
        )


def test_a_correction_keeps_its_reason_and_the_former_value(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    services.update_project(
        actor=world.researcher,
        project=qual.project,
        expected_version=qual.project.version,
        reason="The study was renamed",
        title="Working alliance study",
        description="",
    )
    change = ProjectChange.objects.get(project=qual.project)
    assert change.reason == "The study was renamed"
    assert change.changes == [
        {"field": "title", "before": "Alliance interviews", "after": "Working alliance study"}
    ]
    page = login_as(world.assessor).get(
        reverse("qualitative:project_history", args=[qual.project.pk])
    )
    assert "The study was renamed" in page.content.decode()


def test_an_archived_project_refuses_changes(world: World, qual: ProjectSet) -> None:
    services.set_project_archived(
        actor=world.researcher,
        project=qual.project,
        expected_version=qual.project.version,
        archived=True,
        reason="Study closed",
    )
    with pytest.raises(ValidationError):
        services.add_member(
            actor=world.researcher, project=qual.project, user=world.case_manager, role="viewer"
        )


def test_the_menu_offers_qualitative_to_members_and_creators_only(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    url = reverse("qualitative:project_list")
    someone = agency_person(world.agency)
    ProjectMember.objects.create(project=qual.project, user=someone, role=ProjectRole.VIEWER)
    for user, shown in (
        (world.trainer, True),  # a member
        (world.agency_admin, True),  # may start one
        (someone, True),
        (world.case_manager, False),
        (world.supervisor, False),
    ):
        html = login_as(user).get(reverse("accounts:password_change")).content.decode()
        assert (f'href="{url}"' in html) is shown, user


def test_the_list_shows_the_users_projects_with_a_bounded_number_of_queries(
    world: World, qual: ProjectSet, login_as: LoginAs, django_assert_max_num_queries: object
) -> None:
    for n in range(5):
        project_with(world.agency, members={world.assessor: ProjectRole.VIEWER}, title=f"P{n}")
    http = login_as(world.assessor)
    with django_assert_max_num_queries(14):  # type: ignore[operator]  # pytest-django fixture
        response = http.get(reverse("qualitative:project_list"))
    assert response.content.decode().count("/qualitative/") >= 6


def test_the_empty_list_says_what_to_do(world: World, login_as: LoginAs) -> None:
    html = login_as(world.case_manager).get(reverse("qualitative:project_list")).content.decode()
    assert "ask the lead" in html
    html = login_as(world.researcher).get(reverse("qualitative:project_list")).content.decode()
    assert reverse("qualitative:project_new") in html
