"""The qualitative pages, full of records, read in French: no English, ISO date or decimal point."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.test import Client as HttpClient

from tandem.qualitative.models import AttributeType, Coding
from tandem.qualitative.services import (
    cases,
    codebook,
    coding,
    documents,
    member_checks,
    memos,
    projects,
)
from tests.access.test_url_matrix import all_routes
from tests.conftest import World
from tests.core.french import problems, typed_in_database
from tests.qualitative.access import qualitative_path
from tests.qualitative.factories import ProjectSet, open_member_check


def _fill(world: World, qual: ProjectSet) -> None:
    """History entries of every kind, typed values of every type, a version to compare."""
    lead = world.researcher
    version = codebook.save_codebook_version(actor=lead, project=qual.project, label="Avant")
    years = cases.define_attribute(
        actor=lead, project=qual.project, name="Années", value_type=AttributeType.FLOAT
    )
    hired = cases.define_attribute(
        actor=lead, project=qual.project, name="Embauche", value_type=AttributeType.DATE
    )
    supervised = cases.define_attribute(
        actor=lead, project=qual.project, name="Supervisé", value_type=AttributeType.BOOLEAN
    )
    case = cases.create_case(
        actor=lead,
        project=qual.project,
        name="P09",
        values={years.pk: 2.5, hired.pk: date(2021, 3, 4), supervised.pk: True},
    )
    cases.update_case(
        actor=lead,
        case=case,
        expected_version=case.version,
        reason="Vérifié",
        name="P09",
        description="",
        values={years.pk: 3.5, hired.pk: date(2021, 3, 5)},
    )
    theme = codebook.add_code(actor=lead, project=qual.project, name="Relation")
    codebook.update_code(
        actor=lead,
        code=qual.other_code,
        expected_version=qual.other_code.version,
        reason="Regroupé",
        parent=theme,
        name="Confiance",
    )
    Coding.objects.create(
        document=qual.document, code=qual.code, start=0, end=4, coder=world.trainer
    )
    merged = codebook.add_code(actor=lead, project=qual.project, name="Écoute")
    codebook.merge_codes(actor=lead, source=merged, target=qual.code, reason="Doublon")
    french = documents.import_text(
        actor=lead, project=qual.project, title="Entrevue 2", text="Bonjour.\r\nMerci."
    )
    memos.write_memo(
        actor=world.trainer, project=qual.project, title="Idée", body="Texte", subject=case
    )
    projects.add_member(actor=lead, project=qual.project, user=world.case_manager, role="viewer")
    member = qual.project.members.get(user=world.case_manager)
    projects.change_member(
        actor=lead,
        member=member,
        expected_version=member.version,
        role="viewer",
        is_active=False,
        reason="Parti",
    )
    qual.version = version
    # Two coders code the French document differently, so agreement and differences show.
    coding.add_coding(actor=lead, document=french, code=qual.code, start=0, end=8)
    coding.add_coding(actor=world.trainer, document=french, code=qual.code, start=0, end=15)
    qual.document = french


POST_ONLY = {"qualitative:code_reorder", "qualitative:coding_add", "qualitative:coding_remove"}


def _member_check_path(world: World, qual: ProjectSet) -> str:
    """An answered member check for the list, and the path of an open one."""
    answered = member_checks.share_summary(
        actor=world.researcher,
        case=qual.case,
        summary="Résumé",
        language="fr",
        build_url=lambda token: f"/check/{token}/",
    )
    member_checks.record_answer(check=answered.check, agrees=True, comment="Oui")
    # Excerpts are what people said: this coding covers the whole text, known as typed.
    Coding.objects.create(
        document=qual.document,
        code=qual.other_code,
        start=0,
        end=qual.document.char_count,
        coder=world.researcher,
    )
    return member_checks.share_summary(
        actor=world.researcher,
        case=qual.case,
        summary="Résumé",
        language="fr",
        build_url=lambda token: f"/check/{token}/",
    ).url


# Choices that make the retrieval and matrix pages show results.
QUERIES = {
    "qualitative:retrieval": "?code={code}",
    "qualitative:cross_case": "?attribute={attribute}",
    "qualitative:case_matrix": "?level=1",
}


def test_every_qualitative_page_in_french_as_the_lead(world: World, qual: ProjectSet) -> None:
    _fill(world, qual)
    check_path = _member_check_path(world, qual)
    typed = typed_in_database()
    http = HttpClient()
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    http.force_login(world.researcher)
    objects = {"qualitative": {**vars(qual), "check": open_member_check(qual)}}
    found: dict[str, list[str]] = {}
    opened = 0
    considered = 0
    downloads = set()
    for key, route in sorted(all_routes()):
        if not key.startswith("qualitative:") or key in POST_ONLY:
            continue
        considered += 1
        path = qualitative_path(key, "/" + route, objects)
        assert path is not None
        if key == "qualitative:codebook_compare":
            path += f"?before={qual.version.pk}&after=now"
        if key == "qualitative:member_check_answer":
            path = check_path
        path += QUERIES.get(key, "").format(code=qual.other_code.pk, attribute=qual.attribute.pk)
        response = http.get(path)
        assert response.status_code == 200, path
        if "text/html" not in response["Content-Type"]:
            downloads.add(key)
            continue  # a download (.qdpx, .qdc)
        opened += 1
        page_problems = problems(response.content.decode(), typed=typed)
        if page_problems:
            found[path] = page_problems
    assert downloads == {"qualitative:codebook_export", "qualitative:project_export"}
    assert opened == considered - len(downloads)
    assert found == {}
