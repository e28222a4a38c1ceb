"""The analysis run on a synthetic SMCM study laid out as the research data set."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tandem import stats
from tandem.research.analysis import pipeline
from tandem.research.analysis.pipeline import run_analysis, seed_streams
from tandem.research.analysis.result import AnalysisResult
from tandem.research.analysis.settings import AnalysisSettings
from tandem.synth import ITEMS, POPULATION, SmcmStudy, smcm_study
from tests.research.smcm_frame import (
    EXTRA_COVARIATES,
    RPRS,
    direct_frame,
    long_frame,
    rprs_0_100,
)

COVARIATES = ("age_years", "gender", "programme", *EXTRA_COVARIATES)


@pytest.fixture(autouse=True, scope="module")
def quick_power() -> Iterator[None]:
    """Fewer simulated studies for the power note: its numbers are not what is tested here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "POWER_SIMS", 40)
        patch.setattr(pipeline, "POWER_RESAMPLES", 100)
        yield


def settings_for(**changes: Any) -> AnalysisSettings:
    values: dict[str, Any] = {
        "mediator_instrument": "rprs",
        "mediator_wave": "m4_5",
        "outcome_instrument": "qoli20",
        "outcome_score": "total",
        "outcome_wave": "m9",
        "baseline_wave": "baseline",
        "covariates": COVARIATES,
        "imputations": 0,
        "resamples": 300,
        "bootstrap": "percentile",
        "cluster_by_team": True,
        "seed": 11,
    }
    values.update(changes)
    return AnalysisSettings(**values)


def run(frame: pd.DataFrame, settings: AnalysisSettings, **kwargs: Any) -> AnalysisResult:
    return run_analysis(
        frame, settings, mediator_scoring=rprs_0_100, mediator_items=ITEMS, **kwargs
    )


@pytest.fixture(scope="module")
def small_study() -> SmcmStudy:
    return smcm_study(n_clients=311, n_teams=14, rng=5)


@pytest.fixture(scope="module")
def small_frame(small_study: SmcmStudy) -> pd.DataFrame:
    return long_frame(small_study)


@pytest.fixture(scope="module")
def complete_case(small_frame: pd.DataFrame) -> AnalysisResult:
    return run(small_frame, settings_for())


@pytest.fixture(scope="module")
def imputed(small_frame: pd.DataFrame) -> AnalysisResult:
    return run(small_frame, settings_for(imputations=3, resamples=200))


def covariate_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """The covariates as the model enters them: strings dummy-coded against the commonest."""
    out = pd.DataFrame(index=rows.index)
    out["baseline"] = rows["baseline"]
    for name in COVARIATES:
        values = rows[name]
        if not pd.api.types.is_numeric_dtype(values):
            counts = values.value_counts()
            reference = sorted(counts[counts == counts.max()].index)[0]
            for level in sorted(set(values) - {reference}):
                out[f"{name}={level}"] = (values == level).astype(float)
        else:
            out[name] = values.astype(float)
    return out


def test_complete_case_run_recovers_the_generating_paths() -> None:
    study = smcm_study(n_clients=1500, n_teams=14, rng=7)
    result = run(long_frame(study), settings_for(resamples=500, seed=3))

    assert result.a.ci_low < POPULATION.a < result.a.ci_high
    assert result.b.ci_low < POPULATION.b["qol"] < result.b.ci_high
    assert result.c_prime.ci_low < POPULATION.c_prime < result.c_prime.ci_high
    assert result.indirect.ci_low < POPULATION.indirect("qol") < result.indirect.ci_high
    assert result.indirect.ci_low > 0
    assert result.n.enrolled == 1500
    assert result.n.used == result.n.complete < result.n.with_data <= 1500


def test_complete_case_numbers_equal_stats_mediation_on_the_same_rows(
    small_study: SmcmStudy, complete_case: AnalysisResult
) -> None:
    rows = direct_frame(small_study)
    score = rprs_0_100(rows[list(RPRS)].to_numpy())
    complete = rows[["x", "y", "baseline"]].notna().all(axis=1) & np.isfinite(score)
    used = rows[complete]
    covariates = covariate_columns(used)
    _, bootstrap, _ = seed_streams(11)

    fit = stats.mediation(
        used["x"],
        score[complete.to_numpy()],
        used["y"],
        covariates,
        n_resamples=300,
        rng=bootstrap,
        cluster=used["team"],
        hc="CR2",
    )

    assert complete_case.n.used == fit.n
    for name in ("a", "b", "c", "c_prime"):
        path = getattr(complete_case, name)
        assert path.estimate == pytest.approx(getattr(fit, name), rel=1e-12)
        assert path.ci_low == pytest.approx(getattr(fit, f"{name}_ci_low"), rel=1e-12)
        assert path.p == pytest.approx(getattr(fit, f"{name}_p"), rel=1e-10)
    assert complete_case.indirect.estimate == pytest.approx(fit.indirect, rel=1e-12)
    assert complete_case.indirect.ci_low == pytest.approx(fit.ci_low, rel=1e-12)
    assert complete_case.indirect.ci_high == pytest.approx(fit.ci_high, rel=1e-12)
    assert complete_case.indirect.std == pytest.approx(fit.indirect_std, rel=1e-12)
    table = complete_case.model("outcome")
    assert [row.term for row in table.rows] == list(fit.model_y.names)
    assert table.r2 == pytest.approx(fit.model_y.r2, rel=1e-12)


