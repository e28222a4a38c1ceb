"""Analysis settings: checked when made, and stored as JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tandem.research.analysis.settings import AnalysisSettings

BASE: dict[str, Any] = {
    "mediator_instrument": "rprs",
    "mediator_wave": "m4_5",
    "outcome_instrument": "qoli20",
    "outcome_wave": "m9",
}


def test_settings_round_trip_through_json() -> None:
    settings = AnalysisSettings(
        **BASE, baseline_wave="baseline", covariates=("age_years", "gender"), seed=99
    )

    restored = AnalysisSettings.from_dict(json.loads(json.dumps(settings.to_dict())))

    assert restored == settings
    assert restored.covariates == ("age_years", "gender")


def test_defaults_follow_the_paper() -> None:
    settings = AnalysisSettings(**BASE)

    assert settings.exposure_days == 180
    assert settings.resamples == 5000
    assert settings.bootstrap == "percentile"
    assert settings.outcome_column == "qoli20_total"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"exposure_days": 120}, "exposure_days"),
        ({"imputations": 1}, "imputations"),
        ({"resamples": 10}, "resamples"),
        ({"bootstrap": "studentised"}, "bootstrap"),
        ({"bootstrap": "bca", "imputations": 20}, "bca"),
        ({"covariates": ("exposure",)}, "covariates"),
        ({"covariates": ("age_years", "age_years")}, "covariates"),
        ({"outcome_wave": "M9"}, "outcome_wave"),
        ({"baseline_wave": "m9"}, "baseline_wave"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        AnalysisSettings(**{**BASE, **changes})


def test_bca_is_allowed_for_complete_cases() -> None:
    assert AnalysisSettings(**BASE, bootstrap="bca", imputations=0).bootstrap == "bca"


def test_unknown_stored_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="confidence"):
        AnalysisSettings.from_dict({**BASE, "confidence": 0.9})
