"""The exchange pages: downloads for members, imports that list every problem and save nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from tandem.qualitative import exchange as refi
from tandem.qualitative.models import Project, ProjectMember, ProjectRole
from tandem.qualitative.services import exchange as services
from tests.conftest import LoginAs, World
from tests.core.french import problems, typed_in_database
from tests.qualitative.exchange_files import code_tree, codings_of, full_project, hostile_files
from tests.qualitative.test_exchange_services import row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "READ_LIMITS", refi.ReadLimits(max_bytes=1_000_000))


@pytest.fixture
def study(world: World) -> Project:
    project = full_project(world.agency, world.researcher, world.trainer)
    ProjectMember.objects.create(project=project, user=world.assessor, role=ProjectRole.VIEWER)
    return project


def test_a_viewer_downloads_the_project_as_an_attachment_named_by_slug(
    world: World, study: Project, login_as: LoginAs
) -> None:
    response = login_as(world.assessor).get(reverse("qualitative:project_export", args=[study.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="alliance-study.qdpx"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "project.qde" in archive.namelist()
    codebook = login_as(world.assessor).get(reverse("qualitative:codebook_export", args=[study.pk]))
    assert codebook["Content-Disposition"] == 'attachment; filename="alliance-study.qdc"'
    assert b"<CodeBook" in codebook.content


def test_non_members_get_404_on_export(world: World, study: Project, login_as: LoginAs) -> None:
    for name in ("qualitative:project_export", "qualitative:codebook_export"):
        response = login_as(world.case_manager).get(reverse(name, args=[study.pk]))
        assert response.status_code == 404


def test_the_project_page_offers_both_exports(
    world: World, study: Project, login_as: LoginAs
) -> None:
    page = login_as(world.assessor).get(reverse("qualitative:project_detail", args=[study.pk]))
    html = page.content.decode()
    assert reverse("qualitative:project_export", args=[study.pk]) in html
    assert reverse("qualitative:codebook_export", args=[study.pk]) in html


def test_an_empty_codebook_is_not_exported_and_says_why(world: World, login_as: LoginAs) -> None:
    empty = Project.objects.create(agency=world.agency, title="Empty", created_by=world.researcher)
    ProjectMember.objects.create(project=empty, user=world.researcher, role=ProjectRole.LEAD)
    response = login_as(world.researcher).get(
        reverse("qualitative:codebook_export", args=[empty.pk]), follow=True
    )
    assert "The codebook is empty" in response.content.decode()


def test_importing_an_exported_project_on_the_page(
    world: World, study: Project, login_as: LoginAs
) -> None:
    http = login_as(world.researcher)
    data = http.get(reverse("qualitative:project_export", args=[study.pk])).content
    response = http.post(
        reverse("qualitative:project_import"),
        {
            "agency": str(world.agency.pk),
            "name": "Re-imported",
            "file": SimpleUploadedFile("study.qdpx", data),
        },
    )
    assert response.status_code == 302
    copy = Project.objects.get(title="Re-imported")
    assert response["Location"] == reverse("qualitative:project_detail", args=[copy.pk])
    assert code_tree(copy) == code_tree(study)
    assert codings_of(copy) == codings_of(study)


@pytest.mark.parametrize("case", sorted(hostile_files()))
def test_a_refused_project_lists_its_problems_keeps_the_name_and_saves_nothing(
    world: World, login_as: LoginAs, case: str
) -> None:
    data, problem = hostile_files()[case]
    before = row_counts()
    response = login_as(world.researcher).post(
        reverse("qualitative:project_import"),
        {
            "agency": str(world.agency.pk),
            "name": "Kept title",
            "file": SimpleUploadedFile("bad.qdpx", data),
        },
    )
    assert response.status_code == 400
    assert row_counts() == before
    html = response.content.decode()
    assert "nothing was saved" in html
    assert 'value="Kept title"' in html
    with pytest.raises(refi.ExchangeError) as caught:
        refi.read_qdpx(data, limits=services.READ_LIMITS)
    assert problem in caught.value.codes
    for found in caught.value.problems:
        assert escape(found.element) in html
        assert escape(found.message) in html
        if found.line is not None:
            assert f"line {found.line}" in html


def test_the_import_page_is_for_those_who_may_start_projects(
    world: World, login_as: LoginAs
) -> None:
    url = reverse("qualitative:project_import")
    assert login_as(world.case_manager).get(url).status_code == 403
    page = login_as(world.researcher).get(url).content.decode()
    for tool in ("NVivo", "ATLAS.ti", "MAXQDA", "QualCoder"):
        assert tool in page
    listing = login_as(world.researcher).get(reverse("qualitative:project_list"))
    assert url in listing.content.decode()
    assert (
        url
        not in login_as(world.case_manager)
        .get(reverse("qualitative:project_list"))
        .content.decode()
    )


def test_a_lead_imports_a_codebook_on_the_codebook_page(
    world: World, study: Project, login_as: LoginAs
) -> None:
    other = Project.objects.create(agency=world.agency, title="Other", created_by=world.researcher)
    ProjectMember.objects.create(project=other, user=world.researcher, role=ProjectRole.LEAD)
    ProjectMember.objects.create(project=other, user=world.trainer, role=ProjectRole.CODER)
    http = login_as(world.researcher)
    qdc = http.get(reverse("qualitative:codebook_export", args=[study.pk])).content
    url = reverse("qualitative:codebook_import", args=[other.pk])
    assert url in http.get(reverse("qualitative:codebook", args=[other.pk])).content.decode()
    coder = login_as(world.trainer)
    assert coder.post(url, {"file": SimpleUploadedFile("c.qdc", qdc)}).status_code == 403
    http = login_as(world.researcher)
    response = http.post(url, {"file": SimpleUploadedFile("c.qdc", qdc)}, follow=True)
    assert "4 codes added" in response.content.decode()
    assert code_tree(other) == code_tree(study)
    http.post(url, {"file": SimpleUploadedFile("c.qdc", qdc)})
    assert other.codes.count() == 4


def test_a_refused_codebook_lists_its_problem(
    world: World, study: Project, login_as: LoginAs
) -> None:
    before = row_counts()
    qdc = b'<!DOCTYPE CodeBook [<!ENTITY x "y">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'
    response = login_as(world.researcher).post(
        reverse("qualitative:codebook_import", args=[study.pk]),
        {"file": SimpleUploadedFile("c.qdc", qdc)},
    )
    assert response.status_code == 400
    assert "XML entities" in response.content.decode()
    assert row_counts() == before


def test_a_refused_import_reads_in_french(world: World, login_as: LoginAs) -> None:
    http = login_as(world.researcher)
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    data, _problem = hostile_files()["xxe"]
    response = http.post(
        reverse("qualitative:project_import"),
        {"agency": str(world.agency.pk), "name": "", "file": SimpleUploadedFile("x.qdpx", data)},
    )
    html = response.content.decode()
    assert "Le fichier a été refusé et rien n\u2019a été enregistré\u00a0: 1\u00a0problème." in html
    assert "Le fichier déclare des entités XML, refusées par sécurité." in html
    assert "ligne 1" in html
    problems_found = problems(html, typed=typed_in_database())
    assert problems_found == []


def test_an_empty_codebook_says_which_tools_make_codebook_files(
    world: World, login_as: LoginAs
) -> None:
    empty = Project.objects.create(agency=world.agency, title="Empty", created_by=world.researcher)
    ProjectMember.objects.create(project=empty, user=world.researcher, role=ProjectRole.LEAD)
    ProjectMember.objects.create(project=empty, user=world.trainer, role=ProjectRole.CODER)
    url = reverse("qualitative:codebook", args=[empty.pk])
    import_url = reverse("qualitative:codebook_import", args=[empty.pk])
    export_url = reverse("qualitative:codebook_export", args=[empty.pk])
    coder_page = login_as(world.trainer).get(url).content.decode()
    assert import_url not in coder_page
    lead_page = login_as(world.researcher).get(url).content.decode()
    assert import_url in lead_page
    assert export_url not in lead_page  # nothing to export yet
    for tool in ("NVivo", "ATLAS.ti", "MAXQDA", "QualCoder"):
        assert tool in lead_page
