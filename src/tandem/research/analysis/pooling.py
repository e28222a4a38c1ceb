"""Results of several completed data sets combined: paths, tables and R² change.

Coefficients are pooled by Rubin's rules (``tandem.stats.pool`` with the complete-data degrees
of freedom, as ``tandem.stats.mediation_imputed`` pools the paths). R² is pooled on Fisher's z
scale of its square root (Harel, 2009), and the F test of an R² change by the D2 statistic of
Li, Meng, Raghunathan and Rubin (1991), from the per-imputation F statistics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats as sps

from tandem import stats
from tandem.research.analysis.result import Path, R2Step, RegressionRow, RegressionTable
from tandem.stats.mediation import MediationResult, ModelTable

__all__ = ["pool_path", "pool_r2", "pool_r2_step", "pool_table", "single_path", "single_table"]


def single_path(fit: MediationResult, name: str) -> Path:
    """One path of a complete-case fit."""
    return Path(
        estimate=float(getattr(fit, name)),
        se=float(getattr(fit, f"{name}_se")),
        t=float(getattr(fit, f"{name}_t")),
        df=float(getattr(fit, f"{name}_df")),
        p=float(getattr(fit, f"{name}_p")),
        ci_low=float(getattr(fit, f"{name}_ci_low")),
        ci_high=float(getattr(fit, f"{name}_ci_high")),
    )


def pool_path(fits: Sequence[MediationResult], name: str) -> Path:
    """One path pooled over the completed data sets by Rubin's rules."""
    df_complete = float(np.mean([getattr(fit, f"{name}_df") for fit in fits]))
    pooled = stats.pool(
        [(getattr(fit, name), getattr(fit, f"{name}_se")) for fit in fits],
        df_complete=df_complete,
    )
    return _path(pooled)


def _path(pooled: stats.PooledResult) -> Path:
    return Path(
        estimate=pooled.estimate,
        se=pooled.se,
        t=pooled.t,
        df=pooled.df,
        p=pooled.p,
        ci_low=pooled.ci_low,
        ci_high=pooled.ci_high,
        fmi=pooled.fmi,
    )


def single_table(model: str, table: ModelTable, n: int) -> RegressionTable:
    """A complete-case model as a regression table."""
    rows = tuple(
        RegressionRow(
            term=term,
            coef=float(table.coef[j]),
            se=float(table.se[j]),
            t=float(table.t[j]),
            df=float(table.df[j]),
            p=float(table.p[j]),
            ci_low=float(table.ci_low[j]),
            ci_high=float(table.ci_high[j]),
        )
        for j, term in enumerate(table.names)
    )
    return RegressionTable(
        model=model,
        rows=rows,
        r2=float(table.r2),
        f=float(table.f),
        df1=int(table.df1),
        df2=int(table.df2),
        f_p=float(table.f_p),
        n=n,
    )


def pool_table(model: str, tables: Sequence[ModelTable], n: int) -> RegressionTable:
    """A model's coefficients pooled by Rubin's rules over the completed data sets."""
    first = tables[0]
    rows = []
    for j, term in enumerate(first.names):
        df_complete = float(np.mean([table.df[j] for table in tables]))
        pooled = stats.pool(
            [(float(table.coef[j]), float(table.se[j])) for table in tables],
            df_complete=df_complete,
        )
        rows.append(
            RegressionRow(
                term=term,
                coef=pooled.estimate,
                se=pooled.se,
                t=pooled.t,
                df=pooled.df,
                p=pooled.p,
                ci_low=pooled.ci_low,
                ci_high=pooled.ci_high,
                fmi=pooled.fmi,
            )
        )
    return RegressionTable(
        model=model,
        rows=tuple(rows),
        r2=pool_r2([table.r2 for table in tables]),
        f=None,
        df1=int(first.df1),
        df2=int(first.df2),
        f_p=None,
        n=n,
    )


def pool_r2(values: Sequence[float]) -> float:
    """R² pooled on Fisher's z scale of its square root (Harel, 2009)."""
    r = np.sqrt(np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0))
    z = np.arctanh(np.clip(r, 0.0, 1.0 - 1e-15))
    return float(np.tanh(np.mean(z)) ** 2)


def pool_r2_step(step: str, results: Sequence[stats.R2ChangeResult], r2_before: float) -> R2Step:
    """One step of the hierarchical regression, pooled: R² and the D2 test of the change."""
    r2 = pool_r2([res.r2_full for res in results])
    df1 = results[0].df1
    statistic, df2, p = _d2([res.f * res.df1 for res in results], df1)
    return R2Step(step=step, r2=r2, delta_r2=r2 - r2_before, f=statistic, df1=df1, df2=df2, p=p)


def _d2(chi_squares: Sequence[float], k: int) -> tuple[float, float, float]:
    """Li, Meng, Raghunathan and Rubin's (1991) D2 from ``m`` chi-square statistics on ``k`` df.

    Returns the F statistic, its denominator degrees of freedom and p (as R's
    ``miceadds::micombine.chisquare``).
    """
    d = np.asarray(chi_squares, dtype=np.float64)
    m = d.size
    r = (1.0 + 1.0 / m) * float(np.var(np.sqrt(np.maximum(d, 0.0)), ddof=1))
    statistic = (float(np.mean(d)) / k - (m + 1.0) / (m - 1.0) * r) / (1.0 + r)
    statistic = max(statistic, 0.0)
    df2 = math.inf if r == 0.0 else k ** (-3.0 / m) * (m - 1.0) * (1.0 + 1.0 / r) ** 2
    p = (
        float(sps.f.sf(statistic, k, df2))
        if math.isfinite(df2)
        else float(sps.chi2.sf(statistic * k, k))
    )
    return statistic, float(df2), p
