"""The cohort's end-of-programme interviews as a qualitative project, its participants as cases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from tandem.accounts.models import Role
from tandem.audit.models import AuditEvent
from tandem.qualitative.models import Case, Project, ProjectMember, ProjectRole
from tandem.training import services
from tandem.training.models import Attendance, AttendanceStatus, Cohort
from tests.conftest import LoginAs, World
from tests.factories import MembershipFactory, UserFactory
from tests.training.factories import held_cohort, make_cohort, trainer_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Services run in English unless a test says otherwise (a page read before may have left
    French active in this thread)."""
    with translation.override("en"):
        yield


@pytest.fixture
def cohort(world: World) -> Cohort:
    return held_cohort(world.agency)


def _values(case: Case) -> dict[str, object]:
    return {v.attribute.name: v.value for v in case.values.select_related("attribute")}


def test_a_trainer_opens_the_project_with_the_participants_as_cases(
    world: World, cohort: Cohort
) -> None:
    before = AuditEvent.objects.count()
    opened = services.open_interview_project(actor=world.trainer, cohort=cohort)
    assert opened.created
    assert opened.is_member
    project = opened.project
    cohort.refresh_from_db()
    assert cohort.interview_project == project
    assert project.agency == world.agency
    assert cohort.name in project.title
    assert list(
        ProjectMember.objects.filter(project=project).values_list("user", "role", "is_active")
    ) == [(world.trainer.pk, ProjectRole.LEAD, True)]
    places = list(cohort.participants.select_related("user", "interview_case"))
    assert opened.cases_added == len(places) == project.cases.count()
    # Counted independently of the service: present at a session that is not voided.
    attended = {
        p.pk: Attendance.objects.filter(
            participant=p, status=AttendanceStatus.PRESENT, session__voided_at__isnull=True
        ).count()
        for p in places
    }
    assert any(attended.values())
    for place in places:
        case = place.interview_case
        assert case is not None
        assert case.project == project
        assert case.description == place.user.full_name
        assert place.user.full_name not in case.name
        assert _values(case) == {
            "Role in the programme": "Participant",
            "Agency": "Agency A",
            "Sessions attended": attended[place.pk],
        }
    assert sorted(c.name for c in project.cases.all()) == [
        f"P{i:02d}" for i in range(1, len(places) + 1)
    ]
    events = AuditEvent.objects.order_by("seq")[before:]
    kinds = {(e.action, e.object_type) for e in events}
    assert ("create", "qualitative.project") in kinds
    assert ("create", "qualitative.case") in kinds
    assert ("update", "training.cohort") in kinds
    assert all(e.actor_id == world.trainer.pk for e in events)


def test_a_second_click_opens_the_same_project_and_adds_only_new_participants(
    world: World, cohort: Cohort
) -> None:
    first = services.open_interview_project(actor=world.trainer, cohort=cohort)
    again = services.open_interview_project(actor=world.trainer, cohort=cohort)
    assert again.project == first.project
    assert (again.created, again.cases_added) == (False, 0)
    assert Project.objects.count() == 1
    assert Case.objects.count() == first.cases_added

    # Someone who joins the cohort later gets the next free code at the next click.
    newcomer = UserFactory.create(full_name="Late Joiner", agency=world.agency)
    MembershipFactory.create(user=newcomer, role=Role.CASE_MANAGER, agency=world.agency)
    place = cohort.participants.create(user=newcomer, rota_position=99)
    later = services.open_interview_project(actor=world.trainer, cohort=cohort)
    assert (later.project, later.cases_added) == (first.project, 1)
    place.refresh_from_db()
    assert place.interview_case is not None
    assert place.interview_case.name == f"P{first.cases_added + 1:02d}"
    assert Case.objects.count() == first.cases_added + 1


def test_the_cohorts_other_trainers_of_the_agency_lead_it_too(world: World, cohort: Cohort) -> None:
    colleague = UserFactory.create(full_name="Second Trainer", agency=world.agency)
    MembershipFactory.create(user=colleague, role=Role.TRAINER, agency=world.agency)
    cohort.trainers.add(colleague)
    opened = services.open_interview_project(actor=world.trainer, cohort=cohort)
    assert set(
        ProjectMember.objects.filter(project=opened.project).values_list("user", "role")
    ) == {(world.trainer.pk, ProjectRole.LEAD), (colleague.pk, ProjectRole.LEAD)}
    # The colleague's click goes to the same project.
    assert services.open_interview_project(actor=colleague, cohort=cohort).project == (
        opened.project
    )


