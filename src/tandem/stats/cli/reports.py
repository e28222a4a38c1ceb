"""``tandem analyze paired-t``, ``alpha`` and ``icc``: each imports its module when it runs.

paired-t, alpha and ICC need scipy.stats (most of a second to import), which mediation does
not, so their modules are imported inside the runners.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tandem.stats.cli._format import Report, dropped, percent, rows
from tandem.stats.cli.reading import Table

if TYPE_CHECKING:
    from tandem.stats.paired import PairedTResult
    from tandem.stats.reliability import CronbachAlphaResult, IccResult

__all__ = ["run_alpha", "run_icc", "run_paired_t"]


def run_paired_t(args: argparse.Namespace, table: Table) -> Report:
    """Run a paired t-test of ``--after`` minus ``--before``."""
    before_name, after_name = str(args.before), str(args.after)
    table.check([before_name], "--before")
    table.check([after_name], "--after")
    from tandem.stats.paired import paired_t  # scipy.stats: only when run

    res = paired_t(
        table.numbers(before_name, "--before"),
        table.numbers(after_name, "--after"),
        confidence_level=float(args.confidence_level),
        alternative=args.alternative,
    )
    return Report(res.to_dict(), _paired_t_text(res, before_name, after_name))


def _paired_t_text(res: PairedTResult, before: str, after: str) -> str:
    level = percent(res.confidence_level)
    header = ["Mean diff", "SD diff", "t", "df", "p", f"{level} LL", f"{level} UL", "d_z"]
    values = [res.mean_diff, res.sd_diff, res.t, res.df, res.p, res.ci_low, res.ci_high, res.d_z]
    lines = [
        f"Paired t-test: {after} - {before}",
        f"  n = {res.n} pairs{dropped(res.n_dropped, 'incomplete pair', '')}",
        f"  Alternative: {res.alternative}",
        *rows(header, [("", values)]),
    ]
    return "\n".join(lines) + "\n"


def run_alpha(args: argparse.Namespace, table: Table) -> Report:
    """Compute Cronbach's alpha of ``--items`` or the ``--prefix`` columns."""
    if args.prefix is not None:
        prefix = str(args.prefix)
        names = [name for name in table.header if name.startswith(prefix)]
        if not names:
            raise ValueError(f"{table.name}: no column starts with {prefix!r} (--prefix)")
        flag = "--prefix"
    else:
        names = list(args.items)
        flag = "--items"
    table.check(names, flag)
    if len(names) < 2:
        raise ValueError(f"{flag} needs at least two columns, got {', '.join(names)}")
    items = np.column_stack([table.numbers(name, flag) for name in names])
    from tandem.stats.reliability import cronbach_alpha  # scipy.stats

    res = cronbach_alpha(
        items, confidence_level=float(args.confidence_level), nan_policy=args.nan_policy
    )
    fields = {**res.to_dict(), "items": names}
    return Report(fields, _alpha_text(res, names))


def _alpha_text(res: CronbachAlphaResult, names: list[str]) -> str:
    level = percent(res.confidence_level)
    header = ["alpha", f"{level} LL", f"{level} UL"]
    if_deleted: list[tuple[str, Sequence[float]]] = [
        (name, [a]) for name, a in zip(names, res.alpha_if_deleted, strict=True)
    ]
    reason = "with missing items" if res.nan_policy == "listwise" else "with no item answered"
    lines = [
        f"Cronbach's alpha: {res.n_items} items",
        f"  n = {res.n}{dropped(res.n_dropped, 'row', reason)}",
        f"  Missing values: {res.nan_policy}",
        *rows(header, [("", [res.alpha, res.ci_low, res.ci_high])]),
        "",
        "ALPHA IF ITEM DELETED",
        *rows(["alpha"], if_deleted),
    ]
    return "\n".join(lines) + "\n"


def run_icc(args: argparse.Namespace, table: Table) -> Report:
    """Compute ICC(1) and ICC(2) of ``--value`` by ``--group``."""
    value_name, group_name = str(args.value), str(args.group)
    table.check([value_name], "--value")
    table.check([group_name], "--group")
    values = table.numbers(value_name, "--value")
    labels = table.labels(group_name, "--group")
    keep = ~np.isnan(values) & np.array([label is not None for label in labels], dtype=bool)
    groups = np.array([label or "" for label in labels], dtype=object)[keep]
    n_dropped = int(keep.size - np.count_nonzero(keep))
    from tandem.stats.reliability import icc  # scipy.stats: only when run

    res = icc(values[keep], groups.astype(str))
    fields = {**res.to_dict(), "n_dropped": n_dropped}
    return Report(fields, _icc_text(res, value_name, group_name, n_dropped))


def _icc_text(res: IccResult, value: str, group: str, n_dropped: int) -> str:
    lines = [
        f"Intraclass correlation: {value} by {group} (one-way random effects)",
        f"  n = {res.n} in {res.n_groups} groups{dropped(n_dropped, 'row')}",
        f"  Adjusted group size n0 = {res.n0:.4f}",
        *rows(
            ["df", "MS", "F", "p"],
            [
                ("Between", [res.df_between, res.ms_between, res.f, res.p]),
                ("Within", [res.df_within, res.ms_within, math.nan, math.nan]),
            ],
        ),
        "",
        *rows(["ICC"], [("ICC(1)", [res.icc1]), ("ICC(2)", [res.icc2])]),
    ]
    return "\n".join(lines) + "\n"
