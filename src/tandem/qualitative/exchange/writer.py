"""Write a project as REFI-QDA ``.qdpx`` and a codebook as ``.qdc``, valid against the schemas.

Every container the schema requires to be non-empty (``Users``, ``Codes``, ``Cases``...) is
left out when there is nothing to put in it: an empty ``<Sets/>`` is what makes Taguette's
codebooks fail validation.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import Any, Final

from lxml import etree

from tandem.qualitative.exchange.checks import check_codes, check_project, check_text
from tandem.qualitative.exchange.errors import ExchangeError, Problem
from tandem.qualitative.exchange.model import (
    Code,
    Codebook,
    Coding,
    Note,
    Project,
    Source,
    VariableValue,
)
from tandem.qualitative.exchange.xmlio import (
    CODEBOOK_NS,
    PROJECT_NS,
    canonical_guid,
    derived_guid,
    format_datetime,
    format_value,
    schema,
    selection_guid_for,
)

__all__ = ["write_qdc", "write_qdpx"]

# Zip entries get a fixed time so that the same project gives the same bytes.
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)


def write_qdpx(project: Project) -> bytes:
    """Return ``project`` as a ``.qdpx`` zip: ``project.qde`` and ``sources/<guid>.txt``.

    Raises ``ExchangeError`` listing every inconsistency (unknown code, user or variable,
    coding outside its text, malformed GUID or colour...) before anything is written.
    """
    problems = check_project(project)
    if problems:
        raise ExchangeError(problems)
    root = _project_element(project)
    _validate(root, "Project", "project.qde")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "project.qde", _serialise(root))
        for source in project.sources:
            _add(archive, f"sources/{_guid(source.guid)}.txt", source.text.encode("utf-8"))
    return buffer.getvalue()


def write_qdc(codebook: Codebook) -> bytes:
    """Return ``codebook`` as a ``.qdc`` XML document; raise ``ExchangeError`` if it is invalid."""
    problems: list[Problem] = []
    if not codebook.codes:
        problems.append(
            Problem("codebook-empty", "CodeBook", "has no code; a .qdc needs at least one")
        )
    problems += check_codes(codebook.all_codes())
    problems += check_text("CodeBook", codebook.origin)
    if problems:
        raise ExchangeError(problems)
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", codebook.origin)
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for code in codebook.codes:
        _code_element(codes, code, CODEBOOK_NS, {})
    _validate(root, "Codebook", "codebook.qdc")
    return _serialise(root)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _serialise(root: Any) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return data


def _validate(root: Any, kind: str, name: str) -> None:
    checker = schema(kind)
    if not checker.validate(root):
        raise ExchangeError(
            Problem("schema", name, f"fails {kind}.xsd: {error.message}", error.line)
            for error in checker.error_log
        )


def _guid(value: str) -> str:
    canonical = canonical_guid(value)
    if canonical is None:  # check_project refused it before any element is built
        raise ValueError(f"{value!r} is not a GUID")
    return canonical


def _sub(parent: Any, tag: str, attributes: dict[str, str | None] | None = None) -> Any:
    element = etree.SubElement(parent, f"{{{PROJECT_NS}}}{tag}")
    for name, value in (attributes or {}).items():
        if value is not None:
            element.set(name, value)
    return element


def _when(value: Any) -> str | None:
    return None if value is None else format_datetime(value)


def _user(value: str | None) -> str | None:
    return None if value is None else _guid(value)


def _project_element(project: Project) -> Any:
    root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
    root.set("name", project.name)
    root.set("origin", project.origin)
    for name, value in (
        ("creatingUserGUID", _user(project.creating_user_guid)),
        ("creationDateTime", _when(project.created_at)),
        ("modifiedDateTime", _when(project.modified_at)),
    ):
        if value is not None:
            root.set(name, value)
    notes_on = _notes_by_target(project.notes)

    if project.users:
        users = _sub(root, "Users")
        for user in project.users:
            _sub(users, "User", {"guid": _guid(user.guid), "name": user.name})
    if project.codes:
        codes = _sub(_sub(root, "CodeBook"), "Codes")
        for code in project.codes:
            _code_element(codes, code, PROJECT_NS, notes_on)
    types = {_guid(v.guid): v.type for v in project.variables}
    if project.variables:
        variables = _sub(root, "Variables")
        for variable in project.variables:
            element = _sub(
                variables,
                "Variable",
                {
                    "guid": _guid(variable.guid),
                    "name": variable.name,
                    "typeOfVariable": variable.type.value,
                },
            )
            if variable.description:
                _sub(element, "Description").text = variable.description
    if project.cases:
        cases = _sub(root, "Cases")
        for case in project.cases:
            element = _sub(cases, "Case", {"guid": _guid(case.guid), "name": case.name or None})
            if case.description:
                _sub(element, "Description").text = case.description
            _values(element, case.values, types)
            for target in case.source_guids:
                _sub(element, "SourceRef", {"targetGUID": _guid(target)})
    if project.sources:
        sources = _sub(root, "Sources")
        for source in project.sources:
            _source_element(sources, source, types, notes_on)
    if project.notes:
        notes = _sub(root, "Notes")
        for note in project.notes:
            element = _sub(
                notes,
                "Note",
                {
                    "guid": _guid(note.guid),
                    "name": note.name,
                    "creatingUser": _user(note.creating_user_guid),
                    "creationDateTime": _when(note.created_at),
                },
            )
            _sub(element, "PlainTextContent").text = note.text
    _case_links(root, project)
    if project.description:
        _sub(root, "Description").text = project.description
    for note in project.notes:
        if note.about_project:
            _sub(root, "NoteRef", {"targetGUID": _guid(note.guid)})
    return root


def _notes_by_target(notes: Iterable[Note]) -> dict[str, list[str]]:
    by_target: dict[str, list[str]] = {}
    for note in notes:
        for target in sorted(note.targets):
            by_target.setdefault(_guid(target), []).append(_guid(note.guid))
    return by_target


def _note_refs(element: Any, guid: str, notes_on: dict[str, list[str]], ns: str) -> None:
    for note in notes_on.get(guid, []):
        etree.SubElement(element, f"{{{ns}}}NoteRef").set("targetGUID", note)


def _code_element(parent: Any, code: Code, ns: str, notes_on: dict[str, list[str]]) -> None:
    element = etree.SubElement(parent, f"{{{ns}}}Code")
    guid = _guid(code.guid)
    element.set("guid", guid)
    element.set("name", code.name)
    element.set("isCodable", "true" if code.is_codable else "false")
    if code.color is not None:
        element.set("color", code.color)
    if code.description:
        etree.SubElement(element, f"{{{ns}}}Description").text = code.description
    if ns == PROJECT_NS:  # the codebook schema has no NoteRef on a code
        _note_refs(element, guid, notes_on, ns)
    for child in code.children:
        _code_element(element, child, ns, notes_on)


def _values(element: Any, values: Iterable[VariableValue], types: dict[str, Any]) -> None:
    for item in values:
        variable = _guid(item.variable_guid)
        tag, text = format_value(types[variable], item.value)
        value = _sub(element, "VariableValue")
        _sub(value, "VariableRef", {"targetGUID": variable})
        _sub(value, tag).text = text


def _source_element(
    parent: Any, source: Source, types: dict[str, Any], notes_on: dict[str, list[str]]
) -> None:
    guid = _guid(source.guid)
    element = _sub(
        parent,
        "TextSource",
        {
            "guid": guid,
            "name": source.name,
            "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": _user(source.creating_user_guid),
            "creationDateTime": _when(source.created_at),
            "modifyingUser": _user(source.modifying_user_guid),
            "modifiedDateTime": _when(source.modified_at),
        },
    )
    if source.description:
        _sub(element, "Description").text = source.description
    selections: dict[str, list[Coding]] = {}
    for coding in source.codings:
        key = (
            _guid(coding.selection_guid)
            if coding.selection_guid
            else selection_guid_for(_guid(coding.guid))
        )
        selections.setdefault(key, []).append(coding)
    for selection_guid, codings in selections.items():
        first = codings[0]
        selection = _sub(
            element,
            "PlainTextSelection",
            {
                "guid": selection_guid,
                "startPosition": str(first.start),
                "endPosition": str(first.end),
                "creatingUser": _user(first.creating_user_guid),
                "creationDateTime": _when(first.created_at),
            },
        )
        for coding in codings:
            coding_guid = _guid(coding.guid)
            item = _sub(
                selection,
                "Coding",
                {
                    "guid": coding_guid,
                    "creatingUser": _user(coding.creating_user_guid),
                    "creationDateTime": _when(coding.created_at),
                },
            )
            _sub(item, "CodeRef", {"targetGUID": _guid(coding.code_guid)})
            _note_refs(item, coding_guid, notes_on, PROJECT_NS)
        _note_refs(selection, selection_guid, notes_on, PROJECT_NS)
    _note_refs(element, guid, notes_on, PROJECT_NS)
    _values(element, source.values, types)


def _case_links(root: Any, project: Project) -> None:
    # A REFI case has no NoteRef: a memo on a case travels as a one-way link from the note.
    cases = {_guid(c.guid) for c in project.cases}
    pairs = [
        (_guid(note.guid), _guid(target))
        for note in project.notes
        for target in sorted(note.targets)
        if _guid(target) in cases
    ]
    if not pairs:
        return
    links = _sub(root, "Links")
    for note, case in pairs:
        _sub(
            links,
            "Link",
            {
                "guid": derived_guid("note-case", note, case),
                "direction": "OneWay",
                "originGUID": note,
                "targetGUID": case,
            },
        )
