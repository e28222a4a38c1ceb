"""A qualitative project as REFI-QDA exchanges it: users, codes, cases, sources, codings, notes.

These dataclasses hold no database rows: the import service turns them into models and the
export service builds them from models. GUIDs are kept in canonical form (lower-case hex,
no braces, as ``str(uuid.UUID(...))`` writes them); the reader normalises what other tools
write. Character offsets count Unicode code points, as Python strings and REFI do.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


class VariableType(enum.StrEnum):
    """REFI's ``typeOfVariable``: how the values of a case attribute are written."""

    TEXT = "Text"
    BOOLEAN = "Boolean"
    INTEGER = "Integer"
    FLOAT = "Float"
    DATE = "Date"
    DATETIME = "DateTime"


VariableScalar = str | bool | int | float | dt.date | dt.datetime


@dataclass(frozen=True, slots=True)
class User:
    """A person who created codings or sources (REFI ``User``)."""

    guid: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Code:
    """A node of the codebook tree; a category or theme is a code with children.

    ``is_codable`` is False for a grouping node that may not be applied to text.
    """

    guid: str
    name: str
    color: str | None = None
    description: str = ""
    is_codable: bool = True
    children: tuple[Code, ...] = ()

    def walk(self) -> tuple[Code, ...]:
        """Return this code and every descendant, parents before children."""
        found: list[Code] = [self]
        for child in self.children:
            found.extend(child.walk())
        return tuple(found)


@dataclass(frozen=True, slots=True)
class Variable:
    """A typed case attribute such as gender or years of experience (REFI ``Variable``)."""

    guid: str
    name: str
    type: VariableType
    description: str = ""


@dataclass(frozen=True, slots=True)
class VariableValue:
    """The value of one variable for one case or source.

    The Python type follows the variable's type: ``str`` (Text), ``bool``, ``int``, ``float``,
    ``datetime.date`` (Date) or ``datetime.datetime`` (DateTime).
    """

    variable_guid: str
    value: VariableScalar


@dataclass(frozen=True, slots=True)
class Case:
    """A participant or other unit of analysis, with attribute values and linked sources."""

    guid: str
    name: str = ""
    description: str = ""
    values: tuple[VariableValue, ...] = ()
    source_guids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Coding:
    """One code applied by one coder to ``text[start:end]`` of a source.

    ``selection_guid`` names the REFI ``PlainTextSelection`` that carries the offsets; codings
    that share it are written in one selection and must then share the offsets too. When it
    is None the writer derives one from the coding's GUID.
    """

    guid: str
    code_guid: str
    start: int
    end: int
    creating_user_guid: str | None = None
    created_at: dt.datetime | None = None
    selection_guid: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """A plain-text document, such as an interview transcript, with its codings.

    ``text`` has ``\\n`` line endings (the reader normalises others and moves the offsets).
    """

    guid: str
    name: str
    text: str
    description: str = ""
    creating_user_guid: str | None = None
    created_at: dt.datetime | None = None
    modifying_user_guid: str | None = None
    modified_at: dt.datetime | None = None
    codings: tuple[Coding, ...] = ()
    values: tuple[VariableValue, ...] = ()


@dataclass(frozen=True, slots=True)
class Note:
    """A memo, attached to the project and to any codes, sources, codings or cases.

    ``targets`` holds the GUIDs of what the memo is about; ``about_project`` marks a memo on
    the project as a whole (a REFI project has no GUID of its own).
    """

    guid: str
    name: str
    text: str
    targets: frozenset[str] = frozenset()
    about_project: bool = False
    creating_user_guid: str | None = None
    created_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Project:
    """Everything a ``.qdpx`` file carries that Tandem imports and exports.

    ``skipped`` lists, after an import, what the file held that Tandem does not import
    (pictures, PDFs, audio, video, sets, graphs); it is ignored on export.
    """

    name: str
    origin: str = "Tandem"
    description: str = ""
    creating_user_guid: str | None = None
    created_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    users: tuple[User, ...] = ()
    codes: tuple[Code, ...] = ()
    variables: tuple[Variable, ...] = ()
    cases: tuple[Case, ...] = ()
    sources: tuple[Source, ...] = ()
    notes: tuple[Note, ...] = ()
    skipped: tuple[str, ...] = field(default=(), compare=False)

    def all_codes(self) -> tuple[Code, ...]:
        """Return every code of the tree, parents before children."""
        return tuple(code for root in self.codes for code in root.walk())


@dataclass(frozen=True, slots=True)
class Codebook:
    """A codebook exchanged alone, as a ``.qdc`` file."""

    codes: tuple[Code, ...]
    origin: str = "Tandem"

    def all_codes(self) -> tuple[Code, ...]:
        """Return every code of the tree, parents before children."""
        return tuple(code for root in self.codes for code in root.walk())
