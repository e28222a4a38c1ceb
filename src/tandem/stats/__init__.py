"""Pure numerical library for Tandem: the analyses of the case-management papers.

No Django import and no other Tandem app here. Importing ``tandem.stats`` loads numpy, scipy
and the standard library only. Multiple imputation works on data frames with statsmodels'
MICE, so ``tandem.stats.imputation`` alone imports pandas and statsmodels; it is loaded on the
first use of ``impute``, ``pool`` or ``mediation_imputed`` (or an import of the subpackage).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tandem.stats.change import ReliableChangeResult, reliable_change
from tandem.stats.exposure import DailySeriesResult, ExposureResult, exposure, interpolate_daily
from tandem.stats.mediation import DegenerateFitWarning, MediationResult, mediation
from tandem.stats.paired import PairedTResult, paired_t
from tandem.stats.power import MediationPowerResult, mediation_power
from tandem.stats.regression import R2ChangeResult, r2_change
from tandem.stats.reliability import CronbachAlphaResult, IccResult, cronbach_alpha, icc

if TYPE_CHECKING:
    from tandem.stats.imputation import (
        ImputationResult,
        MediationImputedResult,
        PooledResult,
        impute,
        mediation_imputed,
        pool,
    )

# Loaded on first use: these need pandas and statsmodels, which the rest never imports.
_IMPUTATION = frozenset(
    {
        "ImputationResult",
        "MediationImputedResult",
        "PooledResult",
        "impute",
        "mediation_imputed",
        "pool",
    }
)

__all__: list[str] = [
    "CronbachAlphaResult",
    "DailySeriesResult",
    "DegenerateFitWarning",
    "ExposureResult",
    "IccResult",
    "ImputationResult",
    "MediationImputedResult",
    "MediationPowerResult",
    "MediationResult",
    "PairedTResult",
    "PooledResult",
    "R2ChangeResult",
    "ReliableChangeResult",
    "cronbach_alpha",
    "exposure",
    "icc",
    "impute",
    "interpolate_daily",
    "mediation",
    "mediation_imputed",
    "mediation_power",
    "paired_t",
    "pool",
    "r2_change",
    "reliable_change",
]


def __getattr__(name: str) -> Any:
    if name in _IMPUTATION:
        return getattr(importlib.import_module("tandem.stats.imputation"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
