"""Pure numerical library for Tandem: the analyses of the case-management papers.

No Django import and no other Tandem app here. Importing ``tandem.stats`` loads numpy,
scipy.linalg and scipy.special (all that mediation and exposure need); every other public name
is imported from its module on first use. scipy.stats (paired t, reliability, change,
regression, pooling) takes most of a second to import, and multiple imputation works on data
frames, so ``tandem.stats.imputation`` imports pandas. ``tests/stats/test_lazy_imports.py``
keeps ``tandem analyze mediation`` free of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# These two modules share a name with their function, so they are imported here: a lazy name
# would be shadowed by the submodule once ``import tandem.stats.mediation`` had run.
from tandem.stats.exposure import DailySeriesResult, ExposureResult, exposure, interpolate_daily
from tandem.stats.mediation import DegenerateFitWarning, MediationResult, ModelTable, mediation

if TYPE_CHECKING:
    from tandem.stats.agreement import (
        CodingAgreementResult,
        KrippendorffAlphaResult,
        coding_agreement,
        krippendorff_alpha,
    )
    from tandem.stats.change import ReliableChangeResult, reliable_change
    from tandem.stats.imputation import (
        ImputationResult,
        MediationImputedResult,
        PooledResult,
        impute,
        mediation_imputed,
        pool,
    )
    from tandem.stats.paired import PairedTResult, paired_t
    from tandem.stats.power import MediationPowerResult, mediation_power
    from tandem.stats.regression import R2ChangeResult, r2_change
    from tandem.stats.reliability import CronbachAlphaResult, IccResult, cronbach_alpha, icc

# The other names are loaded from their modules on first use, so that mediation (and
# ``tandem analyze mediation``) does not pay for scipy.stats, pandas or statsmodels.
_MODULES: dict[str, str] = {
    "CodingAgreementResult": "agreement",
    "KrippendorffAlphaResult": "agreement",
    "coding_agreement": "agreement",
    "krippendorff_alpha": "agreement",
    "ReliableChangeResult": "change",
    "reliable_change": "change",
    "ImputationResult": "imputation",
    "MediationImputedResult": "imputation",
    "PooledResult": "imputation",
    "impute": "imputation",
    "mediation_imputed": "imputation",
    "pool": "imputation",
    "PairedTResult": "paired",
    "paired_t": "paired",
    "MediationPowerResult": "power",
    "mediation_power": "power",
    "R2ChangeResult": "regression",
    "r2_change": "regression",
    "CronbachAlphaResult": "reliability",
    "IccResult": "reliability",
    "cronbach_alpha": "reliability",
    "icc": "reliability",
}

__all__: list[str] = [
    "CodingAgreementResult",
    "CronbachAlphaResult",
    "DailySeriesResult",
    "DegenerateFitWarning",
    "ExposureResult",
    "IccResult",
    "ImputationResult",
    "KrippendorffAlphaResult",
    "MediationImputedResult",
    "MediationPowerResult",
    "MediationResult",
    "ModelTable",
    "PairedTResult",
    "PooledResult",
    "R2ChangeResult",
    "ReliableChangeResult",
    "coding_agreement",
    "cronbach_alpha",
    "exposure",
    "icc",
    "impute",
    "interpolate_daily",
    "krippendorff_alpha",
    "mediation",
    "mediation_imputed",
    "mediation_power",
    "paired_t",
    "pool",
    "r2_change",
    "reliable_change",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is not None:
        return getattr(importlib.import_module(f"tandem.stats.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
