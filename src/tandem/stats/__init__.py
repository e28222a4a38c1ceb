"""Pure numerical library for Tandem: the analyses of the case-management papers.

No Django import here: numpy, scipy, statsmodels and the standard library only.
"""

from __future__ import annotations

from tandem.stats.mediation import MediationResult, mediation
from tandem.stats.paired import PairedTResult, paired_t
from tandem.stats.power import MediationPowerResult, mediation_power

__all__: list[str] = [
    "MediationPowerResult",
    "MediationResult",
    "PairedTResult",
    "mediation",
    "mediation_power",
    "paired_t",
]
