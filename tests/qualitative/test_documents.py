"""Documents: imported once in any common encoding, text fixed for good, every read audited."""

from __future__ import annotations

import io
import re

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.qualitative.models import MAX_DOCUMENT_CHARS, MAX_UPLOAD_BYTES, Document
from tandem.qualitative.services import documents as services
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet, project_with

TRANSCRIPT = "Intervieweuse : qu\u2019est-ce qui aide ?\r\nP01 : être écouté, « vraiment ».\r\n"


def test_crlf_line_endings_are_normalised_once_on_import(world: World, qual: ProjectSet) -> None:
    document = services.import_text(
        actor=world.researcher, project=qual.project, title="T", text=TRANSCRIPT
    )
    expected = TRANSCRIPT.replace("\r\n", "\n")
    assert document.text == expected
    assert document.char_count == len(expected)
    assert Document.objects.get(pk=document.pk).text == expected


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("cp1252", "windows-1252"), ("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig")],
)
def test_uploaded_text_is_decoded_and_its_encoding_kept(
    world: World, qual: ProjectSet, encoding: str, reported: str
) -> None:
    text = "P01 : être écouté, « vraiment » à l\u2019hôpital.\r\nFin."
    document = services.import_file(
        actor=world.researcher,
        project=qual.project,
        title="",
        filename="entrevue-01.txt",
        content=text.encode(encoding),
    )
    assert document.text == text.replace("\r\n", "\n")
    assert document.detected_encoding == reported
    assert document.title == "entrevue-01"


def test_the_import_page_reports_the_encoding_found(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    upload = SimpleUploadedFile("p02.txt", "Déjà vu, ça aide.".encode("cp1252"))
    response = login_as(world.researcher).post(
        reverse("qualitative:document_new", args=[qual.project.pk]),
        {"title": "", "case": "", "file": upload, "text": ""},
        follow=True,
    )
    assert response.status_code == 200
    document = Document.objects.get(project=qual.project, title="p02")
    assert document.text == "Déjà vu, ça aide."
    assert "WINDOWS-1252" in response.content.decode()


def test_a_word_document_becomes_one_line_per_paragraph(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    word = docx.Document()
    for paragraph in ("Q : qu\u2019est-ce qui aide ?", "R : être écouté.", "Fin."):
        word.add_paragraph(paragraph)
    buffer = io.BytesIO()
    word.save(buffer)
    response = login_as(world.researcher).post(
        reverse("qualitative:document_new", args=[qual.project.pk]),
        {
            "title": "Entrevue Word",
            "case": str(qual.case.pk),
            "file": SimpleUploadedFile("e.docx", buffer.getvalue()),
            "text": "",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(project=qual.project, title="Entrevue Word")
    assert document.text == "Q : qu\u2019est-ce qui aide ?\nR : être écouté.\nFin."
    assert document.case == qual.case


def test_the_text_cannot_be_changed_after_import(qual: ProjectSet) -> None:
    document = Document.objects.get(pk=qual.document.pk)
    document.text = "Something else."
    with pytest.raises(ValueError, match="text"):
        document.save()
    with pytest.raises(ValueError, match="text"):
        Document.objects.filter(pk=document.pk).update(text="Something else.")
    assert Document.objects.get(pk=document.pk).text == qual.document.text


def test_correcting_a_document_changes_its_title_not_its_text(
    world: World, qual: ProjectSet
) -> None:
    services.update_document(
        actor=world.researcher,
        document=qual.document,
        expected_version=qual.document.version,
        reason="Typing error",
        title="Interview 1 (P01)",
        case=None,
    )
    stored = Document.objects.get(pk=qual.document.pk)
    assert (stored.title, stored.case, stored.text) == (
        "Interview 1 (P01)",
        None,
        qual.document.text,
    )


def test_a_text_over_the_limit_is_refused_naming_the_field(world: World, qual: ProjectSet) -> None:
    with pytest.raises(ValidationError) as refused:
        services.import_text(
            actor=world.researcher,
            project=qual.project,
            title="Too long",
            text="a" * (MAX_DOCUMENT_CHARS + 1),
        )
    assert set(refused.value.message_dict) == {"text"}


def test_a_file_over_the_size_limit_is_refused_naming_the_field(
    world: World, qual: ProjectSet
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.import_file(
            actor=world.researcher,
            project=qual.project,
            title="Big",
            filename="big.txt",
            content=b"a" * (MAX_UPLOAD_BYTES + 1),
        )
    assert set(refused.value.message_dict) == {"file"}


def test_another_kind_of_file_is_refused_naming_the_field(world: World, qual: ProjectSet) -> None:
    with pytest.raises(ValidationError) as refused:
        services.import_file(
            actor=world.researcher,
            project=qual.project,
            title="PDF",
            filename="interview.pdf",
            content=b"%PDF-1.7",
        )
    assert set(refused.value.message_dict) == {"file"}


def test_only_leads_import_documents(world: World, qual: ProjectSet) -> None:
    for user in (world.trainer, world.assessor, world.case_manager):
        with pytest.raises(PermissionDenied):
            services.import_text(actor=user, project=qual.project, title="T", text="Text")


def test_every_read_of_a_document_is_audited(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    http = login_as(world.assessor)
    url = reverse("qualitative:document_detail", args=[qual.project.pk, qual.document.pk])
    for _ in range(2):
        assert http.get(url).status_code == 200
    reads = AuditEvent.objects.filter(
        actor_id=world.assessor.pk,
        action=Action.VIEW,
        object_type="qualitative.document",
        object_id=str(qual.document.pk),
        outcome=Outcome.OK,
    )
    assert reads.count() == 2
    assert set(reads.values_list("agency_id", flat=True)) == {world.agency.pk}


def test_a_document_of_another_project_is_a_404_even_for_a_member(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    elsewhere = project_with(world.agency)
    response = login_as(world.researcher).get(
        reverse("qualitative:document_detail", args=[qual.project.pk, elsewhere.document.pk])
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        actor_id=world.researcher.pk,
        object_type="qualitative.document",
        object_id=str(elsewhere.document.pk),
        outcome=Outcome.DENIED,
    ).exists()


def test_a_long_transcript_is_shown_one_element_per_line(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    lines = [f"Ligne {i} : " + "parole " * 12 for i in range(1, 1401)]
    text = "\n".join(lines)
    assert len(text) > 100_000
    document = services.import_text(
        actor=world.researcher, project=qual.project, title="Long", text=text
    )
    response = login_as(world.researcher).get(
        reverse("qualitative:document_detail", args=[qual.project.pk, document.pk])
    )
    html = response.content.decode()
    assert html.count('<span class="line"') == len(lines)
    assert f'id="L{len(lines)}"' in html
    # No element per character or word: the page is the text plus one short tag per line.
    assert len(re.findall(r"<[a-z]", html)) < len(lines) + 300


def test_the_document_list_has_a_bounded_number_of_queries(
    world: World, qual: ProjectSet, login_as: LoginAs, django_assert_max_num_queries: object
) -> None:
    for n in range(10):
        services.import_text(
            actor=world.researcher,
            project=qual.project,
            title=f"Entrevue {n}",
            text="Texte. " * 200,
            case=qual.case if n % 2 else None,
        )
    http = login_as(world.assessor)
    with django_assert_max_num_queries(20):  # type: ignore[operator]  # pytest-django fixture
        response = http.get(reverse("qualitative:document_list", args=[qual.project.pk]))
    html = response.content.decode()
    assert "Entrevue 9" in html
    assert "Texte." not in html  # the list never loads the texts
