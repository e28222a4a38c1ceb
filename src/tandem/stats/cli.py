"""``tandem analyze``: run the papers' analyses on a CSV file without Django.

::

    tandem analyze mediation FILE.csv --x COL --m COL --y COL [--covariates A,B]
                             [--cluster COL] [--resamples 5000] [--seed N]
                             [--ci-method percentile|bc|bca] [--hc HC3] [--json]
    tandem analyze paired-t FILE.csv --before COL --after COL [--alternative two-sided]
    tandem analyze alpha FILE.csv (--items A,B,C | --prefix q) [--nan-policy listwise]
    tandem analyze icc FILE.csv --value COL --group COL

The CSV has a header row. An empty cell, ``NA``, ``NaN``, ``N/A`` or ``.`` is a missing value.
Rows with a missing value in a column the analysis uses are dropped (listwise; paired-t drops
incomplete pairs) and the number dropped is reported. The output is a PROCESS-like table, or
with ``--json`` the result's fields as one JSON object (non-finite numbers as ``null``), plus
``n_dropped`` where the result itself does not count dropped rows and, for alpha, the item
names. The mediation table ends with the number of bootstrap resamples replaced because x or
m had no variation in them, then a ``WARNING:`` line for each model that fits essentially
perfectly (also in the JSON's ``warnings``). Any bad input prints one line ``error: ...`` on
stderr and exits with status 2.

The output is never a spreadsheet file: every line of the table starts with fixed text or
spaces, and JSON starts with ``{``, so column names echoed from the input cannot become a
formula cell and no CSV-injection guard applies here.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

import numpy as np
from typing_extensions import override

from tandem.stats._common import DegenerateFitWarning, FloatArray
from tandem.stats.mediation import MediationResult, mediation

if TYPE_CHECKING:
    # paired-t, alpha and ICC need scipy.stats (most of a second to import), which mediation does
    # not: each runner imports its module when it runs.
    from tandem.stats.paired import PairedTResult
    from tandem.stats.reliability import CronbachAlphaResult, IccResult

__all__ = ["main"]

_MISSING: Final = frozenset({"", "na", "nan", "n/a", "."})
_WIDTH: Final = 10


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
        table = _Table.read(args.file)
        report: _Report = args.run(args, table)
    except (ValueError, TypeError, csv.Error, UnicodeDecodeError) as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    if args.json:
        sys.stdout.write(json.dumps(_strict_json(report.fields), indent=2) + "\n")
    else:
        sys.stdout.write(report.text)
    return 0


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return 2


# --- arguments ------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tandem analyze",
        description="Run an analysis on a CSV file and print a PROCESS-like table or JSON.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    med = commands.add_parser(
        "mediation", help="simple mediation with covariates (PROCESS model 4), bootstrap CI"
    )
    _common(med)
    med.add_argument("--x", required=True, help="predictor column (e.g. fidelity)")
    med.add_argument("--m", required=True, help="mediator column (e.g. working alliance)")
    med.add_argument("--y", required=True, help="outcome column")
    med.add_argument("--covariates", type=_names, default=[], help="comma-separated columns")
    med.add_argument("--cluster", help="column of cluster labels; whole clusters are resampled")
    med.add_argument("--resamples", type=int, default=5000, help="bootstrap resamples")
    med.add_argument("--seed", type=int, default=None, help="seed for the bootstrap")
    med.add_argument("--ci-method", choices=["percentile", "bc", "bca"], default="percentile")
    med.add_argument("--hc", choices=["HC0", "HC1", "HC2", "HC3"], default=None)
    med.set_defaults(run=_run_mediation)

    pt = commands.add_parser("paired-t", help="paired t-test of after - before")
    _common(pt)
    pt.add_argument("--before", required=True, help="column of first scores")
    pt.add_argument("--after", required=True, help="column of second scores")
    pt.add_argument("--alternative", choices=["two-sided", "less", "greater"], default="two-sided")
    pt.set_defaults(run=_run_paired_t)

    al = commands.add_parser("alpha", help="Cronbach's alpha of a scale")
    _common(al)
    which = al.add_mutually_exclusive_group(required=True)
    which.add_argument("--items", type=_names, help="comma-separated item columns")
    which.add_argument("--prefix", help="use every column whose name starts with this")
    al.add_argument("--nan-policy", choices=["listwise", "pairwise"], default="listwise")
    al.set_defaults(run=_run_alpha)

    ic = commands.add_parser("icc", help="ICC(1) and ICC(2) from a one-way ANOVA")
    ic.add_argument("file", type=Path, help="CSV file with a header row")
    ic.add_argument("--json", action="store_true", help="print the result as JSON")
    ic.add_argument("--value", required=True, help="column of values")
    ic.add_argument("--group", required=True, help="column of group labels (e.g. team)")
    ic.set_defaults(run=_run_icc)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV file with a header row")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--confidence-level", type=float, default=0.95)


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated column names")
    return names


# --- reading the CSV ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    header: list[str]
    rows: list[dict[str, str]]

    @classmethod
    def read(cls, path: Path) -> _Table:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            rows = [
                {key.strip(): (value or "").strip() for key, value in row.items() if key}
                for row in reader
            ]
        return cls(path.name, header, rows)

    def check(self, columns: Sequence[str]) -> None:
        for column in columns:
            if column not in self.header:
                shown = ", ".join(self.header[:12]) + (", ..." if len(self.header) > 12 else "")
                raise ValueError(f"{self.name}: no column {column!r} (columns: {shown})")

    def numbers(self, column: str) -> FloatArray:
        self.check([column])
        out = np.empty(len(self.rows))
        for i, row in enumerate(self.rows):
            text = row.get(column, "")
            if text.lower() in _MISSING:
                out[i] = math.nan
                continue
            try:
                out[i] = float(text)
            except ValueError:
                raise ValueError(
                    f"{self.name}: column {column!r} is not numeric: row {i + 1} has {text!r}"
                ) from None
            if not math.isfinite(out[i]):
                raise ValueError(f"{self.name}: column {column!r} row {i + 1} is {text!r}")
        return out

    def labels(self, column: str) -> list[str | None]:
        self.check([column])
        return [None if row.get(column, "") == "" else row[column] for row in self.rows]


@dataclass(frozen=True, slots=True)
class _Report:
    fields: dict[str, Any]
    text: str


# --- analyses -------------------------------------------------------------------------------


def _run_mediation(args: argparse.Namespace, table: _Table) -> _Report:
    x_name, m_name, y_name = str(args.x), str(args.m), str(args.y)
    covariate_names: list[str] = list(args.covariates)
    cluster_name: str | None = args.cluster
    table.check([x_name, m_name, y_name, *covariate_names])
    columns = {name: table.numbers(name) for name in [x_name, m_name, y_name, *covariate_names]}
    keep = ~np.any(np.isnan(np.column_stack(list(columns.values()))), axis=1)
    cluster: np.ndarray[Any, Any] | None = None
    if cluster_name is not None:
        labels = table.labels(cluster_name)
        keep &= np.array([label is not None for label in labels], dtype=bool)
        cluster = np.array([label or "" for label in labels], dtype=object)[keep]
    n_dropped = int(keep.size - np.count_nonzero(keep))
    with warnings.catch_warnings():
        # Reported in the table and the JSON (the result's ``warnings``), not as a traceback line.
        warnings.simplefilter("ignore", DegenerateFitWarning)
        result = mediation(
            columns[x_name][keep],
            columns[m_name][keep],
            columns[y_name][keep],
            {name: columns[name][keep] for name in covariate_names} or None,
            n_resamples=int(args.resamples),
            confidence_level=float(args.confidence_level),
            rng=args.seed,
            cluster=cluster,
            hc=args.hc,
            ci_method=args.ci_method,
        )
    fields = {**result.to_dict(), "n_dropped": n_dropped}
    text = _mediation_text(result, x_name, m_name, y_name, covariate_names, cluster_name, n_dropped)
    return _Report(fields, text)


def _mediation_text(
    res: MediationResult,
    x: str,
    m: str,
    y: str,
    covariates: list[str],
    cluster: str | None,
    n_dropped: int,
) -> str:
    level = _percent(res.confidence_level)
    lines = [
        "Model 4: simple mediation",
        f"  Y: {y}   X: {x}   M: {m}",
        f"  Covariates: {', '.join(covariates) if covariates else 'none'}",
        f"  Sample size: {res.n}{_dropped(n_dropped, 'row')}",
    ]
    if cluster is not None:
        lines.append(f"  Clusters resampled: {cluster} ({res.n_clusters})")
    if res.hc is not None:
        lines.append(f"  Standard errors: {res.hc}")
    path_header = ["coeff", "se", "t", "p"]
    lines += [
        "",
        f"OUTCOME VARIABLE: {m}",
        f"  R-sq = {res.r2_m:.4f}",
        *_rows(path_header, [(f"a   {x}", [res.a, res.a_se, res.a_t, res.a_p])]),
        "",
        f"OUTCOME VARIABLE: {y}",
        f"  R-sq = {res.r2_y:.4f}",
        *_rows(
            path_header,
            [
                (f"c'  {x}", [res.c_prime, res.c_prime_se, res.c_prime_t, res.c_prime_p]),
                (f"b   {m}", [res.b, res.b_se, res.b_t, res.b_p]),
            ],
        ),
        "",
        "TOTAL EFFECT MODEL",
        *_rows(path_header, [(f"c   {x}", [res.c, res.c_se, res.c_t, res.c_p])]),
        "",
        "INDIRECT EFFECT OF X ON Y (a*b)",
        *_rows(
            ["Effect", "BootSE", "BootLLCI", "BootULCI"],
            [(m, [res.indirect, res.boot_se, res.ci_low, res.ci_high])],
        ),
        "",
        "COMPLETELY STANDARDIZED INDIRECT EFFECT",
        *_rows(
            ["Effect", "BootLLCI", "BootULCI"],
            [(m, [res.indirect_std, res.indirect_std_ci_low, res.indirect_std_ci_high])],
        ),
        "",
        f"Bootstrap: {res.n_resamples} resamples, {level} {res.ci_method} interval"
        + ("" if res.seed is None else f", seed {res.seed}"),
        f"  Resamples replaced (no variation in x or m): {res.n_replaced}",
    ]
    if res.warnings:
        lines += ["", *(f"WARNING: {message}" for message in res.warnings)]
    return "\n".join(lines) + "\n"


def _run_paired_t(args: argparse.Namespace, table: _Table) -> _Report:
    before_name, after_name = str(args.before), str(args.after)
    table.check([before_name, after_name])
    from tandem.stats.paired import paired_t

    res = paired_t(
        table.numbers(before_name),
        table.numbers(after_name),
        confidence_level=float(args.confidence_level),
        alternative=args.alternative,
    )
    return _Report(res.to_dict(), _paired_t_text(res, before_name, after_name))


def _paired_t_text(res: PairedTResult, before: str, after: str) -> str:
    level = _percent(res.confidence_level)
    header = ["Mean diff", "SD diff", "t", "df", "p", f"{level} LL", f"{level} UL", "d_z"]
    values = [res.mean_diff, res.sd_diff, res.t, res.df, res.p, res.ci_low, res.ci_high, res.d_z]
    lines = [
        f"Paired t-test: {after} - {before}",
        f"  n = {res.n} pairs{_dropped(res.n_dropped, 'incomplete pair', '')}",
        f"  Alternative: {res.alternative}",
        *_rows(header, [("", values)]),
    ]
    return "\n".join(lines) + "\n"


def _run_alpha(args: argparse.Namespace, table: _Table) -> _Report:
    if args.prefix is not None:
        prefix = str(args.prefix)
        names = [name for name in table.header if name.startswith(prefix)]
        if not names:
            raise ValueError(f"{table.name}: no column starts with {prefix!r}")
    else:
        names = list(args.items)
    table.check(names)
    items = np.column_stack([table.numbers(name) for name in names])
    from tandem.stats.reliability import cronbach_alpha

    res = cronbach_alpha(
        items, confidence_level=float(args.confidence_level), nan_policy=args.nan_policy
    )
    fields = {**res.to_dict(), "items": names}
    return _Report(fields, _alpha_text(res, names))


def _alpha_text(res: CronbachAlphaResult, names: list[str]) -> str:
    level = _percent(res.confidence_level)
    header = ["alpha", f"{level} LL", f"{level} UL"]
    if_deleted: list[tuple[str, Sequence[float]]] = [
        (name, [a]) for name, a in zip(names, res.alpha_if_deleted, strict=True)
    ]
    reason = "with missing items" if res.nan_policy == "listwise" else "with no item answered"
    lines = [
        f"Cronbach's alpha: {res.n_items} items",
        f"  n = {res.n}{_dropped(res.n_dropped, 'row', reason)}",
        f"  Missing values: {res.nan_policy}",
        *_rows(header, [("", [res.alpha, res.ci_low, res.ci_high])]),
        "",
        "ALPHA IF ITEM DELETED",
        *_rows(["alpha"], if_deleted),
    ]
    return "\n".join(lines) + "\n"


def _run_icc(args: argparse.Namespace, table: _Table) -> _Report:
    value_name, group_name = str(args.value), str(args.group)
    table.check([value_name, group_name])
    values = table.numbers(value_name)
    labels = table.labels(group_name)
    keep = ~np.isnan(values) & np.array([label is not None for label in labels], dtype=bool)
    groups = np.array([label or "" for label in labels], dtype=object)[keep]
    n_dropped = int(keep.size - np.count_nonzero(keep))
    from tandem.stats.reliability import icc

    res = icc(values[keep], groups.astype(str))
    fields = {**res.to_dict(), "n_dropped": n_dropped}
    return _Report(fields, _icc_text(res, value_name, group_name, n_dropped))


def _icc_text(res: IccResult, value: str, group: str, n_dropped: int) -> str:
    lines = [
        f"Intraclass correlation: {value} by {group} (one-way random effects)",
        f"  n = {res.n} in {res.n_groups} groups{_dropped(n_dropped, 'row')}",
        f"  Adjusted group size n0 = {res.n0:.4f}",
        *_rows(
            ["df", "MS", "F", "p"],
            [
                ("Between", [res.df_between, res.ms_between, res.f, res.p]),
                ("Within", [res.df_within, res.ms_within, math.nan, math.nan]),
            ],
        ),
        "",
        *_rows(["ICC"], [("ICC(1)", [res.icc1]), ("ICC(2)", [res.icc2])]),
    ]
    return "\n".join(lines) + "\n"


# --- formatting -----------------------------------------------------------------------------


def _rows(header: list[str], rows: Sequence[tuple[str, Sequence[float | int]]]) -> list[str]:
    label_width = max(len(label) for label, _ in rows)
    label_width += 2 if label_width else 0
    out = ["  " + " " * label_width + "".join(f"{h:>{_WIDTH}}" for h in header)]
    for label, values in rows:
        cells = "".join(f"{_number(v):>{_WIDTH}}" for v in values)
        out.append(f"  {label:<{label_width}}{cells}".rstrip())
    return out


def _number(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4f}"


def _percent(level: float) -> str:
    return f"{100 * level:g}%"


def _dropped(count: int, noun: str, reason: str = "with missing values") -> str:
    if count == 0:
        return ""
    return f" ({count} {noun}{'s' if count != 1 else ''} {reason} dropped)".replace("  ", " ")


def _strict_json(value: Any) -> Any:
    """Replace non-finite floats by None: JSON has no NaN or infinity."""
    if isinstance(value, dict):
        return {key: _strict_json(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_strict_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
