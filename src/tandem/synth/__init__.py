"""Synthetic data for demonstrations and tests: generated people and teams only."""

from __future__ import annotations

from tandem.synth.smcm import (
    ALLIANCE_MONTHS,
    COVARIATES,
    INTERVIEW_MONTHS,
    ITEMS,
    OUTCOME_MONTHS,
    OUTCOMES,
    POPULATION,
    REVIEW_MONTHS,
    SmcmPopulation,
    SmcmStudy,
    alliance_score,
    smcm_study,
)

__all__: list[str] = [
    "ALLIANCE_MONTHS",
    "COVARIATES",
    "INTERVIEW_MONTHS",
    "ITEMS",
    "OUTCOMES",
    "OUTCOME_MONTHS",
    "POPULATION",
    "REVIEW_MONTHS",
    "SmcmPopulation",
    "SmcmStudy",
    "alliance_score",
    "smcm_study",
]
