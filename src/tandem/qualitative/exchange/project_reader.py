"""Turn a parsed ``project.qde`` into a :class:`Project`, resolving texts in the archive."""

from __future__ import annotations

import bisect
import dataclasses
import posixpath
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import unquote

from tandem.qualitative.exchange.archive import Archive, unsafe_name
from tandem.qualitative.exchange.elements import ElementReader, child, children, path, text_of
from tandem.qualitative.exchange.errors import ExchangeError
from tandem.qualitative.exchange.model import (
    Case,
    Code,
    Coding,
    Note,
    Project,
    Source,
    User,
    Variable,
    VariableType,
    VariableValue,
)
from tandem.qualitative.exchange.xmlio import (
    canonical_guid,
    local,
    parse_value,
    selection_guid_for,
)

_VALUE_TAGS: Final = {
    "TextValue",
    "BooleanValue",
    "IntegerValue",
    "FloatValue",
    "DateValue",
    "DateTimeValue",
}
_MEDIA_SOURCES: Final = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


class ProjectReader(ElementReader):
    """Read one ``<Project>`` element; ``read()`` raises ``ExchangeError`` with every problem."""

    def __init__(self, root: Any, archive: Archive) -> None:
        super().__init__()
        self.root = root
        self.archive = archive
        self.users: dict[str, User] = {}
        self.codes: dict[str, Code] = {}
        self.variables: dict[str, Variable] = {}
        self.note_targets: dict[str, set[str]] = {}
        self.project_notes: set[str] = set()

    def read(self) -> Project:
        """Return the project, or raise ``ExchangeError`` listing every problem found."""
        root = self.root
        for element in path(root, "Users", "User"):
            guid = self.guid(element, declares=True)
            if guid is not None:
                self.users[guid] = User(guid=guid, name=element.get("name") or "")
        codes = tuple(self.code(element) for element in path(root, "CodeBook", "Codes", "Code"))
        self.codes = {code.guid: code for top in codes for code in top.walk()}
        for element in path(root, "Variables", "Variable"):
            self._variable(element)
        sources = tuple(self._sources())
        source_guids = {source.guid for source in sources}
        cases = tuple(self._case(element, source_guids) for element in path(root, "Cases", "Case"))
        notes_xml = list(path(root, "Notes", "Note"))
        note_guids = {g for n in notes_xml if (g := canonical_guid(n.get("guid"))) is not None}
        self._note_refs(note_guids)
        self._links(note_guids, {case.guid for case in cases})
        notes = tuple(self._note(element) for element in notes_xml)
        for tag in ("Sets", "Graphs"):
            if child(root, tag) is not None:
                self.skipped.append(f"{tag} (Tandem does not import them)")
        name = root.get("name")
        if name is None:
            self.problem("project-name", root, "has no name")
        creator = self._user(root, "creatingUserGUID")
        created_at = self.when(root, "creationDateTime")
        modified_at = self.when(root, "modifiedDateTime")
        if self.problems:
            raise ExchangeError(self.problems)
        return Project(
            name=name or "",
            origin=root.get("origin") or "",
            description=text_of(root, "Description"),
            creating_user_guid=creator,
            created_at=created_at,
            modified_at=modified_at,
            users=tuple(self.users.values()),
            codes=codes,
            variables=tuple(self.variables.values()),
            cases=cases,
            sources=sources,
            notes=notes,
            skipped=tuple(self.skipped),
        )

    def _user(self, element: Any, attribute: str) -> str | None:
        """Return the user an attribute names, adding users that ``Users`` does not declare."""
        guid = self.guid(element, attribute)
        if guid is not None and guid not in self.users:
            self.users[guid] = User(guid=guid)
        return guid

    def _variable(self, element: Any) -> None:
        guid = self.guid(element, declares=True)
        raw_type = element.get("typeOfVariable")
        try:
            kind = VariableType(raw_type)
        except ValueError:
            self.problem(
                "variable-type", element, f"typeOfVariable {raw_type!r} is not a REFI type"
            )
            return
        if guid is not None:
            self.variables[guid] = Variable(
                guid=guid,
                name=element.get("name") or "",
                type=kind,
                description=text_of(element, "Description"),
            )

    def _values(self, owner: Any) -> tuple[VariableValue, ...]:
        values: list[VariableValue] = []
        for element in children(owner, "VariableValue"):
            ref = child(element, "VariableRef")
            target = self.guid(ref, "targetGUID") if ref is not None else None
            if ref is None or target is None:
                self.problem("variable-ref", element, "has no VariableRef")
                continue
            variable = self.variables.get(target)
            if variable is None:
                self.problem("unknown-variable", ref, f"refers to unknown variable {target}")
                continue
            carrier = next((c for c in element if local(c) in _VALUE_TAGS), None)
            if carrier is None:
                continue  # the schema lets a value be absent
            try:
                value = parse_value(variable.type, "".join(carrier.itertext()))
            except ValueError as exc:
                self.problem("variable-value", carrier, f"variable {variable.name!r}: {exc}")
                continue
            values.append(VariableValue(variable_guid=target, value=value))
        return tuple(values)

    def _case(self, element: Any, source_guids: set[str]) -> Case:
        guid = self.guid(element, declares=True) or ""
        linked: list[str] = []
        for ref in children(element, "SourceRef"):
            target = self.guid(ref, "targetGUID")
            if target is not None and target not in source_guids:
                self.problem("unknown-source", ref, f"refers to unknown source {target}")
            elif target is not None:
                linked.append(target)
        for tag in ("CodeRef", "SelectionRef"):
            if child(element, tag) is not None:
                self.skipped.append(f"{tag} of case {element.get('name')!r}")
        return Case(
            guid=guid,
            name=element.get("name") or "",
            description=text_of(element, "Description"),
            values=self._values(element),
            source_guids=tuple(linked),
        )

    def _sources(self) -> Iterator[Source]:
        for container in children(self.root, "Sources"):
            for element in container:
                tag = local(element)
                if tag == "TextSource":
                    source = self._source(element)
                    if source is not None:
                        yield source
                elif tag in _MEDIA_SOURCES:
                    self.skipped.append(
                        f"{tag} {element.get('name')!r} (Tandem imports plain text)"
                    )

    def _source(self, element: Any) -> Source | None:
        guid = self.guid(element, declares=True)
        text = self._plaintext_of(element)
        if guid is None or text is None:
            return None
        removed = _line_break_shifts(text)
        codings: list[Coding] = []
        for selection in children(element, "PlainTextSelection"):
            codings += self._selection(selection, text, removed)
        for coding in children(element, "Coding"):  # a coding of the whole source
            made = self._coding(coding, element, 0, len(text), None)
            if made is not None:
                codings.append(made)
        if "\r" in text:
            codings = [_shift(c, removed) for c in codings]
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return Source(
            guid=guid,
            name=element.get("name") or "",
            text=text,
            description=text_of(element, "Description"),
            creating_user_guid=self._user(element, "creatingUser"),
            created_at=self.when(element, "creationDateTime"),
            modifying_user_guid=self._user(element, "modifyingUser"),
            modified_at=self.when(element, "modifiedDateTime"),
            codings=tuple(codings),
            values=self._values(element),
        )

    def _plaintext_of(self, element: Any) -> str | None:
        path = element.get("plainTextPath")
        inline = child(element, "PlainTextContent")
        if path is None and inline is not None:
            return "".join(inline.itertext())
        if path is None:
            what = "only rich text (richTextPath)" if element.get("richTextPath") else "no text"
            self.problem("source-text", element, f"has {what}; Tandem imports plain text")
            return None
        scheme, _, rest = path.partition("://")
        if scheme.lower() != "internal":
            self.problem(
                "source-path",
                element,
                f"plainTextPath {path!r} points outside the .qdpx file, which is not read",
            )
            return None
        name = unquote(rest)
        reason = unsafe_name(name)
        if reason is not None:
            self.problem("zip-path", element, f"plainTextPath {path!r} {reason}; refused")
            return None
        info = self.archive.find(
            posixpath.join("sources", name), name, posixpath.join("sources", rest), rest
        )
        if info is None:
            self.problem(
                "source-missing", element, f"plainTextPath {path!r}: no such file in the zip"
            )
            return None
        data = self.archive.read(info)
        if data is None:
            self.problems += self.archive.problems
            self.archive.problems.clear()
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(
                "source-encoding", element, f"{info.filename} is not UTF-8 (byte {exc.start})"
            )
            return None

    def _selection(self, element: Any, text: str, removed: list[int]) -> list[Coding]:
        self.guid(element, declares=True)
        try:
            start = int(element.get("startPosition", ""))
            end = int(element.get("endPosition", ""))
        except ValueError:
            self.problem(
                "selection-range", element, "startPosition and endPosition must be integers"
            )
            return []
        if not 0 <= start <= end <= len(text):
            self.problem(
                "selection-range",
                element,
                f"selection {start}..{end} is not within the text (0..{len(text)}) or starts "
                "after it ends",
            )
            return []
        codings = [
            self._coding(c, element, start, end, element) for c in children(element, "Coding")
        ]
        return [c for c in codings if c is not None]

    def _coding(
        self, element: Any, owner: Any, start: int, end: int, selection: Any | None
    ) -> Coding | None:
        guid = self.guid(element, declares=True)
        ref = child(element, "CodeRef")
        code = self.guid(ref, "targetGUID") if ref is not None else None
        if ref is None:
            self.problem("code-ref", element, "has no CodeRef")
        elif code is not None and code not in self.codes:
            self.problem("unknown-code", ref, f"refers to code {code}, which the codebook lacks")
        # Some tools record the coder on the selection only.
        user = self._user(element, "creatingUser")
        created = self.when(element, "creationDateTime")
        if selection is not None:
            user = user or self._user(selection, "creatingUser")
            created = created or self.when(selection, "creationDateTime")
        if guid is None or code is None:
            return None
        selection_guid = canonical_guid(selection.get("guid")) if selection is not None else None
        if selection_guid == selection_guid_for(guid):
            selection_guid = None  # the selection Tandem wrote for this coding alone
        return Coding(
            guid=guid,
            code_guid=code,
            start=start,
            end=end,
            creating_user_guid=user,
            created_at=created,
            selection_guid=selection_guid,
        )

    def _note_refs(self, note_guids: set[str]) -> None:
        for ref in self.root.iter():
            if local(ref) != "NoteRef":
                continue
            target = self.guid(ref, "targetGUID")
            if target is None:
                continue
            if target not in note_guids:
                self.problem("unknown-note", ref, f"refers to note {target}, which Notes lacks")
                continue
            parent = ref.getparent()
            if parent is self.root:
                self.project_notes.add(target)
            elif local(parent) == "Link":
                continue
            else:
                owner = canonical_guid(parent.get("guid"))
                if owner is not None:
                    self.note_targets.setdefault(target, set()).add(owner)

    def _links(self, note_guids: set[str], case_guids: set[str]) -> None:
        for link in path(self.root, "Links", "Link"):
            origin = canonical_guid(link.get("originGUID"))
            target = canonical_guid(link.get("targetGUID"))
            if origin in note_guids and target in case_guids and origin and target:
                self.note_targets.setdefault(origin, set()).add(target)
            else:
                self.skipped.append(f"link {link.get('name') or link.get('guid')!r}")

    def _note(self, element: Any) -> Note:
        guid = self.guid(element, declares=True) or ""
        text = self._plaintext_of(element)
        return Note(
            guid=guid,
            name=element.get("name") or "",
            text=(text or "").replace("\r\n", "\n").replace("\r", "\n"),
            targets=frozenset(self.note_targets.get(guid, set())),
            about_project=guid in self.project_notes,
            creating_user_guid=self._user(element, "creatingUser"),
            created_at=self.when(element, "creationDateTime"),
        )


def _line_break_shifts(text: str) -> list[int]:
    """Return the offsets of the ``\\r`` of each ``\\r\\n``: the characters normalising drops."""
    positions: list[int] = []
    at = text.find("\r\n")
    while at >= 0:
        positions.append(at)
        at = text.find("\r\n", at + 2)
    return positions


def _shift(coding: Coding, removed: list[int]) -> Coding:
    """Move a coding's offsets onto the text without the dropped ``\\r`` characters."""
    return dataclasses.replace(
        coding,
        start=coding.start - bisect.bisect_left(removed, coding.start),
        end=coding.end - bisect.bisect_left(removed, coding.end),
    )
