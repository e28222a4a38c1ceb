"""A project with one of everything for the exchange tests, and the hostile files to refuse."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from importlib import resources

from lxml import etree

from tandem.accounts.models import User
from tandem.orgs.models import Agency
from tandem.qualitative.models import (
    AttributeDefinition,
    AttributeType,
    Case,
    CaseValue,
    Code,
    Coding,
    Document,
    DocumentSource,
    Memo,
    Project,
    ProjectMember,
    ProjectRole,
)

TEXT_1 = "Interviewer: What helped?\nP01: Being listened to, really — that was it. ☕\n"
TEXT_2 = "P02: Waiting was the worst part.\nThe group helped.\n"


def xsd(kind: str) -> etree.XMLSchema:
    path = resources.files("tandem.qualitative.exchange").joinpath(f"schemas/{kind}.xsd")
    return etree.XMLSchema(etree.fromstring(path.read_bytes()))


def make_zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buffer.getvalue()


def full_project(agency: Agency, lead: User, coder: User) -> Project:
    """Category → theme → code, typed attributes, two cases, two documents coded by two people."""
    project = Project.objects.create(agency=agency, title="Alliance study", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectRole.LEAD)
    ProjectMember.objects.create(project=project, user=coder, role=ProjectRole.CODER)
    category = Code.objects.create(
        project=project, name="Relationship", colour="#aa3300", created_by=lead
    )
    theme = Code.objects.create(
        project=project,
        parent=category,
        name="Being heard",
        definition="Felt listened to",
        created_by=lead,
    )
    leaf = Code.objects.create(
        project=project, parent=theme, name="Listening", position=0, created_by=lead
    )
    other = Code.objects.create(project=project, name="Waiting", position=1, created_by=lead)
    attributes = {
        kind: AttributeDefinition.objects.create(
            project=project, name=name, value_type=kind, position=i
        )
        for i, (kind, name) in enumerate(
            [
                (AttributeType.TEXT, "Gender"),
                (AttributeType.INTEGER, "Years"),
                (AttributeType.FLOAT, "Score"),
                (AttributeType.BOOLEAN, "Completed"),
                (AttributeType.DATE, "Interviewed"),
            ]
        )
    }
    values = [
        {"text": "woman", "integer": 4, "float": 2.5, "boolean": True, "date": dt.date(2026, 3, 2)},
        {"text": "man", "integer": 11, "float": 0.75, "boolean": False},
    ]
    cases = []
    for number, row in enumerate(values, start=1):
        case = Case.objects.create(project=project, name=f"P0{number}", created_by=lead)
        for kind, value in row.items():
            stored = CaseValue(case=case, attribute=attributes[AttributeType(kind)])
            stored.set_value(value)
            stored.save()
        cases.append(case)
    documents = [
        Document.objects.create(
            project=project,
            title=title,
            case=case,
            text=text,
            source=DocumentSource.PASTED,
            created_by=lead,
        )
        for title, case, text in [
            ("Interview 1", cases[0], TEXT_1),
            ("Interview 2", cases[1], TEXT_2),
        ]
    ]
    for document, code, start, end, person in [
        (documents[0], leaf, 31, 52, lead),
        (documents[0], leaf, 31, 50, coder),
        (documents[0], theme, 26, 72, coder),
        (documents[1], other, 5, 32, lead),
        (documents[1], other, 0, 32, coder),
    ]:
        Coding.objects.create(document=document, code=code, start=start, end=end, coder=person)
    Memo.objects.create(project=project, title="Overall", body="Listening matters.", author=lead)
    Memo.objects.create(
        project=project, code=leaf, title="On listening", body="Close to trust.", author=coder
    )
    return project


def codings_of(project: Project) -> list[tuple[str, str, int, int, str]]:
    """(document, code path, start, end, coder name) of every coding, sorted."""

    def path(code: Code) -> str:
        return f"{path(code.parent)}/{code.name}" if code.parent else code.name

    return sorted(
        (coding.document.title, path(coding.code), coding.start, coding.end, coding.coder_name)
        for coding in Coding.objects.filter(document__project=project).select_related(
            "document", "code", "coder"
        )
    )


def code_tree(project: Project) -> list[tuple[str, str, str, str]]:
    """(parent name, name, colour, definition) of every code, sorted."""
    return sorted(
        (code.parent.name if code.parent else "", code.name, code.colour, code.definition)
        for code in project.codes.select_related("parent")
    )


def cases_of(project: Project) -> list[tuple[str, list[tuple[str, object]], list[str]]]:
    return sorted(
        (
            case.name,
            sorted((v.attribute.name, v.value) for v in case.values.select_related("attribute")),
            sorted(d.title for d in case.documents.all()),
        )
        for case in project.cases.all()
    )


def minimal_qde(body: str = "", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}\n'
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="p">{body}</Project>'
    )


def _source(extra: str = "", text_path: str | None = None) -> tuple[str, str]:
    guid = str(uuid.uuid4())
    path = text_path or f"internal://{guid}.txt"
    return (
        guid,
        f'<Sources><TextSource guid="{guid}" name="t" plainTextPath="{path}">'
        f"{extra}</TextSource></Sources>",
    )


def hostile_files() -> dict[str, tuple[bytes, str]]:
    """Each broken or hostile ``.qdpx`` with the problem code its refusal must name."""
    xxe = '<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    bomb_guid, bomb_body = _source()
    code = str(uuid.uuid4())
    past_guid, past_body = _source(
        f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="2" endPosition="400">'
        f'<Coding guid="{uuid.uuid4()}"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection>"
    )
    codebook = (
        f'<CodeBook><Codes><Code guid="{code}" name="c" isCodable="true"/></Codes></CodeBook>'
    )
    return {
        "xxe": (
            make_zip({"project.qde": minimal_qde("<Description>&xxe;</Description>", xxe)}),
            "xml-entity",
        ),
        "zip bomb": (
            make_zip(
                {
                    "project.qde": minimal_qde(bomb_body),
                    f"sources/{bomb_guid}.txt": b"a" * 3_000_000,
                }
            ),
            "zip-too-large",
        ),
        "path traversal": (
            make_zip({"project.qde": minimal_qde(), "../../evil.txt": "x"}),
            "zip-path",
        ),
        "missing project XML": (make_zip({"sources/a.txt": "text"}), "no-project-xml"),
        "selection past the end": (
            make_zip(
                {
                    "project.qde": minimal_qde(codebook + past_body),
                    f"sources/{past_guid}.txt": "short text",
                }
            ),
            "selection-range",
        ),
    }
