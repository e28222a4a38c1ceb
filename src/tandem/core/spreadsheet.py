"""CSV files that spreadsheets make and open: text never starts a formula; any file is read.

A client's free-text answer such as ``=HYPERLINK("http://…","…")`` runs as a formula when the
CSV export is opened in Excel or LibreOffice (CSV injection). Following OWASP, a text cell whose
first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
quote, which spreadsheets show as text and never evaluate.

The type of a value decides, not its look: numbers (``int``, ``float``, numpy numbers,
``Decimal``) are left alone, so ``-3`` and ``-0.5`` stay numbers; every ``str`` is text, so the
string ``"-3"`` (typed by a client into a free-text item) is written ``'-3`` like ``"+1"`` or
``"-1+1"`` would be. Writers therefore keep numeric columns numeric and pass their text cells,
headers included, through :func:`neutralise_formula`.

SPSS ``.sav`` files hold typed variables that are never evaluated: they need no neutralising.

Reading (:func:`read_csv_rows`) accepts what spreadsheets write: a byte-order mark, CRLF, LF or
lone-CR line ends, and cells of any length, so that a caller can name the row and column of a
cell longer than :data:`MAX_CELL_CHARS` instead of failing on the whole file.

Pure Python with no Django import, so that any layer may use it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Final, TypeVar, overload

__all__ = [
    "FORMULA_TRIGGERS",
    "MAX_CELL_CHARS",
    "CsvReadError",
    "neutralise_formula",
    "neutralise_formulas",
    "read_csv_rows",
]

FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")

_Cell = TypeVar("_Cell")


@overload
def neutralise_formula(value: str) -> str: ...


@overload
def neutralise_formula(value: _Cell) -> _Cell: ...


def neutralise_formula(value: object) -> object:
    """``value`` as a spreadsheet cell: text that could start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_formulas(values: Iterable[_Cell]) -> list[_Cell | str]:
    """A row of cells, each through :func:`neutralise_formula`."""
    return [neutralise_formula(value) for value in values]


# The csv module's own default limit, kept as the longest cell Tandem accepts; the module raises
# an error naming neither row nor column past it, so readers lift it and check cells themselves.
MAX_CELL_CHARS: Final = 131_072
_READ_LIMIT: Final = 2**31 - 1


class CsvReadError(ValueError):
    """A record the csv module cannot read; ``line`` counts records, the header being line 1."""

    def __init__(self, line: int, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(f"line {line}: {problem}")


def read_csv_rows(text: str) -> list[list[str]]:
    """Every record of a CSV text, header first (a leading byte-order mark is ignored)."""
    # Process-wide, but only ever raised: every reader then sees long cells and reports them.
    if csv.field_size_limit() < _READ_LIMIT:
        csv.field_size_limit(_READ_LIMIT)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise CsvReadError(len(rows) + 1, str(exc)) from None
    return rows
