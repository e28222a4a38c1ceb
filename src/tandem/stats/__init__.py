"""Pure numerical library for Tandem: the analyses of the case-management papers.

No Django import here: numpy, scipy, statsmodels and the standard library only.
"""

from __future__ import annotations

from tandem.stats.change import ReliableChangeResult, reliable_change
from tandem.stats.exposure import DailySeriesResult, ExposureResult, exposure, interpolate_daily
from tandem.stats.imputation import (
    ImputationResult,
    MediationImputedResult,
    PooledResult,
    impute,
    mediation_imputed,
    pool,
)
from tandem.stats.mediation import MediationResult, mediation
from tandem.stats.paired import PairedTResult, paired_t
from tandem.stats.power import MediationPowerResult, mediation_power
from tandem.stats.regression import R2ChangeResult, r2_change
from tandem.stats.reliability import CronbachAlphaResult, IccResult, cronbach_alpha, icc

__all__: list[str] = [
    "CronbachAlphaResult",
    "DailySeriesResult",
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
