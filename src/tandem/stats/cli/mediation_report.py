"""``tandem analyze mediation``: the columns, the library call and the PROCESS model-4 output.

Covariates are numbers or categories (see :mod:`tandem.stats.cli.reading`). A categorical
covariate is dummy-coded against its first category among the rows used (the first in sorted
order for text, the lowest code for SPSS value labels): one 0/1 column per other category,
named ``column=category`` in the table and the JSON.

The library's messages name its arguments (``x``, ``covariates['age']``, ``n_resamples``,
``rng``); :func:`flag_message` rewrites them with the command's flags and the column names, so
an error or warning reads ``--x column 'fidelity' is constant``.
"""

from __future__ import annotations

import argparse
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import numpy as np

from tandem.stats._common import FloatArray
from tandem.stats._model_table import ModelTable
from tandem.stats.cli._format import Report, dropped, percent, rows
from tandem.stats.cli.reading import Table
from tandem.stats.mediation import MediationResult, mediation

__all__ = ["flag_message", "run_mediation"]

_ARGUMENTS: Final = {
    "n_resamples": "--resamples",
    "rng": "--seed",
    "confidence_level": "--confidence-level",
    "ci_method": "--ci-method",
    "hc": "--hc",
    "wild_weights": "--wild-weights",
    "wild_scale": "--wild-scale",
}
_CLUSTER_SE: Final = ("CR1", "CR2")
_COVARIATE = re.compile(r"covariates\[(['\"])(.*?)\1\]")
_ARGUMENT = re.compile(r"\b(" + "|".join(_ARGUMENTS) + r")\b")
_ROLE = re.compile(r"(?<![\w'\-])([xmy])(?![\w'\-])")


def flag_message(message: str, roles: Mapping[str, str | None]) -> str:
    """Rewrite a library message with the flags and column names in ``roles``.

    ``roles`` maps ``x``, ``m``, ``y`` and ``cluster`` to their columns (``cluster`` may be
    None). Covariates named ``covariates['age']`` become ``--covariates column 'age'``.
    """
    covariates: list[str] = []

    def hold(match: re.Match[str]) -> str:
        covariates.append(f"--covariates column {match.group(2)!r}")
        return f"\0{len(covariates) - 1}\0"

    text = _COVARIATE.sub(hold, message)
    text = _ARGUMENT.sub(lambda match: _ARGUMENTS[match.group(1)], text)
    cluster = roles.get("cluster")
    if cluster is not None:
        text = re.sub(r"^cluster\b", f"--cluster column {cluster!r}", text)
    text = _ROLE.sub(lambda match: f"--{match.group(1)} column {roles[match.group(1)]!r}", text)
    return re.sub("\0(\\d+)\0", lambda match: covariates[int(match.group(1))], text)


def run_mediation(args: argparse.Namespace, table: Table) -> Report:
    """Fit model 4 on the columns given to the flags; report in the columns' names."""
    _check_settings(args)
    roles: dict[str, str | None] = {
        "x": str(args.x),
        "m": str(args.m),
        "y": str(args.y),
        "cluster": args.cluster,
    }
    x_name, m_name, y_name = str(args.x), str(args.m), str(args.y)
    covariate_names: list[str] = list(args.covariates)
    for flag in ("x", "m", "y"):
        table.check([str(roles[flag])], f"--{flag}")
    table.check(covariate_names, "--covariates")
    paths = {flag: table.numbers(str(roles[flag]), f"--{flag}") for flag in ("x", "m", "y")}
    numeric: dict[str, FloatArray] = {}
    categorical: dict[str, tuple[FloatArray, list[str]]] = {}
    for name in covariate_names:
        found = table.categories(name, "--covariates")
        if found is None:
            numeric[name] = table.numbers(name, "--covariates")
        else:
            categorical[name] = found
    columns = [*paths.values(), *numeric.values(), *(codes for codes, _ in categorical.values())]
    keep = ~np.any(np.isnan(np.column_stack(columns)), axis=1)
    cluster: np.ndarray[Any, Any] | None = None
    if args.cluster is not None:
        labels = table.labels(str(args.cluster), "--cluster")
        keep &= np.array([label is not None for label in labels], dtype=bool)
        cluster = np.array([label or "" for label in labels], dtype=object)[keep]
    n_dropped = int(keep.size - np.count_nonzero(keep))
    covariates: dict[str, FloatArray] = {}
    for name in covariate_names:
        if name in numeric:
            covariates[name] = numeric[name][keep]
        else:
            covariates.update(_dummies(name, *categorical[name], keep))

    with _flagged(roles) as caught:
        result = mediation(
            paths["x"][keep],
            paths["m"][keep],
            paths["y"][keep],
            covariates or None,
            n_resamples=int(args.resamples),
            confidence_level=float(args.confidence_level),
            rng=args.seed,
            cluster=cluster,
            hc=args.hc,
            ci_method=args.ci_method,
            bootstrap=args.bootstrap,
            wild_weights=args.wild_weights,
            wild_scale=args.wild_scale,
        )
    shown = [flag_message(message, roles) for message in result.warnings]
    shown += [message for message in caught if message not in shown]
    fields = result.to_dict()
    for key in ("model_m", "model_y", "model_total"):
        fields[key]["names"][1] = x_name
    fields["model_y"]["names"][2] = m_name
    fields.update(
        warnings=shown,
        n_dropped=n_dropped,
        variables={
            "x": x_name,
            "m": m_name,
            "y": y_name,
            "covariates": covariate_names,
            "cluster": args.cluster,
        },
    )
    text = mediation_text(result, roles, covariate_names, n_dropped)
    return Report(fields, text, tuple(shown))


