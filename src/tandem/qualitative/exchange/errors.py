"""Problems found in an exchange file, gathered so that one refusal lists them all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from typing_extensions import override


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason to refuse a file: where it is (element or zip entry, line) and what is wrong.

    ``code`` is a stable identifier (``xml-entity``, ``zip-too-large``, ``selection-range``...)
    for tests and for translated messages; ``message`` is the English explanation.
    """

    code: str
    element: str
    message: str
    line: int | None = None

    @override
    def __str__(self) -> str:
        where = f"{self.element}, line {self.line}" if self.line is not None else self.element
        return f"{where}: {self.message}"


class ExchangeError(ValueError):
    """A REFI-QDA file was refused, or a project cannot be written; ``problems`` says why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''}"
        super().__init__(summary + ":\n" + "\n".join(f"- {p}" for p in self.problems))

    @property
    def codes(self) -> set[str]:
        """Return the codes of the problems, to test or branch on."""
        return {p.code for p in self.problems}
