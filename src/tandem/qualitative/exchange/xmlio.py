"""Safe XML parsing, the REFI schemas, and the value formats shared by reader and writer."""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any, Final

from lxml import etree

from tandem.qualitative.exchange.errors import Problem
from tandem.qualitative.exchange.model import VariableScalar, VariableType

PROJECT_NS: Final = "urn:QDA-XML:project:1.0"
CODEBOOK_NS: Final = "urn:QDA-XML:codebook:1.0"

_GUID: Final = re.compile(
    r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?"
)
_COLOR: Final = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
# A DTD is the way to declare entities (XXE, "billion laughs"); REFI files never carry one.
_DTD_MARKERS: Final = ("<!DOCTYPE", "<!ENTITY")
# Namespace of the GUIDs Tandem derives (a selection per coding, a link per case memo).
_DERIVED: Final = uuid.UUID("3f1d7e0c-6a0b-4c44-9a55-2f0f4be0b7c1")


def derived_guid(*parts: str) -> str:
    """Return a GUID that the same ``parts`` always give (UUID version 5)."""
    return str(uuid.uuid5(_DERIVED, "/".join(parts)))


def selection_guid_for(coding_guid: str) -> str:
    """Return the GUID of the selection written for a coding that names none."""
    return derived_guid("selection", coding_guid)


def safe_parser() -> etree.XMLParser:
    """Return a parser that expands no entity, loads no DTD and reaches no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        encoding="utf-8",
    )


def parse_untrusted(data: bytes, name: str) -> tuple[Any, list[Problem]]:
    """Parse ``data`` (UTF-8) into a root element, or return the problems that stop it.

    The text is refused before parsing when it declares a DTD, and the parser expands no
    entity: XXE and entity-expansion attacks are answered with a problem, never followed.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            Problem("xml-encoding", name, f"is not UTF-8 text (byte {exc.start}), as REFI requires")
        ]
    for marker in _DTD_MARKERS:
        at = text.find(marker)
        if at >= 0:
            line = text.count("\n", 0, at) + 1
            return None, [
                Problem(
                    "xml-entity",
                    name,
                    f"declares a DTD or entity ({marker}); entity declarations are refused "
                    "because they can read local files or expand without bound",
                    line,
                )
            ]
    try:
        root = etree.fromstring(text.encode("utf-8"), safe_parser())
    except etree.XMLSyntaxError as exc:
        return None, [
            Problem("xml-malformed", name, f"is not well-formed XML: {exc.msg}", exc.lineno)
        ]
    if root.getroottree().docinfo.internalDTD is not None:
        return None, [Problem("xml-entity", name, "declares a DTD, which is refused", 1)]
    return root, []


@functools.cache
def schema(kind: str) -> etree.XMLSchema:
    """Return the compiled REFI schema, ``"Project"`` or ``"Codebook"``."""
    source = resources.files("tandem.qualitative.exchange").joinpath(f"schemas/{kind}.xsd")
    document = etree.fromstring(source.read_bytes(), safe_parser())
    return etree.XMLSchema(document)


def local(element: Any) -> str:
    """Return an element's tag without its namespace (other tools vary in namespaces)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def canonical_guid(value: str | None) -> str | None:
    """Return ``value`` as a lower-case GUID without braces, or None when it is not a GUID."""
    if value is None:
        return None
    match = _GUID.fullmatch(value.strip())
    if match is None:
        return None
    return str(uuid.UUID(match.group(1)))


def is_color(value: str) -> bool:
    """Tell whether ``value`` is a REFI colour, ``#RRGGBB`` or ``#RGB``."""
    return _COLOR.fullmatch(value) is not None


def format_datetime(value: dt.datetime) -> str:
    """Write an ``xsd:dateTime``."""
    return value.isoformat()


def parse_datetime(value: str) -> dt.datetime:
    """Read an ``xsd:dateTime`` (``Z`` or an offset, or none); raise ValueError if malformed."""
    return dt.datetime.fromisoformat(value.strip())


def format_value(kind: VariableType, value: VariableScalar) -> tuple[str, str]:
    """Return the REFI element name and text for a variable value of type ``kind``."""
    if kind is VariableType.BOOLEAN and isinstance(value, bool):
        return "BooleanValue", "true" if value else "false"
    if kind is VariableType.INTEGER and isinstance(value, int) and not isinstance(value, bool):
        return "IntegerValue", str(value)
    if (
        kind is VariableType.FLOAT
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        number = Decimal(repr(float(value)))
        if not number.is_finite():
            raise ValueError(f"a Float value must be finite, got {value!r}")
        return "FloatValue", format(number, "f")
    if kind is VariableType.DATETIME and isinstance(value, dt.datetime):
        return "DateTimeValue", format_datetime(value)
    if (
        kind is VariableType.DATE
        and isinstance(value, dt.date)
        and not isinstance(value, dt.datetime)
    ):
        return "DateValue", value.isoformat()
    if kind is VariableType.TEXT and isinstance(value, str):
        return "TextValue", value
    raise ValueError(f"{value!r} is not a {kind.value} value")


def parse_value(kind: VariableType, text: str) -> VariableScalar:
    """Read a variable value written as text, whatever element carried it; raise ValueError."""
    stripped = text.strip()
    if kind is VariableType.TEXT:
        return text
    if kind is VariableType.BOOLEAN:
        if stripped in {"true", "1"}:
            return True
        if stripped in {"false", "0"}:
            return False
        raise ValueError(f"{stripped!r} is not a Boolean (true, false, 1 or 0)")
    if kind is VariableType.INTEGER:
        try:
            return int(stripped)
        except ValueError:
            raise ValueError(f"{stripped!r} is not an Integer") from None
    if kind is VariableType.FLOAT:
        try:
            number = Decimal(stripped)
        except InvalidOperation:
            raise ValueError(f"{stripped!r} is not a Float") from None
        if not number.is_finite():
            raise ValueError(f"{stripped!r} is not a finite Float")
        return float(number)
    if kind is VariableType.DATE:
        try:
            return dt.date.fromisoformat(stripped)
        except ValueError:
            raise ValueError(f"{stripped!r} is not a Date (YYYY-MM-DD)") from None
    try:
        return parse_datetime(stripped)
    except ValueError:
        raise ValueError(f"{stripped!r} is not a DateTime") from None
