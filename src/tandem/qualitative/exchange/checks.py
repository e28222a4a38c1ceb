"""Consistency checks of a project or codebook before it is written: every problem at once."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Final

from tandem.qualitative.exchange.errors import Problem
from tandem.qualitative.exchange.model import Code, Project, Source, Variable, VariableValue
from tandem.qualitative.exchange.xmlio import (
    canonical_guid,
    format_value,
    is_color,
    selection_guid_for,
)

# Characters that XML 1.0 cannot carry, even escaped.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_project(project: Project) -> list[Problem]:
    problems: list[Problem] = []
    codes = project.all_codes()
    problems += check_codes(codes)
    problems += check_text("Project", project.name, project.description, project.origin)
    code_guids = {canonical_guid(c.guid) for c in codes}
    user_guids = {canonical_guid(u.guid) for u in project.users}
    variables = {canonical_guid(v.guid): v for v in project.variables}
    source_guids = {canonical_guid(s.guid) for s in project.sources}
    all_guids: list[str] = []

    def guid(value: str | None, element: str, attribute: str = "guid") -> None:
        canonical = canonical_guid(value)
        if canonical is None:
            problems.append(Problem("guid", element, f"{attribute} {value!r} is not a GUID"))
        elif attribute == "guid":
            all_guids.append(canonical)

    def user(value: str | None, element: str) -> None:
        if value is not None and canonical_guid(value) not in user_guids:
            problems.append(Problem("unknown-user", element, f"names user {value!r}, not in users"))

    for item in project.users:
        guid(item.guid, f"User {item.name!r}")
        problems += check_text(f"User {item.name!r}", item.name)
    for code in codes:
        guid(code.guid, f"Code {code.name!r}")
    for variable in project.variables:
        guid(variable.guid, f"Variable {variable.name!r}")
        problems += check_text(f"Variable {variable.name!r}", variable.name, variable.description)
    for case in project.cases:
        element = f"Case {case.name!r}"
        guid(case.guid, element)
        problems += check_text(element, case.name, case.description)
        problems += _check_values(element, case.values, variables)
        for target in case.source_guids:
            if canonical_guid(target) not in source_guids:
                problems.append(
                    Problem("unknown-source", element, f"links unknown source {target!r}")
                )
    for source in project.sources:
        element = f"TextSource {source.name!r}"
        guid(source.guid, element)
        problems += check_text(element, source.name, source.description)
        user(source.creating_user_guid, element)
        user(source.modifying_user_guid, element)
        problems += _check_values(element, source.values, variables)
        problems += _check_codings(source, code_guids)
        for coding in source.codings:
            coding_element = f"Coding {coding.guid!r} of {element}"
            guid(coding.guid, coding_element)
            user(coding.creating_user_guid, coding_element)
            if coding.selection_guid is not None:
                guid(coding.selection_guid, coding_element, "selection_guid")
    selection_guids = {
        canonical_guid(c.selection_guid) or selection_guid_for(canonical_guid(c.guid) or c.guid)
        for s in project.sources
        for c in s.codings
    }
    all_guids += sorted(g for g in selection_guids if g)
    coding_guids = {canonical_guid(c.guid) for s in project.sources for c in s.codings}
    targets = code_guids | source_guids | coding_guids | selection_guids
    targets |= {canonical_guid(c.guid) for c in project.cases}
    for note in project.notes:
        element = f"Note {note.name!r}"
        guid(note.guid, element)
        user(note.creating_user_guid, element)
        problems += check_text(element, note.name, note.text)
        for target in sorted(note.targets):
            if canonical_guid(target) not in targets:
                problems.append(Problem("unknown-target", element, f"is about unknown {target!r}"))
    for duplicate, count in Counter(all_guids).items():
        if count > 1:
            problems.append(
                Problem("guid-duplicate", "Project", f"GUID {duplicate} is used {count} times")
            )
    return problems


def check_codes(codes: Iterable[Code]) -> list[Problem]:
    problems: list[Problem] = []
    for code in codes:
        element = f"Code {code.name!r}"
        if canonical_guid(code.guid) is None:
            problems.append(Problem("guid", element, f"guid {code.guid!r} is not a GUID"))
        if code.color is not None and not is_color(code.color):
            problems.append(
                Problem("color", element, f"color {code.color!r} is not #RRGGBB or #RGB")
            )
        problems += check_text(element, code.name, code.description)
    return problems


def _check_codings(source: Source, code_guids: set[str | None]) -> list[Problem]:
    problems: list[Problem] = []
    length = len(source.text)
    offsets: dict[str, tuple[int, int]] = {}
    for coding in source.codings:
        element = f"Coding {coding.guid!r} of TextSource {source.name!r}"
        if not 0 <= coding.start <= coding.end <= length:
            problems.append(
                Problem(
                    "selection-range",
                    element,
                    f"selection {coding.start}..{coding.end} is not within the text "
                    f"(0..{length}) or starts after it ends",
                )
            )
        code = canonical_guid(coding.code_guid)
        if code not in code_guids:
            problems.append(
                Problem("unknown-code", element, f"applies unknown code {coding.code_guid!r}")
            )
        if coding.selection_guid is not None:
            key = canonical_guid(coding.selection_guid) or coding.selection_guid
            span = offsets.setdefault(key, (coding.start, coding.end))
            if span != (coding.start, coding.end):
                problems.append(
                    Problem(
                        "selection-mismatch",
                        element,
                        f"shares selection {coding.selection_guid!r} with other offsets {span}",
                    )
                )
    return problems


def _check_values(
    element: str, values: Iterable[VariableValue], variables: dict[str | None, Variable]
) -> list[Problem]:
    problems: list[Problem] = []
    for item in values:
        variable = variables.get(canonical_guid(item.variable_guid))
        if variable is None:
            problems.append(
                Problem(
                    "unknown-variable",
                    element,
                    f"has a value of unknown variable {item.variable_guid!r}",
                )
            )
            continue
        try:
            format_value(variable.type, item.value)
        except ValueError as exc:
            problems.append(
                Problem("variable-value", element, f"variable {variable.name!r}: {exc}")
            )
        if isinstance(item.value, str):
            problems += check_text(element, item.value)
    return problems


def check_text(element: str, *texts: str) -> list[Problem]:
    return [
        Problem(
            "xml-character", element, f"contains a character XML cannot carry ({match.group()!r})"
        )
        for text in texts
        if (match := _NOT_XML.search(text)) is not None
    ]
