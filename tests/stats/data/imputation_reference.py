"""Rubin's rules reference values transcribed from SAS/STAT documentation (no script made them).

SAS/STAT 9.22 User's Guide, The MIANALYZE Procedure, Example 57.9 "Multivariate Inferences"
(http://support.sas.com/documentation/cdl/en/statug/63962/HTML/default/statug_mianalyze_sect027.htm):
five imputations of the Fitness data, ``proc mianalyze data=outreg edf=28``, table "Variance
Information" for the two linear combinations of the TEST statement. The relative efficiency
column, ``1 / (1 + fmi / m)``, confirms m = 5.

Each row: between- and within-imputation variance (the inputs Rubin's rules need besides m
and the complete-data degrees of freedom), then SAS's total variance, degrees of freedom,
relative increase in variance and fraction of missing information.
"""

from __future__ import annotations

M = 5
EDF = 28

VARIANCE_INFORMATION = {
    "TestPrm1": {
        "between": 45.529229,
        "within": 76.543614,
        "total": 131.178689,
        "df": 9.1917,
        "riv": 0.713777,
        "fmi": 0.461277,
    },
    "TestPrm2": {
        "between": 0.014715,
        "within": 0.114324,
        "total": 0.131983,
        "df": 20.598,
        "riv": 0.154459,
        "fmi": 0.141444,
    },
}
