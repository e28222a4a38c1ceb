"""CSV and XLSX files of a ``matrices.Table``, safe to open in a spreadsheet.

Excerpts are what participants said, and a cell that begins with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is run as a formula by spreadsheet programs (formula injection): such a
cell is written with a leading apostrophe, which makes it text.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tandem.qualitative.matrices import Cell, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel keeps at most this many characters in a cell; a longer excerpt list is cut, and says so.
XLSX_CELL_LIMIT = 32_767


def neutralised(value: Cell) -> Cell:
    """The value, with a text that a spreadsheet would run as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (so that spreadsheet programs read accents right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralised(value) for value in table.header])
    for row in table.rows:
        writer.writerow(["" if v is None else neutralised(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = title[:31]
    rows: list[list[Cell]] = [list(table.header), *table.rows]
    for row in rows:
        cells = []
        for value in row:
            safe = neutralised(value)
            if isinstance(safe, str):
                # Control characters other than tab and line breaks are not allowed in XLSX.
                safe = ILLEGAL_CHARACTERS_RE.sub("", safe)
            if isinstance(safe, str) and len(safe) > XLSX_CELL_LIMIT:
                safe = safe[: XLSX_CELL_LIMIT - 1] + "…"
            cells.append(safe)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
