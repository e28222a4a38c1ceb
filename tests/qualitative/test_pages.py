"""The lead's forms end to end: add a member, save a version, merge, archive with a reason."""

from __future__ import annotations

from django.urls import reverse

from tandem.qualitative.models import Code, CodebookVersion, Coding, Document, ProjectChange
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet


def test_a_lead_adds_a_member_on_the_members_page(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    http = login_as(world.researcher)
    url = reverse("qualitative:member_list", args=[qual.project.pk])
    assert f'value="{world.case_manager.pk}"' in http.get(url).content.decode()
    response = http.post(url, {"user": str(world.case_manager.pk), "role": "coder"})
    assert response.status_code == 302
    assert qual.project.members.get(user=world.case_manager).role == "coder"
    # People of another agency are not offered, and a forged choice is refused by the form.
    forged = http.post(url, {"user": str(world.other_agency_case_manager.pk), "role": "viewer"})
    assert forged.status_code == 400
    assert not qual.project.members.filter(user=world.other_agency_case_manager).exists()


def test_a_coder_sees_the_members_but_cannot_add_one(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    http = login_as(world.trainer)
    url = reverse("qualitative:member_list", args=[qual.project.pk])
    assert 'name="user"' not in http.get(url).content.decode()
    assert http.post(url, {"user": str(world.case_manager.pk), "role": "lead"}).status_code == 403


def test_a_lead_saves_a_codebook_version_and_a_viewer_cannot(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    url = reverse("qualitative:codebook_versions", args=[qual.project.pk])
    assert login_as(world.assessor).post(url, {"label": "Mine"}).status_code == 403
    response = login_as(world.researcher).post(url, {"label": "After meeting 2"})
    assert response.status_code == 302
    saved = CodebookVersion.objects.get(label="After meeting 2")
    assert sorted(c["name"] for c in saved.codes) == ["Being heard", "Trust"]


def test_merging_on_its_page_moves_the_codings(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    Coding.objects.create(
        document=qual.document, code=qual.code, start=0, end=4, coder=world.trainer
    )
    response = login_as(world.researcher).post(
        reverse("qualitative:code_merge", args=[qual.project.pk, qual.code.pk]),
        {"target": str(qual.other_code.pk), "reason": "Same idea"},
    )
    assert response.status_code == 302
    assert list(Coding.objects.values_list("code_id", flat=True)) == [qual.other_code.pk]
    assert Code.objects.get(pk=qual.code.pk).merged_into_id == qual.other_code.pk


def test_archiving_a_document_needs_a_reason_and_keeps_it(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    http = login_as(world.researcher)
    url = reverse("qualitative:document_edit", args=[qual.project.pk, qual.document.pk])
    missing = http.post(url, {"action": "archive", "version": "1", "reason": ""})
    assert missing.status_code == 400
    assert "reason" in missing.context["form"].errors
    assert (
        http.post(url, {"action": "archive", "version": "1", "reason": "Duplicate"}).status_code
        == 302
    )
    assert Document.objects.get(pk=qual.document.pk).is_archived
    change = ProjectChange.objects.get(object_type="qualitative.document")
    assert (change.kind, change.reason) == ("void", "Duplicate")


def test_a_stale_case_edit_answers_409(world: World, qual: ProjectSet, login_as: LoginAs) -> None:
    http = login_as(world.researcher)
    url = reverse("qualitative:case_edit", args=[qual.project.pk, qual.case.pk])
    form = {
        "action": "edit",
        "version": "1",
        "name": "P01b",
        "description": "",
        f"attribute_{qual.attribute.pk}": "woman",
        "reason": "Pseudonym changed",
    }
    assert http.post(url, form).status_code == 302
    assert http.post(url, {**form, "name": "P01c"}).status_code == 409
