"""Simple mediation with covariates (PROCESS model 4) and a vectorised bootstrap.

:func:`mediation` fits the two ordinary least-squares models of Hayes' PROCESS model 4 and
bootstraps the indirect effect without a Python loop over resamples: each chunk of resamples is
a matrix of resample counts, its product with the per-row cross-products gives every resample's
moment matrix at once, and a batched sweep reads the paths off them.

Reusing the bootstrap draws
---------------------------
A :class:`MediationResult` keeps its draws in ``boot_indirect`` and ``boot_indirect_std``
(left out of ``to_dict``). To pool across multiply imputed data sets, run :func:`mediation` on
each completed data set, concatenate the draws and take
:func:`tandem.stats._bootstrap.percentile_interval` of the pooled draws
(:func:`~tandem.stats._bootstrap.bias_corrected_interval` for the bias-corrected variant).
"""

from __future__ import annotations

from tandem.stats._common import DegenerateFitWarning
from tandem.stats._model_table import ModelTable
from tandem.stats.mediation._fit import mediation
from tandem.stats.mediation._inputs import Bootstrap, CiMethod
from tandem.stats.mediation._result import MediationResult

__all__ = [
    "Bootstrap",
    "CiMethod",
    "DegenerateFitWarning",
    "MediationResult",
    "ModelTable",
    "mediation",
]

# Documented, pickled and shown under the public path, not the private module defining them.
mediation.__module__ = __name__
MediationResult.__module__ = __name__
