"""Tests for tandem.synth.smcm_study, the synthetic SMCM alliance study."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from tandem import stats
from tandem.synth import (
    ALLIANCE_MONTHS,
    COVARIATES,
    INTERVIEW_MONTHS,
    ITEMS,
    OUTCOME_MONTHS,
    OUTCOMES,
    POPULATION,
    REVIEW_MONTHS,
    SmcmStudy,
    alliance_score,
    smcm_study,
)

OUTCOME_RANGES = {"qol": (20, 140), "pgi": (0, 100), "ths": (8, 64), "mcas": (17, 85)}


@pytest.fixture(scope="module")
def study() -> SmcmStudy:
    return smcm_study(rng=2024)


@pytest.fixture(scope="module")
def large_study() -> SmcmStudy:
    return smcm_study(n_clients=20_000, n_teams=1_000, rng=7)


def test_default_study_has_the_papers_sample_shape(study: SmcmStudy) -> None:
    assert len(study.clients) == 311
    assert study.clients["client_id"].is_unique
    assert study.clients["team_id"].nunique() == 14
    assert study.clients["site"].nunique() == 7
    assert len(study.measurements) == 311 * len(INTERVIEW_MONTHS)
    assert sorted(study.measurements["month"].unique()) == list(INTERVIEW_MONTHS)
    assert study.clients.groupby("team_id").size().min() >= 2


def test_every_team_has_six_reviews_but_one_that_left_after_four(study: SmcmStudy) -> None:
    reviews_per_team = study.reviews.groupby("team_id")["month"].apply(tuple)
    assert (reviews_per_team == REVIEW_MONTHS).sum() == 13
    assert (reviews_per_team == REVIEW_MONTHS[:4]).sum() == 1


def test_fidelity_stays_on_its_scale_and_ends_high_for_some_teams_only(study: SmcmStudy) -> None:
    reviews = study.reviews
    assert reviews["fidelity"].between(8, 40).all()
    assert (reviews.loc[reviews["month"] == 0, "fidelity"] < 32).all()
    last = reviews.sort_values("month").groupby("team_id")["fidelity"].last()
    assert (last >= 32).sum() >= 3
    assert (last < 32).sum() >= 3


def test_items_covariates_and_outcomes_stay_in_range(study: SmcmStudy) -> None:
    items = study.measurements[list(ITEMS)].to_numpy()
    assert set(np.unique(items[~np.isnan(items)])) == {1.0, 2.0, 3.0, 4.0}
    for name, (low, high) in OUTCOME_RANGES.items():
        assert study.measurements[name].dropna().between(low, high).all()
    clients = study.clients
    for flag in ["is_woman", "has_stable_housing", "is_employed", "had_long_hospitalisation"]:
        assert set(clients[flag].unique()) <= {0, 1}
    assert clients["age"].between(18, 75).all()
    assert clients["childhood_adversity"].between(0, 10).all()
    assert clients["education_years"].between(6, 20).all()
    assert study.measurements["fidelity_exposure"].between(8, 40).all()


def test_alliance_and_outcomes_appear_only_at_their_interviews(study: SmcmStudy) -> None:
    ms = study.measurements
    has_items = ms[list(ITEMS)].notna().any(axis=1)
    has_outcome = ms[list(OUTCOMES)].notna().any(axis=1)
    assert set(ms.loc[has_items, "month"]) == set(ALLIANCE_MONTHS)
    assert set(ms.loc[has_outcome, "month"]) == set(OUTCOME_MONTHS)
    baseline = ms[ms["month"] == 0]
    assert baseline[list(OUTCOMES)].notna().all().all()
    assert baseline["was_interviewed"].all()


def test_missed_interviews_have_nothing_recorded(study: SmcmStudy) -> None:
    missed = study.measurements[~study.measurements["was_interviewed"]]
    assert len(missed) > 0
    assert missed[[*ITEMS, *OUTCOMES]].isna().all().all()


def test_dates_follow_the_study_days(study: SmcmStudy) -> None:
    ms = study.measurements
    start = pd.Timestamp("2014-10-09")
    assert (pd.to_datetime(ms["date"]) - start).dt.days.equals(ms["day"].rename(None))
    entry = ms[ms["month"] == 0].set_index("client_id")["day"]
    assert entry.equals(study.clients.set_index("client_id")["entry_day"].rename("day"))
    assert study.clients["entry_day"].between(0, 685).all()


def test_exposure_is_the_mean_interpolated_team_fidelity_over_the_previous_180_days(
    study: SmcmStudy,
) -> None:
    row = study.measurements.iloc[8]
    reviews = study.reviews[study.reviews["team_id"] == row["team_id"]]
    days = np.arange(row["day"] - 180, row["day"])
    expected = np.interp(days, reviews["day"], reviews["fidelity"]).mean()
    assert row["fidelity_exposure"] == pytest.approx(expected, abs=5e-4)


def test_about_twelve_percent_of_alliance_items_are_missing(
    large_study: SmcmStudy, study: SmcmStudy
) -> None:
    def fraction(s: SmcmStudy) -> float:
        alliance = s.measurements[s.measurements["month"].isin(ALLIANCE_MONTHS)]
        return float(alliance[list(ITEMS)].isna().to_numpy().mean())

    assert fraction(large_study) == pytest.approx(0.12, abs=0.015)
    assert 0.06 < fraction(study) < 0.18


def test_missingness_depends_on_observed_baseline_covariates(large_study: SmcmStudy) -> None:
    ms = large_study.measurements.merge(
        large_study.clients[["client_id", "has_stable_housing"]], on="client_id"
    )
    follow_up = ms[ms["month"] > 0]
    missed = ~follow_up["was_interviewed"]
    by_housing = missed.groupby(follow_up["has_stable_housing"]).mean()
    assert by_housing[0] > 1.5 * by_housing[1]


def test_same_seed_gives_identical_tables() -> None:
    one, two = smcm_study(n_clients=80, rng=5), smcm_study(n_clients=80, rng=5)
    pd.testing.assert_frame_equal(one.reviews, two.reviews)
    pd.testing.assert_frame_equal(one.clients, two.clients)
    pd.testing.assert_frame_equal(one.measurements, two.measurements)
    assert one.seed == 5


def test_different_seeds_give_different_studies() -> None:
    one, two = smcm_study(n_clients=80, rng=5), smcm_study(n_clients=80, rng=6)
    assert not one.measurements.equals(two.measurements)


def test_alliance_items_agree_with_each_other(large_study: SmcmStudy) -> None:
    alliance = large_study.measurements[large_study.measurements["month"] == 4.5]
    alpha = stats.cronbach_alpha(alliance[list(ITEMS)].dropna().iloc[:2000]).alpha
    assert 0.85 < alpha < 0.97


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_ols_recovers_the_population_paths(large_study: SmcmStudy, outcome: str) -> None:
    frame = large_study.mediation_frame(outcome, 9.0)
    frame["alliance"] = alliance_score(frame)
    frame = frame.dropna()
    fit_m = sm.OLS(frame["alliance"], sm.add_constant(frame[["fidelity", *COVARIATES]])).fit()
    design_y = sm.add_constant(frame[["fidelity", "alliance", *COVARIATES]])
    fit_y = sm.OLS(frame["outcome"], design_y).fit()
    b = POPULATION.b[outcome]
    assert fit_m.params["fidelity"] == pytest.approx(POPULATION.a, abs=0.07)
    assert fit_y.params["alliance"] == pytest.approx(b, abs=0.25 * b + 0.01)
    assert fit_y.params["fidelity"] == pytest.approx(POPULATION.c_prime, abs=0.08)


def test_population_paths_are_the_documented_ones() -> None:
    assert POPULATION.a == 0.6
    assert all(0.05 <= b <= 0.2 for b in POPULATION.b.values())
    assert POPULATION.indirect("pgi") == pytest.approx(0.12)
    with pytest.raises(ValueError, match="outcome must be one of"):
        POPULATION.indirect("wai")


def test_mediation_frame_has_one_row_per_client_with_the_model_columns(study: SmcmStudy) -> None:
    frame = study.mediation_frame("pgi", 18.0)
    assert len(frame) == 311
    assert list(frame.columns) == [
        "client_id",
        "team_id",
        *COVARIATES,
        "fidelity",
        *ITEMS,
        "outcome",
    ]
    ms = study.measurements.set_index(["client_id", "month"])
    first = frame.iloc[0]
    assert first["baseline"] == ms.loc[(first["client_id"], 0.0), "pgi"]
    assert first["fidelity"] == ms.loc[(first["client_id"], 13.5), "fidelity_exposure"]
    assert frame[list(COVARIATES)].notna().all().all()


@pytest.mark.parametrize(("outcome", "month"), [("wai", 9.0), ("qol", 4.5)])
def test_mediation_frame_rejects_unknown_models(
    study: SmcmStudy, outcome: str, month: float
) -> None:
    with pytest.raises(ValueError, match="must be"):
        study.mediation_frame(outcome, month)


def test_alliance_score_is_the_linear_0_to_100_form() -> None:
    frame = pd.DataFrame([[4.0] * 24, [1.0] * 24, [2.5] * 24, [np.nan] + [3.0] * 23])
    frame.columns = list(ITEMS)
    scores = alliance_score(frame)
    assert scores.iloc[:3].tolist() == pytest.approx([100.0, 0.0, 50.0])
    assert np.isnan(scores.iloc[3])


@pytest.mark.parametrize(("n_clients", "n_teams"), [(20, 14), (311, 1), (311.0, 14)])
def test_rejects_too_few_clients_or_teams(n_clients: Any, n_teams: Any) -> None:
    with pytest.raises(ValueError, match="must be an int of at least"):
        smcm_study(n_clients=n_clients, n_teams=n_teams, rng=1)


@pytest.mark.parametrize(("rng", "error"), [(-1, ValueError), (True, TypeError), ("7", TypeError)])
def test_rejects_a_seed_that_is_not_a_non_negative_int(rng: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="rng must be"):
        smcm_study(n_clients=40, n_teams=2, rng=rng)


def test_takes_a_generator_and_reports_no_seed() -> None:
    study = smcm_study(n_clients=40, n_teams=2, rng=np.random.default_rng(3))
    assert study.seed is None


def test_imputed_mediation_interval_contains_the_population_indirect_effect() -> None:
    study = smcm_study(rng=4)
    frame = study.mediation_frame("qol", 9.0)
    model_columns = [*COVARIATES, "fidelity", *ITEMS, "outcome"]
    completed = stats.impute(frame, m=5, rng=4, n_burnin=5, columns=model_columns)
    datasets = [d.assign(alliance=alliance_score(d)) for d in completed.datasets]
    res = stats.mediation_imputed(
        datasets,
        "fidelity",
        "alliance",
        "outcome",
        list(COVARIATES),
        n_resamples=2000,
        rng=4,
        cluster="team_id",
    )
    assert res.ci_low < POPULATION.indirect("qol") < res.ci_high
    assert res.a - 2 * res.a_se < POPULATION.a < res.a + 2 * res.a_se
    assert res.n == 311
    assert res.n_clusters == 14
