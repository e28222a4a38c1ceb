"""Multiple imputation: chained equations, Rubin's rules, and mediation over imputations.

:func:`impute` completes a data frame ``m`` times by chained equations with predictive mean
matching as R mice does, :func:`pool` combines per-imputation estimates by Rubin's rules, and
:func:`mediation_imputed` runs :func:`tandem.stats.mediation` on every completed data set,
pooling the paths by Rubin's rules and stacking the bootstrap draws of the indirect effect.

The one part of :mod:`tandem.stats` that imports pandas: its inputs and completed data sets
are data frames. ``tandem.stats`` loads it on first use.
"""

from __future__ import annotations

from tandem.stats.imputation.chained import ImputationResult, impute
from tandem.stats.imputation.pooled_mediation import MediationImputedResult, mediation_imputed
from tandem.stats.imputation.rubin import PooledResult, pool

__all__ = [
    "ImputationResult",
    "MediationImputedResult",
    "PooledResult",
    "impute",
    "mediation_imputed",
    "pool",
]