def _check_settings(args: argparse.Namespace) -> None:
    """Raise naming the flags when a setting needs another one (as the library would)."""
    for flag, value in (("--wild-weights", args.wild_weights), ("--wild-scale", args.wild_scale)):
        if value is not None and args.bootstrap != "wild":
            raise ValueError(
                f"{flag} {value} applies only to --bootstrap wild, got --bootstrap {args.bootstrap}"
            )
    if args.cluster is not None:
        return
    if args.hc in _CLUSTER_SE:
        raise ValueError(
            f"--hc {args.hc} needs --cluster: cluster-robust standard errors need the column "
            "of each row's cluster (e.g. team)"
        )
    if args.bootstrap == "wild":
        raise ValueError(
            "--bootstrap wild needs --cluster: the wild cluster bootstrap draws one weight per "
            "cluster; without clusters use --bootstrap pairs"
        )


@contextmanager
def _flagged(roles: Mapping[str, str | None]) -> Iterator[list[str]]:
    """Collect the warnings raised inside as flagged messages; raise errors flagged."""
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        try:
            yield caught
        except (ValueError, TypeError) as exc:
            raise ValueError(flag_message(str(exc), roles)) from None
    for record in records:
        message = flag_message(str(record.message), roles)
        if message not in caught:
            caught.append(message)


def _dummies(
    name: str, codes: FloatArray, categories: list[str], keep: np.ndarray[Any, Any]
) -> dict[str, FloatArray]:
    """Return a 0/1 column per category used but the first, named ``name=category``."""
    used = codes[keep]
    present = np.unique(used).astype(int).tolist()
    if len(present) < 2:
        only = categories[present[0]] if present else "none"
        raise ValueError(
            f"--covariates column {name!r} has a single category ({only!r}) in the rows used; "
            "drop it from --covariates"
        )
    return {f"{name}={categories[code]}": (used == code).astype(float) for code in present[1:]}


