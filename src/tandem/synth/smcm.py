"""A synthetic study shaped like the strengths model case management (SMCM) alliance study.

:func:`smcm_study` draws teams with fidelity reviews, clients nested in teams, and five
interviews per client, from a population in which fidelity exposure raises the working
alliance and the alliance raises the outcomes, with known paths (:data:`POPULATION`). All
identifiers are synthetic ("T01", "C0001"); no row describes a real person.

Population model
----------------
Units: fidelity in points of the 8-40 SMCM fidelity total; alliance on the RPRS 0-100 form,
``(sum of the 24 items - 24) / 72 * 100`` (:func:`alliance_score`); outcomes in the units of
their columns (below). For the alliance interview at 4.5 (or 13.5) months, with ``X`` the
team's mean daily fidelity over the 180 days before it:

* alliance ``= 62 + a (X - 24) + covariate terms + team + client + noise``, with ``a = 0.6``;
  the 24 items are drawn so that they sum exactly to this score rounded at random to a whole
  item sum (unbiasedly), so the observed score keeps the linear mean;
* outcome at 9 (or 18) months ``= mean + change + stability (baseline - mean)
  + b (alliance - 62) + c' (X - 24) + covariate terms + team + noise``, with ``c' = 0`` and
  ``b`` = 0.10 (``qol``), 0.20 (``pgi``), 0.07 (``ths``), 0.05 (``mcas``).

The indirect effects ``a * b`` are therefore 0.06, 0.12, 0.042 and 0.03, close to the ones
the study reported. Ordinary least squares of the mediation model of
:meth:`SmcmStudy.mediation_frame`, with the nine covariates, recovers ``a``, ``b`` and ``c'``
without bias; team effects are independent of fidelity, so with few teams the estimates also
vary from team sample to team sample.

Outcome columns: ``qol`` QOLI-20 as the sum of its 20 items (20-140; divide by 20 for the
item mean), ``pgi`` Patient-Generated Index (0-100), ``ths`` Trait Hope Scale total (8-64),
``mcas`` Multnomah Community Ability Scale total (17-85).

Missing data are missing at random given the baseline covariates: each follow-up interview
is missed with a probability that rises with unstable housing, youth, a long hospitalisation
and time (9% at 4.5 months to 17% at 18); answered interviews lose single item responses
(0.5%) and outcome scores (1%). About 12% of the alliance item responses are missing, most of
them with the whole interview; baseline is complete.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
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

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
RngLike = int | np.random.Generator | None

STUDY_START: Final = dt.date(2014, 10, 9)
# Clients entered from 9 October 2014 to 24 August 2016.
ENROLMENT_DAYS: Final = 685
DAYS_PER_MONTH: Final = 30.4375
EXPOSURE_WINDOW_DAYS: Final = 180
REVIEW_MONTHS: Final = (0, 6, 12, 18, 24, 36)
# The team that left the study early had four reviews.
DROPOUT_REVIEWS: Final = 4
INTERVIEW_MONTHS: Final = (0.0, 4.5, 9.0, 13.5, 18.0)
ALLIANCE_MONTHS: Final = (4.5, 13.5)
OUTCOME_MONTHS: Final = (0.0, 9.0, 18.0)
ITEMS: Final = tuple(f"q{j}" for j in range(1, 25))
OUTCOMES: Final = ("qol", "pgi", "ths", "mcas")
COVARIATES: Final = (
    "age",
    "is_woman",
    "has_stable_housing",
    "is_employed",
    "education_years",
    "childhood_adversity",
    "site",
    "had_long_hospitalisation",
    "baseline",
)
_DEMOGRAPHICS: Final = COVARIATES[:-1]

# Alliance: intercept and centring point of exposure on the 0-100 scale.
_ALLIANCE_MEAN: Final = 62.0
_EXPOSURE_CENTRE: Final = 24.0
_ALLIANCE_TEAM_SD: Final = 2.5
_ALLIANCE_CLIENT_SD: Final = 7.0
_ALLIANCE_NOISE_SD: Final = 8.0
# Item allocation: spread of item difficulty and of person-by-item noise (sets alpha ~ .93).
_ITEM_DIFFICULTY_SD: Final = 0.5
_ITEM_NOISE_SD: Final = 0.35
# Follow-up interview missed: logit intercepts at 4.5, 9, 13.5 and 18 months.
_MISS_LOGIT: Final = (-2.75, -2.5, -2.25, -2.0)
_ITEM_MISS_PROBABILITY: Final = 0.005
_SCORE_MISS_PROBABILITY: Final = 0.01


@dataclass(frozen=True, slots=True)
class _OutcomeModel:
    low: float
    high: float
    mean: float
    sd: float
    stability: float
    change_9: float
    change_18: float
    noise_sd: float
    team_sd: float


_OUTCOME_MODELS: Final = MappingProxyType(
    {
        "qol": _OutcomeModel(20, 140, 80, 15, 0.5, 3, 5, 11, 2.5),
        "pgi": _OutcomeModel(0, 100, 40, 16, 0.35, 1, 6, 15, 3.5),
        "ths": _OutcomeModel(8, 64, 38, 9, 0.55, 1.5, 2.5, 6, 1.5),
        "mcas": _OutcomeModel(17, 85, 58, 9, 0.6, 2, 3, 5.5, 1.5),
    }
)


@dataclass(frozen=True, slots=True)
class SmcmPopulation:
    """The population paths of :func:`smcm_study`.

    Attributes
    ----------
    a : float
        Alliance (RPRS 0-100) points per fidelity point of exposure.
    c_prime : float
        Direct effect of exposure on every outcome.
    b : mapping of str to float
        Outcome units per alliance point, by outcome column.
    """

    a: float
    c_prime: float
    b: Mapping[str, float]

    def indirect(self, outcome: str) -> float:
        """Return the population indirect effect ``a * b`` for ``outcome``."""
        if outcome not in self.b:
            raise ValueError(f"outcome must be one of {', '.join(self.b)}, got {outcome!r}")
        return self.a * self.b[outcome]


POPULATION: Final = SmcmPopulation(
    a=0.6, c_prime=0.0, b=MappingProxyType({"qol": 0.10, "pgi": 0.20, "ths": 0.07, "mcas": 0.05})
)


@dataclass(frozen=True, slots=True)
class SmcmStudy:
    """A synthetic SMCM study: three tidy tables and the population that made them.

    Attributes
    ----------
    reviews : pandas.DataFrame
        One row per team fidelity review: ``team_id``, ``site``, ``month``, ``day`` (days since
        the study start), ``date`` and ``fidelity`` (8-40).
    clients : pandas.DataFrame
        One row per client: ``client_id``, ``team_id``, ``entry_day``, ``entry_date`` and the
        eight baseline covariates (``age``, ``is_woman``, ``has_stable_housing``,
        ``is_employed``, ``education_years``, ``childhood_adversity`` 0-10, ``site``,
        ``had_long_hospitalisation``; 0/1 for the yes/no ones).
    measurements : pandas.DataFrame
        One row per client and scheduled interview (``month`` 0, 4.5, 9, 13.5, 18):
        ``client_id``, ``team_id``, ``month``, ``day``, ``date``, ``was_interviewed``,
        ``fidelity_exposure`` (mean daily team fidelity over the 180 days before), the alliance
        items ``q1``-``q24`` (1-4, at 4.5 and 13.5 months) and the outcomes ``qol``, ``pgi``,
        ``ths``, ``mcas`` (at 0, 9 and 18 months). Cells not scheduled, or missing, are NaN.
    population : SmcmPopulation
    seed : int or None
    """

    reviews: pd.DataFrame = field(repr=False)
    clients: pd.DataFrame = field(repr=False)
    measurements: pd.DataFrame = field(repr=False)
    population: SmcmPopulation
    seed: int | None

    def mediation_frame(self, outcome: str = "qol", month: float = 9.0) -> pd.DataFrame:
        """Return one row per client for the mediation model of ``outcome`` at ``month``.

        Columns: ``client_id``, ``team_id``, the nine :data:`COVARIATES` (``baseline`` is the
        outcome at month 0), ``fidelity`` (exposure before the alliance interview 4.5 months
        earlier), the items ``q1``-``q24`` of that interview and ``outcome``. Score the items
        with :func:`alliance_score`, after imputing them if needed.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        if month not in (9.0, 18.0):
            raise ValueError(f"month must be 9 or 18, got {month!r}")
        by_month = {
            key: part.set_index("client_id") for key, part in self.measurements.groupby("month")
        }
        frame = self.clients.set_index("client_id")[["team_id", *_DEMOGRAPHICS]].copy()
        frame["baseline"] = by_month[0.0][outcome]
        alliance = by_month[month - 4.5]
        frame["fidelity"] = alliance["fidelity_exposure"]
        frame[list(ITEMS)] = alliance[list(ITEMS)]
        frame["outcome"] = by_month[month][outcome]
        return frame.reset_index()


