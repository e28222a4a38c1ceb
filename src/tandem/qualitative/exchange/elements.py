"""Reading single REFI elements while collecting problems rather than stopping at the first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from tandem.qualitative.exchange.errors import Problem
from tandem.qualitative.exchange.model import Code
from tandem.qualitative.exchange.xmlio import canonical_guid, is_color, local, parse_datetime


def children(element: Any, tag: str) -> Iterator[Any]:
    """Return the element's children with local name ``tag``."""
    return (item for item in element if local(item) == tag)


def child(element: Any, tag: str) -> Any | None:
    """Return the element's first child with local name ``tag``, or None."""
    return next(children(element, tag), None)


def path(element: Any, *tags: str) -> Iterator[Any]:
    """Return the descendants reached by following ``tags`` one level each."""
    if not tags:
        yield element
        return
    for item in children(element, tags[0]):
        yield from path(item, *tags[1:])


def text_of(element: Any, tag: str) -> str:
    """Return the text of the element's child ``tag`` (empty when there is none)."""
    found = child(element, tag)
    return "" if found is None else "".join(found.itertext())


class ElementReader:
    """Reading of single elements, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.skipped: list[str] = []
        self.seen_guids: dict[str, int | None] = {}

    def problem(self, code: str, element: Any, message: str) -> None:
        """Record a problem at ``element`` and its line."""
        self.problems.append(Problem(code, where(element), message, element.sourceline))

    def guid(self, element: Any, attribute: str = "guid", *, declares: bool = False) -> str | None:
        """Return the canonical GUID in ``attribute``; ``declares`` also checks it is unique."""
        raw = element.get(attribute)
        if raw is None:
            if declares or attribute == "targetGUID":
                self.problem("guid", element, f"has no {attribute}")
            return None
        guid = canonical_guid(raw)
        if guid is None:
            self.problem("guid", element, f"{attribute} {raw!r} is not a GUID")
        elif declares:
            if guid in self.seen_guids:
                self.problem(
                    "guid-duplicate",
                    element,
                    f"reuses GUID {guid} (first on line {self.seen_guids[guid]})",
                )
            self.seen_guids.setdefault(guid, element.sourceline)
        return guid

    def when(self, element: Any, attribute: str) -> dt.datetime | None:
        """Return the ``xsd:dateTime`` in ``attribute``, or None when absent or malformed."""
        raw = element.get(attribute)
        if raw is None:
            return None
        try:
            return parse_datetime(raw)
        except ValueError:
            self.problem("datetime", element, f"{attribute} {raw!r} is not a date and time")
            return None

    def code(self, element: Any) -> Code:
        """Return a ``Code`` element and its descendants as a code tree."""
        guid = self.guid(element, declares=True) or ""
        name = element.get("name")
        if name is None:
            self.problem("code-name", element, "has no name")
        color = element.get("color")
        if color is not None and not is_color(color):
            self.skipped.append(f"colour {color!r} of code {name!r} (not #RRGGBB)")
            color = None
        codable = element.get("isCodable", "true").strip() not in {"false", "0"}
        return Code(
            guid=guid,
            name=name or "",
            color=color,
            description=text_of(element, "Description"),
            is_codable=codable,
            children=tuple(self.code(item) for item in children(element, "Code")),
        )


def where(element: Any) -> str:
    """Name an element for a problem: its tag, and its name when it has one."""
    tag = local(element)
    name = element.get("name")
    return f"<{tag}> {name!r}" if name else f"<{tag}>"