def test_only_a_trainer_of_the_cohort_opens_it(world: World, cohort: Cohort) -> None:
    for someone in (world.case_manager, world.agency_admin, world.researcher):
        with pytest.raises(PermissionDenied):
            services.open_interview_project(actor=someone, cohort=cohort)
    assert not Project.objects.exists()


def test_a_trainer_of_another_agency_is_told_to_ask_the_lead(
    world: World, login_as: LoginAs
) -> None:
    """Two trainers, one per agency: the project sits in the opener's agency; the other, who
    does not work there, is not let in and is told whom to ask."""
    other_trainer = trainer_of(world.other_agency)
    coordinator = UserFactory.create(full_name="Coordinator", agency=world.agency)
    for agency in (world.agency, world.other_agency):
        MembershipFactory.create(user=coordinator, role=Role.TRAINER, agency=agency)
    cohort = make_cohort(
        trainer=coordinator,
        participants=[world.case_manager, world.other_agency_case_manager],
        agencies=[world.agency, world.other_agency],
    )
    cohort.trainers.set([world.trainer, other_trainer])
    opened = services.open_interview_project(actor=other_trainer, cohort=cohort)
    # The host agency is A, where the opener does not work: the project is in agency Z.
    assert opened.project.agency == world.other_agency
    # Their agencies are told apart on the cases.
    agencies = {
        c.description: _values(c)["Agency"] for c in Case.objects.filter(project=opened.project)
    }
    assert agencies == {
        world.case_manager.full_name: "Agency A",
        world.other_agency_case_manager.full_name: "Agency Z",
    }
    response = login_as(world.trainer).post(
        reverse("training:interview_project", args=[cohort.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("training:cohort_detail", args=[cohort.pk])
    assert "ask its lead to add you" in response.content.decode()
    assert Project.objects.count() == 1


def test_the_cohort_page_opens_the_project_and_then_goes_to_it(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    http = login_as(world.trainer)
    page = http.get(reverse("training:cohort_detail", args=[cohort.pk])).content.decode()
    assert "Open the interview project" in page
    response = http.post(reverse("training:interview_project", args=[cohort.pk]))
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("qualitative:project_detail", args=[project.pk])
    cases = http.get(reverse("qualitative:case_list", args=[project.pk]))
    assert cases.status_code == 200
    assert "P01" in cases.content.decode()
    page = http.get(reverse("training:cohort_detail", args=[cohort.pk])).content.decode()
    assert "Go to the interview project" in page
    again = http.post(reverse("training:interview_project", args=[cohort.pk]))
    assert again["Location"] == response["Location"]
    assert Project.objects.count() == 1


def test_participants_see_no_interview_button_and_may_not_post(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    http = login_as(world.case_manager)
    page = http.get(reverse("training:cohort_detail", args=[cohort.pk])).content.decode()
    assert "interview project" not in page
    response = http.post(reverse("training:interview_project", args=[cohort.pk]))
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_opened_in_french_then_reopened_in_english_keeps_one_set_of_attributes(
    world: World, cohort: Cohort
) -> None:
    with translation.override("fr"):
        first = services.open_interview_project(actor=world.trainer, cohort=cohort)
    project = first.project
    assert project.title.startswith("Entretiens de fin de programme")
    assert sorted(project.attributes.values_list("name", flat=True)) == [
        "Organisme",
        "Rôle dans le programme",
        "Séances suivies",
    ]
    newcomer = UserFactory.create(full_name="Late Joiner", agency=world.agency)
    MembershipFactory.create(user=newcomer, role=Role.CASE_MANAGER, agency=world.agency)
    place = cohort.participants.create(user=newcomer, rota_position=99)
    with translation.override("en"):
        services.open_interview_project(actor=world.trainer, cohort=cohort)
    assert project.attributes.count() == 3
    place.refresh_from_db()
    assert place.interview_case is not None
    assert _values(place.interview_case) == {
        "Rôle dans le programme": "Participant",
        "Organisme": "Agency A",
        "Séances suivies": 0,
    }


def test_the_cohort_page_offers_the_project_in_french(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    http = login_as(world.trainer)
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = http.get(reverse("training:cohort_detail", args=[cohort.pk])).content.decode()
    assert "Ouvrir le projet d\u2019entretiens" in page
    response = http.post(reverse("training:interview_project", args=[cohort.pk]), follow=True)
    assert "Le projet d\u2019entretiens est ouvert" in response.content.decode()
    page = http.get(reverse("training:cohort_detail", args=[cohort.pk])).content.decode()
    assert "Aller au projet d\u2019entretiens" in page
