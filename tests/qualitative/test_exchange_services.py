"""Exporting projects and codebooks as REFI-QDA files, and importing them, all or nothing."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from lxml import etree

from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.qualitative import exchange as refi
from tandem.qualitative.models import Code, Coding, Project, ProjectMember, ProjectRole
from tandem.qualitative.services import exchange as services
from tandem.stats import coding_agreement
from tests.conftest import World
from tests.qualitative.exchange_files import (
    cases_of,
    code_tree,
    codings_of,
    full_project,
    hostile_files,
    xsd,
)
from tests.qualitative.test_exchange import other_tool_qdpx

pytestmark = pytest.mark.django_db

ROW_MODELS = ("qualitative.Project", "qualitative.Code", "qualitative.Document")


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "READ_LIMITS", refi.ReadLimits(max_bytes=1_000_000))


@pytest.fixture
def study(world: World) -> Project:
    return full_project(world.agency, world.researcher, world.trainer)


def row_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("qualitative").get_models()
    }


def test_exported_qdpx_validates_against_project_xsd(world: World, study: Project) -> None:
    data = services.export_project(user=world.researcher, project=study)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
    assert len([n for n in names if n.startswith("sources/")]) == 2
    schema = xsd("Project")
    assert schema.validate(etree.fromstring(qde)), schema.error_log


def test_round_trip_reproduces_codes_codings_cases_and_attributes(
    world: World, study: Project
) -> None:
    data = services.export_project(user=world.researcher, project=study)
    copy = services.import_project(user=world.researcher, agency=world.agency, data=data, name=None)
    assert copy.pk != study.pk
    assert copy.title == study.title
    assert code_tree(copy) == code_tree(study)
    assert codings_of(copy) == codings_of(study)
    assert cases_of(copy) == cases_of(study)
    assert {d.text for d in copy.documents.all()} == {d.text for d in study.documents.all()}
    assert sorted(m.title for m in copy.memos.all()) == sorted(m.title for m in study.memos.all())
    on_listening = copy.memos.get(title="On listening").code
    assert on_listening is not None
    assert on_listening.name == "Listening"
    lead = ProjectMember.objects.get(project=copy)
    assert (lead.user, lead.role) == (world.researcher, ProjectRole.LEAD)
    # The trainer is not a member of the copy: their codings keep their name as a label.
    trainer_codings = Coding.objects.filter(
        document__project=copy, coder_label=world.trainer.full_name
    )
    assert trainer_codings.count() == 3
    assert {c.coder for c in trainer_codings} == {world.researcher}
    assert services.project_counts(copy) == {
        "codes": 4,
        "sources": 2,
        "codings": 5,
        "cases": 2,
        "users": 2,
    }


def test_imported_coders_stay_apart_in_a_second_round_trip(world: World, study: Project) -> None:
    first = services.import_project(
        user=world.researcher,
        agency=world.agency,
        data=services.export_project(user=world.researcher, project=study),
        name="Copy",
    )
    second = services.import_project(
        user=world.researcher,
        agency=world.agency,
        data=services.export_project(user=world.researcher, project=first),
        name="Copy 2",
    )
    assert second.title == "Copy 2"
    assert codings_of(second) == codings_of(study)


def test_codebook_round_trip_validates_and_reuses_codes_of_the_same_name(
    world: World, study: Project
) -> None:
    data = services.export_codebook(user=world.trainer, project=study)
    schema = xsd("Codebook")
    assert schema.validate(etree.fromstring(data)), schema.error_log
    empty = Project.objects.create(agency=world.agency, title="Empty", created_by=world.researcher)
    ProjectMember.objects.create(project=empty, user=world.researcher, role=ProjectRole.LEAD)
    result = services.import_codebook(user=world.researcher, project=empty, data=data)
    assert (result.created, result.existing) == (4, 0)
    assert code_tree(empty) == code_tree(study)
    again = services.import_codebook(user=world.researcher, project=empty, data=data)
    assert (again.created, again.existing) == (0, 4)
    assert empty.codes.count() == 4
    # Into the study itself: every code is already there by name and place.
    same = services.import_codebook(user=world.researcher, project=study, data=data)
    assert (same.created, same.existing) == (0, 4)


def test_codebook_import_adds_only_what_is_new_at_its_place(world: World, study: Project) -> None:
    codebook = refi.Codebook(
        codes=(
            refi.Code(
                guid="7b0e8a5e-0f65-4c55-9a36-2f1b7a7b0001",
                name="Relationship",
                children=(refi.Code(guid="7b0e8a5e-0f65-4c55-9a36-2f1b7a7b0002", name="Trust"),),
            ),
            refi.Code(guid="7b0e8a5e-0f65-4c55-9a36-2f1b7a7b0003", name="Listening"),
        )
    )
    result = services.import_codebook(
        user=world.researcher, project=study, data=refi.write_qdc(codebook)
    )
    assert (result.created, result.existing) == (2, 1)
    relationship = study.codes.get(name="Relationship")
    assert study.codes.get(name="Trust").parent == relationship
    # "Listening" exists under "Being heard", not at the top: a new top-level code is made.
    assert study.codes.filter(name="Listening", parent=None).count() == 1


def test_codebook_import_is_for_leads(world: World, study: Project) -> None:
    data = services.export_codebook(user=world.researcher, project=study)
    with pytest.raises(PermissionDenied):
        services.import_codebook(user=world.trainer, project=study, data=data)


@pytest.mark.parametrize("case", sorted(hostile_files()))
def test_hostile_file_changes_nothing_and_names_the_problem(world: World, case: str) -> None:
    data, problem = hostile_files()[case]
    before = row_counts()
    with pytest.raises(refi.ExchangeError) as caught:
        services.import_project(user=world.researcher, agency=world.agency, data=data, name="X")
    assert problem in caught.value.codes
    assert row_counts() == before
    refused = AuditEvent.objects.filter(
        outcome=Outcome.FAILED, object_type="qualitative.import.qdpx"
    )
    assert refused.count() == 1


def test_hostile_codebook_changes_nothing(world: World, study: Project) -> None:
    before = row_counts()
    qdc = b'<!DOCTYPE CodeBook [<!ENTITY x "y">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'
    with pytest.raises(refi.ExchangeError) as caught:
        services.import_codebook(user=world.researcher, project=study, data=qdc)
    assert caught.value.codes == {"xml-entity"}
    assert row_counts() == before


def test_a_record_tandem_refuses_undoes_the_whole_import(world: World, study: Project) -> None:
    exported = services.exchange_project(study)
    source = exported.sources[0]
    empty = refi.Coding(
        guid="7b0e8a5e-0f65-4c55-9a36-2f1b7a7b0009",
        code_guid=source.codings[0].code_guid,
        start=4,
        end=4,
    )
    # REFI takes an empty selection; Tandem does not, so the whole file is refused.
    broken = dataclasses.replace(
        exported,
        sources=(
            dataclasses.replace(source, codings=(*source.codings, empty)),
            *exported.sources[1:],
        ),
    )
    data = refi.write_qdpx(broken)
    before = row_counts()
    with pytest.raises(refi.ExchangeError) as caught:
        services.import_project(user=world.researcher, agency=world.agency, data=data)
    assert row_counts() == before
    [problem] = caught.value.problems
    assert problem.element.startswith(f"Coding {empty.guid!r} of TextSource 'Interview 1', end")


def test_only_people_who_may_start_projects_import(world: World, study: Project) -> None:
    data = services.export_project(user=world.researcher, project=study)
    with pytest.raises(PermissionDenied):
        services.import_project(user=world.case_manager, agency=world.agency, data=data)
    with pytest.raises(PermissionDenied):
        services.import_project(user=world.researcher, agency=world.other_agency, data=data)


def test_every_member_may_export_and_others_may_not(world: World, study: Project) -> None:
    ProjectMember.objects.create(project=study, user=world.assessor, role=ProjectRole.VIEWER)
    assert services.export_project(user=world.assessor, project=study)
    with pytest.raises(PermissionDenied):
        services.export_project(user=world.case_manager, project=study)
    with pytest.raises(PermissionDenied):
        services.export_codebook(user=world.case_manager, project=study)


def test_exports_and_imports_are_audited(world: World, study: Project) -> None:
    services.export_project(user=world.researcher, project=study)
    services.export_codebook(user=world.researcher, project=study)
    exports = AuditEvent.objects.filter(action=Action.EXPORT, actor_id=world.researcher.pk)
    assert sorted(exports.values_list("object_type", flat=True)) == [
        "qualitative.project.qdc",
        "qualitative.project.qdpx",
    ]
    assert set(exports.values_list("object_id", flat=True)) == {str(study.pk)}
    data = services.export_project(user=world.researcher, project=study)
    copy = services.import_project(user=world.researcher, agency=world.agency, data=data)
    created = AuditEvent.objects.filter(action=Action.CREATE, actor_id=world.researcher.pk)
    assert created.filter(object_type="qualitative.project", object_id=str(copy.pk)).exists()
    assert created.filter(object_type="qualitative.coding").count() == 5
    codes = set(Code.objects.filter(project=copy).values_list("pk", flat=True))
    assert {
        int(i)
        for i in created.filter(object_type="qualitative.code").values_list("object_id", flat=True)
    } >= codes


def test_a_file_shaped_like_other_tools_output_imports(world: World) -> None:
    data, ids = other_tool_qdpx()
    project = services.import_project(user=world.researcher, agency=world.agency, data=data)
    assert project.title == "Focus groups"
    access = project.codes.get(name="Access", parent=None)
    assert (access.colour, access.definition) == ("#aa3300", "Getting to services")
    waiting = project.codes.get(name="Waiting times")
    assert waiting.parent == access
    group1 = project.documents.get(title="Group 1")
    assert group1.text == "Line\nwaiting list\nthen more\n"
    coded = {
        (group1.text[c.start : c.end], c.coder_label)
        for c in Coding.objects.filter(document=group1)
    }
    # The file names no user: each coder is kept apart by its GUID.
    assert coded == {
        ("waiting list", f"User {ids['coder2']}"),
        ("then more", f"User {ids['coder1']}"),
    }
    case = project.cases.get()
    assert case.name == "Participant 7"
    assert group1.case == case
    assert sorted((v.attribute.name, v.value) for v in case.values.all()) == [
        ("Age", 41),
        ("Gender", "man"),
    ]
    memo = project.memos.get()
    assert (memo.code, memo.body) == (waiting, "Waiting comes up twice.")


def test_agreement_of_imported_coders_matches_the_original(world: World, study: Project) -> None:
    data = services.export_project(user=world.researcher, project=study)
    copy = services.import_project(user=world.researcher, agency=world.agency, data=data)

    def agreements(project: Project) -> list[float]:
        found = []
        for document in project.documents.order_by("title"):
            for code in project.codes.order_by("name"):
                spans: dict[str, list[tuple[int, int]]] = {}
                for coding in Coding.objects.filter(document=document, code=code):
                    spans.setdefault(coding.coder_name, []).append((coding.start, coding.end))
                if len(spans) == 2:
                    first, second = (spans[name] for name in sorted(spans))
                    result = coding_agreement(document.char_count, first, second)
                    found.append(result.percent_agreement)
        return found

    assert agreements(study)
    assert agreements(copy) == agreements(study)
