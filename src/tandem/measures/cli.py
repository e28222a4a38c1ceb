"""``tandem score INSTRUMENT FILE.csv [--json]``: score a CSV of responses without Django.

The CSV has a header row with one column per item id (``q1`` … ``qN``); an empty cell is a missing
answer; other columns are ignored. The output has one row per input row with the instrument's
scores (an empty cell, or ``null`` in JSON, when not scored). Errors are one line on stderr naming
the row (1 = first data row) and the item, with exit status 2; so does a cell longer than
131,072 characters or a file that is not UTF-8 text. A byte-order mark, CRLF or lone-CR line ends
and blank lines are accepted, as spreadsheets write them.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import NoReturn

from typing_extensions import override

from tandem.core.spreadsheet import (
    MAX_CELL_CHARS,
    CsvReadError,
    neutralise_formulas,
    read_csv_rows,
)
from tandem.measures.registry import DefinitionError, UnknownInstrumentError, get_instrument
from tandem.measures.scoring import AnswerError, answer_matrix, score_matrix


class _Parser(argparse.ArgumentParser):
    @override
    def error(self, message: str) -> NoReturn:
        print(f"tandem score: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tandem score",
        description="Score a CSV of responses: one output row of scores per input row.",
    )
    parser.add_argument("instrument", help="instrument code, e.g. RPRS, MCAS, WAI-SR")
    parser.add_argument("file", type=Path, help="CSV with one column per item id (q1 ... qN)")
    parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
    return parser


def _format(value: float) -> str:
    if math.isnan(value):
        return ""
    return f"{value:.10g}"


class _CellTooLongError(ValueError):
    def __init__(self, row: int, column: str) -> None:
        super().__init__(f"row {row}, column {column}: longer than {MAX_CELL_CHARS} characters")


def _answers(header: list[str], records: list[list[str]]) -> list[dict[str, str]]:
    """Data rows keyed by column (blank lines skipped, as ``csv.DictReader`` does)."""
    rows = [record for record in records if record]
    for number, record in enumerate(rows, start=1):
        for column, cell in zip(header, record, strict=False):
            if len(cell) > MAX_CELL_CHARS:
                raise _CellTooLongError(number, column)
    return [dict(zip(header, record, strict=False)) for record in rows]


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        instrument = get_instrument(args.instrument)
        records = read_csv_rows(args.file.read_bytes().decode("utf-8"))
        header = records[0] if records else []
        absent = [item_id for item_id in instrument.item_ids if item_id not in header]
        if absent:
            raise AnswerError(absent[0], f"no column in {args.file.name}")
        rows = _answers(header, records[1:])
        result = score_matrix(instrument, answer_matrix(instrument, rows, ignore_unknown=True))
    except (UnknownInstrumentError, DefinitionError) as exc:
        print(f"tandem score: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tandem score: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"tandem score: {args.file.name}: not UTF-8 text (byte {exc.start})", file=sys.stderr)
        return 2
    except (AnswerError, CsvReadError, _CellTooLongError) as exc:
        print(f"tandem score: {args.file.name}: {exc}", file=sys.stderr)
        return 2
    names = list(result.names)
    if args.json:
        objects = [
            {
                name: (None if math.isnan(v) else float(v))
                for name, v in zip(names, row, strict=True)
            }
            for row in result.values.tolist()
        ]
        sys.stdout.write(json.dumps(objects, indent=1) + "\n")
        return 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # Score names are text and go through the shared formula guard; the rows are numbers only.
    writer.writerow(neutralise_formulas(names))
    writer.writerows([_format(v) for v in row] for row in result.values.tolist())
    sys.stdout.write(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
