"""Read the table behind ``tandem analyze``: a CSV file or an SPSS ``.sav`` file.

The format is told by the file's content: a ``.sav`` (or compressed ``.zsav``) file starts
with ``$FL2`` or ``$FL3``; anything else must be UTF-8 text with a header row, read as CSV.
Other formats (Excel, SPSS portable, Stata, SAS, R) are refused by extension with a message.

Missing values are the same in every column, numbers, labels and the cluster column alike: an
empty cell, ``NA``, ``NaN``, ``N/A`` or ``.`` (any case), and in a ``.sav`` file SPSS's
system-missing value and every user-missing value or range. pyreadstat (and the pandas it
loads) is imported only when a ``.sav`` file is read.

Categorical columns
-------------------
:meth:`Table.categories` tells a covariate to dummy-code from a number: a text column none of
whose values is a number (its categories in sorted order), or a numeric ``.sav`` column with
value labels whose SPSS measurement level is not *scale* (its categories in ascending code
order, named by their labels). A labelled *scale* column, such as a rating with labelled
end points, stays a number.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from tandem.stats._common import FloatArray

__all__ = ["MISSING", "Table", "read_table"]

MISSING: Final = frozenset({"", "na", "nan", "n/a", "."})
_SAV_MAGIC: Final = (b"$FL2", b"$FL3")
_OTHER_FORMATS: Final = {
    ".xlsx": "an Excel workbook",
    ".xls": "an Excel workbook",
    ".ods": "a spreadsheet",
    ".por": "an SPSS portable file",
    ".dta": "a Stata file",
    ".sas7bdat": "a SAS file",
    ".rds": "an R data file",
    ".rdata": "an R data file",
}


@dataclass(frozen=True, slots=True)
class _Column:
    """One column: text cells (CSV or an SPSS string), or SPSS numbers with their labels."""

    text: list[str] | None = None
    values: FloatArray | None = None
    value_labels: Mapping[float, str] = field(default_factory=dict)
    nominal: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A data file's columns by header name; ``name`` is the file name shown in errors."""

    name: str
    header: list[str]
    columns: dict[str, _Column]
    n_rows: int

    def check(self, columns: Sequence[str], flag: str) -> None:
        """Raise ``ValueError`` naming ``flag`` for the first of ``columns`` not in the file."""
        for column in columns:
            if column not in self.columns:
                shown = ", ".join(self.header[:12]) + (", ..." if len(self.header) > 12 else "")
                raise ValueError(
                    f"{self.name}: no column {column!r} (given to {flag}); columns: {shown}"
                )

    def numbers(self, column: str, flag: str) -> FloatArray:
        """Return the column as floats, NaN where missing; raise if a value is not a number."""
        self.check([column], flag)
        col = self.columns[column]
        if col.values is not None:
            return col.values.copy()
        out = np.empty(self.n_rows)
        for i, text in enumerate(col.text or []):
            number = _parse(text)
            if number is None:
                raise ValueError(
                    f"{self.name}: {flag} column {column!r} is not numeric: row {i + 1} has "
                    f"{text!r}"
                )
            out[i] = number
            if math.isinf(number):
                raise ValueError(f"{self.name}: {flag} column {column!r} row {i + 1} is {text!r}")
        return out

    def labels(self, column: str, flag: str) -> list[str | None]:
        """Return the column as text labels (value labels for SPSS codes), None where missing."""
        self.check([column], flag)
        col = self.columns[column]
        if col.text is not None:
            return [None if text.lower() in MISSING else text for text in col.text]
        values: list[float] = [] if col.values is None else col.values.tolist()
        return [
            None if math.isnan(value) else col.value_labels.get(value, _format_code(value))
            for value in values
        ]

    def categories(self, column: str, flag: str) -> tuple[FloatArray, list[str]] | None:
        """Return category codes (NaN where missing) and names, or None for a numeric column.

        See the module's notes for which columns are categorical; codes number the categories
        in their order (sorted text, or ascending SPSS codes), so the first is the reference.
        """
        self.check([column], flag)
        col = self.columns[column]
        if col.values is not None:
            if not (col.value_labels and col.nominal):
                return None
            levels = np.unique(col.values[~np.isnan(col.values)])
            names = [col.value_labels.get(value, _format_code(value)) for value in levels.tolist()]
            codes = np.full(self.n_rows, math.nan)
            present = ~np.isnan(col.values)
            codes[present] = np.searchsorted(levels, col.values[present])
            return codes, names
        labels = self.labels(column, flag)
        given = [label for label in labels if label is not None]
        if not given or any(_parse(label) is not None for label in given):
            return None  # numbers (or nothing): numbers() reads them or names the bad cell
        names = sorted(set(given))
        index = {name: float(code) for code, name in enumerate(names)}
        codes = np.array([math.nan if label is None else index[label] for label in labels])
        return codes, names