def mediation_text(
    res: MediationResult, roles: Mapping[str, str | None], covariates: list[str], n_dropped: int
) -> str:
    """Return the PROCESS-like model-4 output: each model's table, then the effects."""
    x, m, y, cluster = roles["x"], roles["m"], roles["y"], roles["cluster"]
    level = percent(res.confidence_level)
    lines = [
        "Model 4: simple mediation",
        f"  Y: {y}   X: {x}   M: {m}",
        f"  Covariates: {', '.join(covariates) if covariates else 'none'}",
        f"  Sample size: {res.n}{dropped(n_dropped, 'row')}",
    ]
    if cluster is not None:
        lines.append(f"  Clusters: {cluster} ({res.n_clusters})")
    lines.append(f"  Standard errors: {_standard_errors(res)}")
    # Cluster-robust t tests do not use n - p degrees of freedom: show each one's.
    with_df = res.hc in _CLUSTER_SE
    lines += [
        "",
        f"OUTCOME VARIABLE: {m}",
        *_model_lines(res.model_m, {"x": str(x)}, with_df=with_df),
        "",
        f"OUTCOME VARIABLE: {y}",
        *_model_lines(res.model_y, {"x": str(x), "m": str(m)}, with_df=with_df),
        "",
        f"TOTAL EFFECT MODEL, OUTCOME VARIABLE: {y}",
        *_model_lines(res.model_total, {"x": str(x)}, with_df=with_df),
        "",
        "TOTAL, DIRECT AND INDIRECT EFFECTS OF X ON Y",
        "  Total effect of X on Y",
        *_effect_lines(res.model_total, 1, with_df=with_df),
        "  Direct effect of X on Y",
        *_effect_lines(res.model_y, 1, with_df=with_df),
        "  Indirect effect of X on Y",
        *rows(
            ["Effect", "BootSE", "BootLLCI", "BootULCI"],
            [(str(m), [res.indirect, res.boot_se, res.ci_low, res.ci_high])],
        ),
        "  Completely standardized indirect effect of X on Y",
        *rows(
            ["Effect", "BootLLCI", "BootULCI"],
            [(str(m), [res.indirect_std, res.indirect_std_ci_low, res.indirect_std_ci_high])],
        ),
        "",
        f"Level of confidence for all intervals: {level}",
        f"Bootstrap: {_bootstrap(res)}, {res.ci_method} interval"
        + ("" if res.seed is None else f", seed {res.seed}"),
        f"  Resamples replaced (no variation in x or m): {res.n_replaced}",
    ]
    return "\n".join(lines) + "\n"


def _standard_errors(res: MediationResult) -> str:
    """Name the paths' standard errors and the degrees of freedom of their t tests."""
    if res.hc is None:
        return "OLS"
    if res.hc == "CR1":
        return f"CR1 (cluster-robust; t on G - 1 = {res.a_df:g} df)"
    if res.hc == "CR2":
        return "CR2 (cluster-robust, Bell-McCaffrey; t on each coefficient's Satterthwaite df)"
    return f"{res.hc} (heteroskedasticity-consistent)"


def _bootstrap(res: MediationResult) -> str:
    """Name the resamples: of rows or whole clusters (pairs), or wild with its settings."""
    if res.bootstrap == "wild":
        scaling = "t-scaled" if res.wild_scale == "t" else "unscaled"
        kind = f"wild cluster resamples ({res.wild_weights} weights, {scaling} residuals)"
    else:
        kind = "resamples of " + ("rows" if res.n_clusters is None else "whole clusters")
        kind += " (pairs)"
    return f"{res.n_resamples} {kind}"


def _model_lines(model: ModelTable, names: Mapping[str, str], *, with_df: bool) -> list[str]:
    summary = [model.r, model.r2, model.mse, model.f, model.df1, model.df2, model.f_p]
    coefficients = [
        (names.get(name, name), _coefficient(model, j, with_df=with_df))
        for j, name in enumerate(model.names)
    ]
    return [
        "  Model summary",
        *rows(["R", "R-sq", "MSE", "F", "df1", "df2", "p"], [("", summary)]),
        "  Model",
        *rows(
            ["coeff", "se", "t", "p", "LLCI", "ULCI", *(["df"] if with_df else [])], coefficients
        ),
    ]


def _effect_lines(model: ModelTable, j: int, *, with_df: bool) -> list[str]:
    header = ["Effect", "se", "t", "p", "LLCI", "ULCI", *(["df"] if with_df else [])]
    return rows(header, [("", _coefficient(model, j, with_df=with_df))])


def _coefficient(model: ModelTable, j: int, *, with_df: bool) -> list[float | int]:
    """One row: coefficient, se, t, p, interval and, if asked, df (whole df as an int)."""
    values: list[float | int] = [
        float(model.coef[j]), float(model.se[j]), float(model.t[j]), float(model.p[j]),
        float(model.ci_low[j]), float(model.ci_high[j]),
    ]  # fmt: skip
    if with_df:
        df = float(model.df[j])
        values.append(int(df) if df.is_integer() else df)
    return values
