"""Cells for files a spreadsheet opens (CSV): text never starts a formula.

A client's free-text answer such as ``=HYPERLINK("http://…","…")`` runs as a formula when the
CSV export is opened in Excel or LibreOffice (CSV injection). Following OWASP, a text cell whose
first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
quote, which spreadsheets show as text and never evaluate.

The type of a value decides, not its look: numbers (``int``, ``float``, numpy numbers,
``Decimal``) are left alone, so ``-3`` and ``-0.5`` stay numbers; every ``str`` is text, so the
string ``"-3"`` (typed by a client into a free-text item) is written ``'-3`` like ``"+1"`` or
``"-1+1"`` would be. Writers therefore keep numeric columns numeric and pass their text cells,
headers included, through :func:`neutralise_formula`.

Pure Python with no Django import, so that any layer may use it. SPSS ``.sav`` files hold typed
variables that are never evaluated: they need no neutralising.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, TypeVar, overload

__all__ = ["FORMULA_TRIGGERS", "neutralise_formula", "neutralise_formulas"]

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