def read_table(path: Path) -> Table:
    """Read ``path`` as an SPSS ``.sav`` file or a CSV file, as its content says."""
    suffix = path.suffix.lower()
    if suffix in _OTHER_FORMATS:
        raise ValueError(
            f"{path.name} looks like {_OTHER_FORMATS[suffix]}, which tandem analyze does not "
            "read: save it as CSV (UTF-8) or SPSS .sav"
        )
    with path.open("rb") as handle:
        start = handle.read(4)
    if start in _SAV_MAGIC:
        return _read_sav(path)
    if suffix in {".sav", ".zsav"}:
        raise ValueError(f"{path.name} is not an SPSS .sav file (it lacks the $FL2 signature)")
    if start.startswith(b"PK\x03\x04"):
        raise ValueError(
            f"{path.name} is a zip archive (an Excel or OpenDocument workbook?): save it as CSV "
            "(UTF-8) or SPSS .sav"
        )
    return _read_csv(path)


def _read_csv(path: Path) -> Table:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            rows = [[cell.strip() for cell in row] for row in reader if row]
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path.name} is neither UTF-8 text nor an SPSS .sav file (byte {exc.start} cannot "
            "be read): save it as CSV (UTF-8) or SPSS .sav"
        ) from None
    if not any(header):
        raise ValueError(f"{path.name} is empty: a CSV file needs a header row of column names")
    columns: dict[str, _Column] = {}
    for j, name in enumerate(header):
        if name and name not in columns:
            columns[name] = _Column(text=[row[j] if j < len(row) else "" for row in rows])
    return Table(path.name, [name for name in header if name], columns, len(rows))


def _read_sav(path: Path) -> Table:
    import pyreadstat  # loads pandas: only for .sav files

    try:
        data, meta = pyreadstat.read_sav(str(path), output_format="dict", user_missing=False)
    except Exception as exc:  # pyreadstat raises its own errors for damaged files
        raise ValueError(f"cannot read {path.name} as an SPSS .sav file: {exc}") from None
    labels: Mapping[str, Mapping[Any, str]] = meta.variable_value_labels or {}
    measures: Mapping[str, str] = meta.variable_measure or {}
    types: Mapping[str, str] = meta.readstat_variable_types or {}
    columns: dict[str, _Column] = {}
    n_rows = 0
    for name, values in data.items():
        n_rows = len(values)
        if types.get(name) == "string":
            columns[name] = _Column(text=["" if v is None else str(v).strip() for v in values])
        elif all(v is None or isinstance(v, int | float) for v in values):
            numbers = np.array([math.nan if v is None else float(v) for v in values])
            columns[name] = _Column(
                values=numbers,
                value_labels={float(k): str(v) for k, v in labels.get(name, {}).items()},
                nominal=measures.get(name, "unknown") != "scale",
            )
        else:  # dates and times: shown as text, refused where a number is needed
            columns[name] = _Column(text=["" if v is None else str(v) for v in values])
    return Table(path.name, list(data), columns, n_rows)


def _parse(text: str) -> float | None:
    """Return the number in ``text``, NaN when it is missing, None when it is not a number."""
    if text.lower() in MISSING:
        return math.nan
    try:
        number = float(text)
    except ValueError:
        return None
    return number


def _format_code(value: float) -> str:
    return f"{value:g}"