def alliance_score(items: pd.DataFrame) -> pd.Series:
    """Return the RPRS 0-100 score ``(sum - 24) / 72 * 100`` of ``q1``-``q24``; NaN if any
    item is missing."""
    total = items[list(ITEMS)].sum(axis=1, min_count=len(ITEMS))
    return ((total - len(ITEMS)) / (3 * len(ITEMS)) * 100).rename("alliance")


def smcm_study(n_clients: int = 311, n_teams: int = 14, rng: RngLike = None) -> SmcmStudy:
    """Draw a synthetic SMCM study: fidelity reviews, clients, interviews (see the module).

    Teams come in pairs per site (organisation). None starts with high fidelity (14-24); half
    of them, chosen at random, rise to 34-38 (high, 32 or more) by 36 months, the others to
    20-29; one of the latter leaves the study after four reviews, and its fidelity stays at
    its last review. Clients enter over the 685-day enrolment period (those of the team that
    leaves, in its first year); every team has at least two clients.

    Parameters
    ----------
    n_clients : int, default 311
    n_teams : int, default 14
    rng : int, numpy.random.Generator or None
        Seed or generator; the same seed gives identical tables.

    Returns
    -------
    SmcmStudy
    """
    _check_count(n_teams, "n_teams", 2, "")
    _check_count(n_clients, "n_clients", 2 * n_teams, " (2 per team)")
    gen, seed = _generator(rng)
    team_ids = np.array([f"T{j + 1:0{max(2, len(str(n_teams)))}d}" for j in range(n_teams)])
    team_site = np.arange(n_teams) // 2 + 1

    reviews, dropout_team = _reviews(gen, team_ids, team_site)
    team_of, entry_day = _enrolment(gen, n_clients, n_teams, dropout_team)
    order = np.lexsort((team_of, entry_day))
    team_of, entry_day = team_of[order], entry_day[order]
    client_ids = np.array([f"C{i + 1:0{max(4, len(str(n_clients)))}d}" for i in range(n_clients)])
    covariates = _covariates(gen, n_clients, team_site[team_of])

    days = np.empty((n_clients, len(INTERVIEW_MONTHS)), dtype=np.int64)
    for t, month in enumerate(INTERVIEW_MONTHS):
        jitter = gen.integers(-7, 8, n_clients) if month else 0
        days[:, t] = entry_day + round(month * DAYS_PER_MONTH) + jitter
    exposure = _exposure(reviews, n_teams, team_of, days)

    centred = _centred_demographics(covariates)
    alliance_items, alliance = _alliance(gen, exposure, centred, team_of, n_teams)
    outcomes = _outcomes(gen, alliance, exposure, centred, team_of, n_teams)
    interviewed, alliance_items, outcomes = _mask(gen, covariates, alliance_items, outcomes)

    clients = pd.DataFrame(
        {
            "client_id": client_ids,
            "team_id": team_ids[team_of],
            "entry_day": entry_day,
            "entry_date": _dates(entry_day),
            **covariates,
        }
    )
    measurements = _measurements(
        client_ids, team_ids[team_of], days, interviewed, exposure, alliance_items, outcomes
    )
    review_frame = pd.DataFrame(
        {
            "team_id": team_ids[reviews["team"]],
            "site": team_site[reviews["team"]],
            "month": reviews["month"],
            "day": reviews["day"],
            "date": _dates(reviews["day"]),
            "fidelity": reviews["fidelity"],
        }
    )
    return SmcmStudy(
        reviews=review_frame,
        clients=clients,
        measurements=measurements,
        population=POPULATION,
        seed=seed,
    )


