"""``tandem analyze``: run the papers' analyses on a CSV or SPSS file without Django.

::

    tandem analyze mediation FILE --x COL --m COL --y COL [--covariates A,B]
                             [--cluster COL] [--resamples 5000] [--seed N]
                             [--ci-method percentile|bc|bca] [--hc HC0|HC1|HC2|HC3|CR1|CR2]
                             [--bootstrap pairs|wild] [--wild-weights webb|rademacher]
                             [--wild-scale t|none] [--json]
    tandem analyze paired-t FILE --before COL --after COL [--alternative two-sided]
    tandem analyze alpha FILE (--items A,B,C | --prefix q) [--nan-policy listwise]
    tandem analyze icc FILE --value COL --group COL

FILE is a CSV file with a header row or an SPSS ``.sav`` file, told apart by content (see
:mod:`tandem.stats.cli.reading`). An empty cell, ``NA``, ``NaN``, ``N/A`` or ``.``, and SPSS
system- and user-missing values, are missing in every column. Rows with a missing value in a
column the analysis uses are dropped (listwise; paired-t drops incomplete pairs) and the number
dropped is reported. A text covariate, or an SPSS covariate with value labels that is not of
scale level, is dummy-coded against its first category (see
:mod:`tandem.stats.cli.mediation_report`).

For mediation, ``--hc CR1``/``CR2`` (cluster-robust standard errors) and ``--bootstrap wild``
(wild cluster bootstrap, with ``--wild-weights`` and ``--wild-scale``) need ``--cluster``; the
table's header names the standard errors, its footer the bootstrap, and under CR1 or CR2 each
coefficient row gains its t test's degrees of freedom (``df``), which are not n - p there.

The output is a PROCESS-like table, or with ``--json`` the result's fields as one JSON object
(non-finite numbers as ``null``), plus ``n_dropped`` where the result itself does not count
dropped rows and, for alpha, the item names. For mediation that is each model's full table
(``model_m``, ``model_y``, ``model_total`` with the column names in ``names``), the effects,
the number of bootstrap resamples replaced, and ``variables``: the columns given to each flag.
A warning of the analysis (few clusters, a model that fits essentially perfectly) is a line
``Warning: ...`` at the end of the table and an entry of the JSON's ``warnings``. Any bad input
prints one line ``error: ...`` on stderr, naming the command's flags and the columns, and exits
with status 2.

The output is never a spreadsheet file: every line of the table starts with fixed text or
spaces, and JSON starts with ``{``, so column names echoed from the input cannot become a
formula cell and no CSV-injection guard applies here.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import warnings
from pathlib import Path
from typing import NoReturn

from typing_extensions import override

from tandem.stats.cli._format import Report, strict_json
from tandem.stats.cli.mediation_report import run_mediation
from tandem.stats.cli.reading import read_table
from tandem.stats.cli.reports import run_alpha, run_icc, run_paired_t

__all__ = ["main"]


class _UsageError(Exception):
    """A command-line mistake, reported in one line."""


class _Parser(argparse.ArgumentParser):
    @override
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message}")


def main(argv: list[str]) -> int:
    """Run ``tandem analyze`` with the arguments after ``analyze``; return the exit status."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        return _fail(str(exc))
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    try:
        table = read_table(args.file)
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            report: Report = args.run(args, table)
    except (ValueError, TypeError, csv.Error) as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    shown = list(report.warnings)
    shown += [str(r.message) for r in records if str(r.message) not in shown]
    if args.json:
        fields = report.fields if not shown else {**report.fields, "warnings": shown}
        sys.stdout.write(json.dumps(strict_json(fields), indent=2) + "\n")
    else:
        notes = "".join(f"Warning: {' '.join(message.split())}\n" for message in shown)
        sys.stdout.write(report.text + ("\n" + notes if notes else ""))
    return 0


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return 2


# --- arguments ------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tandem analyze",
        description="Run an analysis on a CSV or SPSS .sav file; print a PROCESS-like table or "
        "JSON.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    med = commands.add_parser(
        "mediation", help="simple mediation with covariates (PROCESS model 4), bootstrap CI"
    )
    _common(med)
    med.add_argument("--x", required=True, help="predictor column (e.g. fidelity)")
    med.add_argument("--m", required=True, help="mediator column (e.g. working alliance)")
    med.add_argument("--y", required=True, help="outcome column")
    med.add_argument(
        "--covariates",
        type=_names,
        default=[],
        help="comma-separated columns; text or labelled SPSS columns are dummy-coded",
    )
    med.add_argument(
        "--cluster",
        help="column of cluster labels (e.g. team): the bootstrap resamples or reweights whole "
        "clusters; needed by --hc CR1/CR2 and --bootstrap wild",
    )
    med.add_argument(
        "--resamples", type=_at_least(1), default=5000, help="bootstrap resamples (at least 1)"
    )
    med.add_argument("--seed", type=_at_least(0), default=None, help="seed for the bootstrap")
    med.add_argument("--ci-method", choices=["percentile", "bc", "bca"], default="percentile")
    med.add_argument(
        "--hc",
        choices=["HC0", "HC1", "HC2", "HC3", "CR1", "CR2"],
        default=None,
        help="standard errors of the paths: HC0-HC3 heteroskedasticity-consistent, CR1 or CR2 "
        "cluster-robust (need --cluster; CR2 with Satterthwaite df); default OLS",
    )
    med.add_argument(
        "--bootstrap",
        choices=["pairs", "wild"],
        default="pairs",
        help="pairs: resample rows, or whole clusters with --cluster (default); wild: wild "
        "cluster bootstrap, for few clusters (needs --cluster)",
    )
    med.add_argument(
        "--wild-weights",
        choices=["webb", "rademacher"],
        default=None,
        help="weights of --bootstrap wild (default webb)",
    )
    med.add_argument(
        "--wild-scale",
        choices=["t", "none"],
        default=None,
        help="residuals of --bootstrap wild: t widens them to each path's t interval (default; "
        "Tandem's small-sample adjustment), none leaves them (the textbook wild bootstrap)",
    )
    med.set_defaults(run=run_mediation)

    pt = commands.add_parser("paired-t", help="paired t-test of after - before")
    _common(pt)
    pt.add_argument("--before", required=True, help="column of first scores")
    pt.add_argument("--after", required=True, help="column of second scores")
    pt.add_argument("--alternative", choices=["two-sided", "less", "greater"], default="two-sided")
    pt.set_defaults(run=run_paired_t)

    al = commands.add_parser("alpha", help="Cronbach's alpha of a scale")
    _common(al)
    which = al.add_mutually_exclusive_group(required=True)
    which.add_argument("--items", type=_names, help="comma-separated item columns")
    which.add_argument("--prefix", help="use every column whose name starts with this")
    al.add_argument("--nan-policy", choices=["listwise", "pairwise"], default="listwise")
    al.set_defaults(run=run_alpha)

    ic = commands.add_parser("icc", help="ICC(1) and ICC(2) from a one-way ANOVA")
    _file(ic)
    ic.add_argument("--value", required=True, help="column of values")
    ic.add_argument("--group", required=True, help="column of group labels (e.g. team)")
    ic.set_defaults(run=run_icc)
    return parser


def _file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV file with a header row, or SPSS .sav file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _common(parser: argparse.ArgumentParser) -> None:
    _file(parser)
    parser.add_argument(
        "--confidence-level", type=_level, default=0.95, help="between 0 and 1 (default 0.95)"
    )


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated column names")
    return names


def _at_least(low: int) -> type[int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return parse  # type: ignore[return-value]  # argparse only calls it


def _level(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (0.95 for 95%), got {value:g}")
    return value
