"""Research pages: who reaches what, what researchers never see, forms, conflicts, queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.research.models import Enrolment, Study, StudyMember
from tests.conftest import LoginAs, World
from tests.factories import AgencyFactory, ProgrammeFactory
from tests.research.factories import consent_of, study_in

pytestmark = pytest.mark.django_db


def test_the_menu_offers_research_to_researchers_admins_and_programme_managers(
    world: World, login_as: LoginAs
) -> None:
    link = reverse("research:study_list")
    for user, shown in (
        (world.researcher, True),
        (world.agency_admin, True),
        (world.programme_manager, True),
        (world.case_manager, False),
        (world.trainer, False),
    ):
        page = login_as(user).get(reverse("accounts:password_change")).content.decode()
        assert (f'href="{link}"' in page) is shown, user


def test_an_empty_list_says_what_to_do(world: World, login_as: LoginAs) -> None:
    page = login_as(world.agency_admin).get(reverse("research:study_list")).content.decode()
    assert "Start one: give it a title" in page
    page = login_as(world.researcher).get(reverse("research:study_list")).content.decode()
    assert "adds you to one" in page


def test_the_study_list_reads_a_fixed_number_of_queries(
    world: World, login_as: LoginAs, django_assert_max_num_queries: Any
) -> None:
    for n in range(8):
        study = Study.objects.create(
            agency=world.agency, slug=f"s{n}", title=f"Study {n}", created_by=world.agency_admin
        )
        study.programmes.set([world.programme])
        StudyMember.objects.create(study=study, user=world.researcher, added_by=world.agency_admin)
    http = login_as(world.researcher)
    with django_assert_max_num_queries(20):
        page = http.get(reverse("research:study_list"))
    assert page.content.decode().count("Study ") >= 8


def test_a_study_page_reads_a_fixed_number_of_queries(
    world: World, login_as: LoginAs, django_assert_max_num_queries: Any
) -> None:
    study = study_in(world.agency)
    for client in (world.own_client, world.team_client, world.other_team_client):
        consent_of(client)
    http = login_as(world.researcher)
    # The protocol, members, counts, and the exports and runs sections: a bound that does not
    # grow with the number of consents.
    with django_assert_max_num_queries(34):
        assert http.get(reverse("research:study_detail", args=[study.pk])).status_code == 200


def test_a_researcher_sees_counts_never_a_client(world: World, login_as: LoginAs) -> None:
    study = study_in(world.agency)
    enrolment = consent_of(world.own_client)
    http = login_as(world.researcher)
    page = http.get(reverse("research:study_detail", args=[study.pk])).content.decode()
    assert "&lt;5" in page
    client = world.own_client
    for personal in (client.family_name, client.given_name, str(client.date_of_birth)):
        assert personal not in page
    for path in (
        reverse("clients:client_detail", args=[client.pk]),
        reverse("research:client_consent", args=[client.pk]),
        reverse("research:enrolment_detail", args=[enrolment.pk]),
    ):
        assert http.get(path).status_code == 404, path


def test_a_study_of_another_agency_answers_404(world: World, login_as: LoginAs) -> None:
    other = AgencyFactory.create(name="Agency Q")
    ProgrammeFactory.create(agency=other)
    study = study_in(other)
    for user in (world.researcher, world.agency_admin, world.programme_manager):
        http = login_as(user)
        assert http.get(reverse("research:study_detail", args=[study.pk])).status_code == 404


def test_a_case_manager_reaches_only_the_consent_of_their_clients(
    world: World, login_as: LoginAs
) -> None:
    study = study_in(world.agency)
    http = login_as(world.case_manager)
    for name, args in (
        ("research:study_list", []),
        ("research:study_new", []),
        ("research:study_detail", [study.pk]),
    ):
        assert http.get(reverse(name, args=args)).status_code == 403
    record = http.get(reverse("clients:client_detail", args=[world.own_client.pk]))
    assert "Research consent" in record.content.decode()
    assert study.title in record.content.decode()
    assert (
        http.get(reverse("research:client_consent", args=[world.team_client.pk])).status_code == 404
    )


def test_consent_is_recorded_then_withdrawn_from_the_client_record(
    world: World, login_as: LoginAs
) -> None:
    study = study_in(world.agency)
    http = login_as(world.case_manager)
    url = reverse("research:client_consent", args=[world.own_client.pk])
    refused = http.post(
        url, {"study": study.pk, "consented_on": "", "form_version": "2.0", "diagnosis_group": ""}
    )
    assert refused.status_code == 400
    assert 'value="2.0"' in refused.content.decode()  # what was typed is kept
    saved = http.post(
        url,
        {
            "study": study.pk,
            "consented_on": timezone.localdate().isoformat(),
            "form_version": "2.0",
            "diagnosis_group": "depressive",
        },
    )
    assert saved.status_code == 302
    enrolment = Enrolment.objects.get(study=study, client=world.own_client)
    detail = reverse("research:enrolment_detail", args=[enrolment.pk])
    stale = http.post(
        detail,
        {
            "action": "withdraw",
            "withdrawn_on": timezone.localdate().isoformat(),
            "reason": "Asked to leave",
            "version": 0,
        },
    )
    assert stale.status_code == 409
    assert "Asked to leave" in stale.content.decode()
    done = http.post(
        detail,
        {
            "action": "withdraw",
            "withdrawn_on": timezone.localdate().isoformat(),
            "reason": "Asked to leave",
            "version": enrolment.version,
        },
    )
    assert done.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_on == timezone.localdate()
    study.refresh_from_db()
    assert study.data_version == 2


def test_a_programme_manager_starts_a_study(world: World, login_as: LoginAs) -> None:
    http = login_as(world.programme_manager)
    response = http.post(
        reverse("research:study_new"),
        {
            "agency": world.agency.pk,
            "title": "Alliance",
            "slug": "alliance",
            "programmes": [world.programme.pk],
            "exposure_days": 180,
            "date_mode": "days",
            "lead": world.researcher.pk,
        },
    )
    assert response.status_code == 302
    study = Study.objects.get(slug="alliance")
    assert study.members.get().user == world.researcher


def _edit_data(study: Study, **changes: Any) -> dict[str, Any]:
    data = {
        "title": study.title,
        "slug": study.slug,
        "description": "",
        "status": "active",
        "programmes": [p.pk for p in study.programmes.all()],
        "exposure_days": 180,
        "date_mode": "days",
        "waves": "baseline; Baseline; 0; 0; 30\nm9; Month 9; 270; 30; 30",
        "measures": "baseline: rprs\nm9: rprs, wai_sr",
        "mediator_instrument": "wai_sr",
        "mediator_wave": "m9",
        "outcome_instrument": "rprs",
        "outcome_score": "total",
        "outcome_wave": "m9",
        "baseline_wave": "baseline",
        "covariates": ["age_years"],
        "imputations": 20,
        "resamples": 5000,
        "bootstrap": "percentile",
        "seed": 7,
        "version": study.version,
    }
    data.update(changes)
    return data


def test_the_lead_edits_the_protocol_and_a_stale_form_answers_409(
    world: World, login_as: LoginAs
) -> None:
    study = study_in(world.agency)
    http = login_as(world.researcher)
    url = reverse("research:study_edit", args=[study.pk])
    assert http.get(url).status_code == 200
    saved = http.post(url, _edit_data(study))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert list(study.waves.values_list("code", flat=True)) == ["baseline", "m9"]
    stale = http.post(url, _edit_data(study, title="Typed while stale", version=1))
    assert stale.status_code == 409
    assert "Typed while stale" in stale.content.decode()
    wrong = http.post(url, _edit_data(study, measures="m9: nothing", version=2))
    assert wrong.status_code == 400
    assert "m9: nothing" in wrong.content.decode()


def test_members_are_added_and_removed_by_the_lead_only(world: World, login_as: LoginAs) -> None:
    study = study_in(world.agency)
    url = reverse("research:study_members", args=[study.pk])
    admin = login_as(world.agency_admin)
    added = admin.post(url, {"action": "add", "user": world.agency_admin.pk, "role": "lead"})
    assert added.status_code == 302
    member = study.members.get(user=world.agency_admin)
    removed = admin.post(url, {"action": "remove", "member": member.pk})
    assert removed.status_code == 302
    assert not study.members.filter(pk=member.pk).exists()