def _generator(rng: RngLike) -> tuple[np.random.Generator, int | None]:
    # The same conventions as tandem.stats, written out here: synth makes the data that the
    # statistics are checked against, so it shares no code with them.
    if rng is None:
        return np.random.default_rng(), None
    if isinstance(rng, np.random.Generator):
        return rng, None
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise TypeError("rng must be an int seed, a numpy.random.Generator or None")
    if rng < 0:
        raise ValueError(f"rng must be a non-negative seed, got {rng}")
    return np.random.default_rng(int(rng)), int(rng)


def _check_count(value: object, name: str, minimum: int, why: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int of at least {minimum}{why}, got {value!r}")


def _reviews(
    gen: np.random.Generator, team_ids: npt.NDArray[np.str_], team_site: IntArray
) -> tuple[dict[str, FloatArray], int]:
    n_teams = team_ids.size
    ranks = gen.permutation(n_teams)
    is_high = ranks < math.ceil(n_teams / 2)
    dropout_team = int(np.flatnonzero(ranks == n_teams - 1)[0])
    start = gen.uniform(14.0, 24.0, n_teams)
    final = np.where(is_high, gen.uniform(34.0, 38.0, n_teams), gen.uniform(20.0, 29.0, n_teams))
    # Fidelity approaches its 36-month level exponentially, a year's time constant.
    growth = (final - start) / (1.0 - math.exp(-3.0))
    teams, months, days, fidelity = [], [], [], []
    for j in range(n_teams):
        kept = REVIEW_MONTHS[:DROPOUT_REVIEWS] if j == dropout_team else REVIEW_MONTHS
        for month in kept:
            jitter = int(gen.integers(-10, 11)) if month else 0
            level = start[j] + growth[j] * (1.0 - math.exp(-month / 12.0)) + gen.normal(0, 0.5)
            teams.append(j)
            months.append(month)
            days.append(round(month * DAYS_PER_MONTH) + jitter)
            fidelity.append(round(min(40.0, max(8.0, level)), 2))
    columns = {
        "team": np.array(teams),
        "month": np.array(months),
        "day": np.array(days),
        "fidelity": np.array(fidelity),
    }
    return columns, dropout_team


def _enrolment(
    gen: np.random.Generator, n_clients: int, n_teams: int, dropout_team: int
) -> tuple[IntArray, IntArray]:
    share = gen.dirichlet(np.full(n_teams, 8.0))
    extra = gen.choice(n_teams, size=n_clients - 2 * n_teams, p=share)
    team_of = gen.permutation(np.concatenate([np.repeat(np.arange(n_teams), 2), extra]))
    last_entry = np.where(team_of == dropout_team, 365, ENROLMENT_DAYS)
    entry_day = np.floor(gen.random(n_clients) * (last_entry + 1)).astype(np.int64)
    return team_of.astype(np.int64), entry_day


def _covariates(
    gen: np.random.Generator, n: int, site: IntArray
) -> dict[str, npt.NDArray[np.int64]]:
    return {
        "age": np.clip(np.rint(gen.normal(40, 12, n)), 18, 75).astype(np.int64),
        "is_woman": (gen.random(n) < 0.45).astype(np.int64),
        "has_stable_housing": (gen.random(n) < 0.7).astype(np.int64),
        "is_employed": (gen.random(n) < 0.15).astype(np.int64),
        "education_years": np.clip(np.rint(gen.normal(12, 2.5, n)), 6, 20).astype(np.int64),
        "childhood_adversity": gen.binomial(10, 0.35, n).astype(np.int64),
        "site": site.astype(np.int64),
        "had_long_hospitalisation": (gen.random(n) < 0.2).astype(np.int64),
    }


def _centred_demographics(covariates: Mapping[str, IntArray]) -> dict[str, FloatArray]:
    centres = {"age": 40.0, "education_years": 12.0, "childhood_adversity": 3.5}
    return {
        name: covariates[name].astype(np.float64) - centres.get(name, 0.5)
        for name in _DEMOGRAPHICS
        if name != "site"
    }


def _exposure(
    reviews: Mapping[str, FloatArray], n_teams: int, team_of: IntArray, days: IntArray
) -> FloatArray:
    """Mean daily fidelity of each client's team over the 180 days before each interview.

    Daily fidelity is interpolated linearly between reviews and held flat before the first
    and after the last.
    """
    first_day = -EXPOSURE_WINDOW_DAYS - 1
    grid = np.arange(first_day, int(days.max()) + 1)
    cumulative = np.empty((n_teams, grid.size + 1))
    cumulative[:, 0] = 0.0
    for j in range(n_teams):
        mine = reviews["team"] == j
        daily = np.interp(grid, reviews["day"][mine], reviews["fidelity"][mine])
        cumulative[j, 1:] = np.cumsum(daily)
    # Days d - 180 .. d - 1 are grid positions d - 180 - first_day .. d - 1 - first_day.
    end = days - first_day
    total = (
        cumulative[team_of[:, None], end] - cumulative[team_of[:, None], end - EXPOSURE_WINDOW_DAYS]
    )
    exposure: FloatArray = total / EXPOSURE_WINDOW_DAYS
    return exposure


def _alliance(
    gen: np.random.Generator,
    exposure: FloatArray,
    centred: Mapping[str, FloatArray],
    team_of: IntArray,
    n_teams: int,
) -> tuple[dict[float, FloatArray], dict[float, FloatArray]]:
    n = team_of.size
    covariate_terms = (
        0.05 * centred["age"]
        + 1.5 * centred["is_woman"]
        + 2.0 * centred["has_stable_housing"]
        - 0.6 * centred["childhood_adversity"]
    )
    team = gen.normal(0, _ALLIANCE_TEAM_SD, n_teams)[team_of]
    client = gen.normal(0, _ALLIANCE_CLIENT_SD, n)
    difficulty = gen.normal(0, _ITEM_DIFFICULTY_SD, len(ITEMS))
    items: dict[float, FloatArray] = {}
    scores: dict[float, FloatArray] = {}
    for month in ALLIANCE_MONTHS:
        x = exposure[:, INTERVIEW_MONTHS.index(month)]
        latent = (
            _ALLIANCE_MEAN
            + POPULATION.a * (x - _EXPOSURE_CENTRE)
            + covariate_terms
            + team
            + client
            + gen.normal(0, _ALLIANCE_NOISE_SD, n)
        )
        # Round the item sum up or down with the probability that keeps its mean.
        raw_sum = len(ITEMS) + latent * (3 * len(ITEMS)) / 100
        floor = np.floor(raw_sum)
        item_sum = np.clip(floor + (gen.random(n) < raw_sum - floor), 24, 96).astype(np.int64)
        items[month] = _allocate_items(gen, item_sum, difficulty)
        scores[month] = (item_sum - len(ITEMS)) / (3 * len(ITEMS)) * 100
    return items, scores


def _allocate_items(
    gen: np.random.Generator, item_sum: IntArray, difficulty: FloatArray
) -> FloatArray:
    """Return responses 1-4 to the 24 items summing exactly to ``item_sum`` in each row.

    Each item has three steps above 1. A client takes the ``item_sum - 24`` steps with the
    highest propensity: lower steps and easier items first, shuffled by person-by-item noise,
    which sets how far the items agree with each other.
    """
    n, k = item_sum.size, difficulty.size
    steps = np.array([1.0, 0.0, -1.0])
    propensity = (
        difficulty[None, :, None]
        + steps[None, None, :]
        + gen.normal(0, _ITEM_NOISE_SD, (n, k, 1))
        + gen.normal(0, 0.05, (n, k, 3))
    ).reshape(n, 3 * k)
    rank = np.argsort(np.argsort(-propensity, axis=1), axis=1)
    taken = rank < (item_sum - k)[:, None]
    responses: FloatArray = 1.0 + taken.reshape(n, k, 3).sum(axis=2).astype(np.float64)
    return responses


def _outcomes(
    gen: np.random.Generator,
    alliance: Mapping[float, FloatArray],
    exposure: FloatArray,
    centred: Mapping[str, FloatArray],
    team_of: IntArray,
    n_teams: int,
) -> dict[str, dict[float, FloatArray]]:
    n = team_of.size
    disadvantage = (
        0.25 * centred["has_stable_housing"]
        + 0.2 * centred["is_employed"]
        + 0.03 * centred["education_years"]
        - 0.06 * centred["childhood_adversity"]
        - 0.25 * centred["had_long_hospitalisation"]
    )
    out: dict[str, dict[float, FloatArray]] = {}
    for name, model in _OUTCOME_MODELS.items():
        b = POPULATION.b[name]
        drawn = model.mean + model.sd * (disadvantage + gen.normal(0, 0.95, n))
        baseline = _on_scale(drawn, model)
        team = gen.normal(0, model.team_sd, n_teams)[team_of]
        series = {0.0: baseline}
        for month, change in ((9.0, model.change_9), (18.0, model.change_18)):
            before = month - 4.5
            x = exposure[:, INTERVIEW_MONTHS.index(before)]
            level = (
                model.mean
                + change
                + model.stability * (baseline - model.mean)
                + b * (alliance[before] - _ALLIANCE_MEAN)
                + POPULATION.c_prime * (x - _EXPOSURE_CENTRE)
                + 0.5 * model.sd * disadvantage
                + team
                + gen.normal(0, model.noise_sd, n)
            )
            series[month] = _on_scale(level, model)
        out[name] = series
    return out


def _on_scale(values: FloatArray, model: _OutcomeModel) -> FloatArray:
    """Clip to the scale's range and round to one decimal, as scores are recorded."""
    return np.asarray(np.round(np.clip(values, model.low, model.high), 1), dtype=np.float64)


def _mask(
    gen: np.random.Generator,
    covariates: Mapping[str, IntArray],
    items: dict[float, FloatArray],
    outcomes: dict[str, dict[float, FloatArray]],
) -> tuple[npt.NDArray[np.bool_], dict[float, FloatArray], dict[str, dict[float, FloatArray]]]:
    """Blank missed interviews and single answers, at random given the baseline covariates."""
    n = covariates["age"].size
    risk = (
        0.8 * (1 - covariates["has_stable_housing"])
        - 0.03 * (covariates["age"] - 40)
        + 0.5 * covariates["had_long_hospitalisation"]
    )
    interviewed = np.ones((n, len(INTERVIEW_MONTHS)), dtype=bool)
    for t, intercept in enumerate(_MISS_LOGIT, start=1):
        missed = gen.random(n) < 1.0 / (1.0 + np.exp(-(intercept + risk)))
        interviewed[:, t] = ~missed
    for month, responses in items.items():
        t = INTERVIEW_MONTHS.index(month)
        responses[~interviewed[:, t]] = np.nan
        responses[gen.random(responses.shape) < _ITEM_MISS_PROBABILITY] = np.nan
    for series in outcomes.values():
        for month in (9.0, 18.0):
            t = INTERVIEW_MONTHS.index(month)
            scores = series[month]
            scores[~interviewed[:, t] | (gen.random(n) < _SCORE_MISS_PROBABILITY)] = np.nan
    return interviewed, items, outcomes


def _measurements(
    client_ids: npt.NDArray[np.str_],
    team_ids: npt.NDArray[np.str_],
    days: IntArray,
    interviewed: npt.NDArray[np.bool_],
    exposure: FloatArray,
    items: Mapping[float, FloatArray],
    outcomes: Mapping[str, Mapping[float, FloatArray]],
) -> pd.DataFrame:
    n, n_times = days.shape
    item_block = np.full((n, n_times, len(ITEMS)), np.nan)
    for month, responses in items.items():
        item_block[:, INTERVIEW_MONTHS.index(month)] = responses
    columns: dict[str, npt.ArrayLike] = {
        "client_id": np.repeat(client_ids, n_times),
        "team_id": np.repeat(team_ids, n_times),
        "month": np.tile(INTERVIEW_MONTHS, n),
        "day": days.ravel(),
        "date": _dates(days.ravel()),
        "was_interviewed": interviewed.ravel(),
        "fidelity_exposure": np.round(exposure.ravel(), 3),
    }
    columns.update({item: item_block[:, :, j].ravel() for j, item in enumerate(ITEMS)})
    for name, series in outcomes.items():
        block = np.full((n, n_times), np.nan)
        for month, scores in series.items():
            block[:, INTERVIEW_MONTHS.index(month)] = scores
        columns[name] = block.ravel()
    return pd.DataFrame(columns)


def _dates(days: npt.ArrayLike) -> pd.Series:
    offsets = pd.to_timedelta(np.asarray(days, dtype=np.int64), unit="D")
    return pd.Series(pd.Timestamp(STUDY_START) + offsets).dt.date