def test_imputed_numbers_equal_stats_impute_and_mediation_imputed(
    small_study: SmcmStudy, imputed: AnalysisResult
) -> None:
    rows = direct_frame(small_study)
    rows = rows[rows[["x", *RPRS, "y"]].notna().any(axis=1)]
    model = pd.concat([rows[["x", *RPRS, "y"]], covariate_columns(rows)], axis=1)
    imputation_rng, bootstrap_rng, _ = seed_streams(11)
    completed = stats.impute(model, m=3, rng=imputation_rng)
    datasets = [
        data.assign(m=rprs_0_100(data[list(RPRS)].to_numpy()), team=rows["team"])
        for data in completed.datasets
    ]
    covariates = list(covariate_columns(rows).columns)

    pooled = stats.mediation_imputed(
        datasets,
        "x",
        "m",
        "y",
        covariates,
        n_resamples=200,
        rng=bootstrap_rng,
        cluster="team",
        hc="CR2",
    )

    assert imputed.n.used == pooled.n == len(rows)
    assert imputed.n.imputed == int(model.isna().any(axis=1).sum()) > 0
    for name in ("a", "b", "c", "c_prime"):
        path = getattr(imputed, name)
        assert path.estimate == pytest.approx(getattr(pooled, name), rel=1e-12)
        assert path.se == pytest.approx(getattr(pooled, f"{name}_se"), rel=1e-10)
        assert path.fmi == pytest.approx(getattr(pooled, f"{name}_fmi"), rel=1e-8)
    assert imputed.indirect.estimate == pytest.approx(pooled.indirect, rel=1e-12)
    assert imputed.indirect.ci_low == pytest.approx(pooled.ci_low, rel=1e-12)
    assert imputed.indirect.ci_high == pytest.approx(pooled.ci_high, rel=1e-12)
    assert imputed.indirect.n_draws == 600


def test_the_same_seed_gives_identical_results(
    small_frame: pd.DataFrame, complete_case: AnalysisResult
) -> None:
    again = run(small_frame, settings_for())
    other_seed = run(small_frame, settings_for(seed=12))

    assert again.to_dict() == complete_case.to_dict()
    assert other_seed.indirect.ci_low != complete_case.indirect.ci_low


def test_result_round_trips_through_json(imputed: AnalysisResult) -> None:
    stored = json.loads(json.dumps(imputed.to_dict(), allow_nan=False))

    restored = AnalysisResult.from_dict(stored)

    assert restored.to_dict() == imputed.to_dict()
    assert restored.settings == imputed.settings
    assert restored.a == imputed.a


def test_result_holds_plain_python_values_only(imputed: AnalysisResult) -> None:
    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert value is None or type(value) in (int, float, str, bool)

    walk(imputed.to_dict())


def test_reliability_nesting_and_r2_change_are_reported(complete_case: AnalysisResult) -> None:
    assert {summary.variable for summary in complete_case.icc} == {"mediator", "outcome"}
    assert complete_case.alpha is not None
    assert complete_case.alpha.n_items == 24
    assert 0.85 < complete_case.alpha.alpha < 0.97
    assert [step.step for step in complete_case.r2_change] == [
        "covariates",
        "exposure",
        "mediator",
    ]
    mediator_step = complete_case.r2_change[-1]
    assert mediator_step.r2 == pytest.approx(complete_case.model("outcome").r2, rel=1e-10)
    assert [note.a for note in complete_case.power] == [0.14, 0.26, 0.39]


def test_imputed_r2_change_is_pooled(imputed: AnalysisResult) -> None:
    steps = imputed.r2_change
    assert all(0 <= step.r2 <= 1 and math.isfinite(step.f) for step in steps)
    assert sum(step.delta_r2 for step in steps) == pytest.approx(steps[-1].r2)


def test_progress_is_reported_up_to_done(small_frame: pd.DataFrame) -> None:
    seen: list[tuple[float, str]] = []

    run(small_frame, settings_for(resamples=100), progress=lambda f, m: seen.append((f, m)))

    fractions = [fraction for fraction, _message in seen]
    assert fractions == sorted(fractions)
    assert seen[-1] == (1.0, "Done")


def test_few_teams_and_a_constant_covariate_are_warned_in_codes() -> None:
    frame = long_frame(smcm_study(n_clients=120, n_teams=4, rng=2))

    result = run(frame, settings_for(covariates=("age_years", "diagnosis_group")))

    codes = {warning.code for warning in result.warnings}
    assert {"few_teams", "covariate_constant", "low_power"} <= codes
    assert {"covariate": "diagnosis_group"} in [w.params for w in result.warnings]
    assert any(note.method == "simulation" for note in result.power)


def test_a_missing_column_is_named(small_frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="qoli20_social"):
        run(small_frame, settings_for(outcome_score="social"))


def test_a_missing_wave_is_named(small_frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="m18"):
        run(small_frame, settings_for(outcome_wave="m18"))
