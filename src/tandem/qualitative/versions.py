"""Comparing two saved states of a codebook: codes added, removed, renamed and moved.

Pure: a state is the list ``CodebookVersion.codes`` holds (``{"id", "name", "parent_id",
"position"}``). Codes are matched by id, so a renamed code is one code renamed, not one removed
and another added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Rename:
    code_id: int
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class Move:
    code_id: int
    name: str
    parent_before: str | None
    parent_after: str | None


@dataclass(frozen=True, slots=True)
class CodebookComparisonResult:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)

    @property
    def is_unchanged(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.moved)


def _path(codes: dict[int, dict[str, Any]], pk: int | None) -> str | None:
    """A code's place as "Category / Theme / Code", or None at the top of the tree."""
    names: list[str] = []
    seen: set[int] = set()
    while pk is not None and pk in codes and pk not in seen:
        seen.add(pk)
        names.append(codes[pk]["name"])
        pk = codes[pk]["parent_id"]
    return " / ".join(reversed(names)) if names else None


def compare_codebooks(
    before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]
) -> CodebookComparisonResult:
    """What changed from ``before`` to ``after``, each list in the order of the later tree."""
    old = {code["id"]: code for code in before}
    new = {code["id"]: code for code in after}
    result = CodebookComparisonResult()
    for code in after:
        pk = code["id"]
        if pk not in old:
            result.added.append(_path(new, pk) or code["name"])
            continue
        if old[pk]["name"] != code["name"]:
            result.renamed.append(Rename(pk, old[pk]["name"], code["name"]))
        if old[pk]["parent_id"] != code["parent_id"]:
            result.moved.append(
                Move(
                    pk,
                    code["name"],
                    _path(old, old[pk]["parent_id"]),
                    _path(new, code["parent_id"]),
                )
            )
    result.removed.extend(
        _path(old, code["id"]) or code["name"] for code in before if code["id"] not in new
    )
    return result
