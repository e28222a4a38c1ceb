"""Seed-shaped studies with item-level missing alliance answers, for the PMM checks.

Shared by ``make_pmm_reference.py`` (which sends them to R mice) and ``test_imputation.py``
(which regenerates them and checks ``checksum`` against the one stored with the reference), so
both analyse identical data. The shape follows the seed study: 311 clients in 14 teams, team
fidelity exposure as x, a 4-point alliance scale scored as the mean of its items, a few client
covariates, and about 15% of clients (more in low-fidelity teams; 12% when missing completely
at random) leaving some or all alliance items unanswered: about 11% of item answers.
"""

from __future__ import annotations

import hashlib
from typing import Final

import numpy as np
import pandas as pd

N_CLIENTS: Final = 311
N_TEAMS: Final = 14
N_ITEMS: Final = 10
ITEMS: Final = tuple(f"item{j + 1}" for j in range(N_ITEMS))
COVARIATES: Final = ("age", "gender", "baseline")
COLUMNS: Final = ("fidelity", *COVARIATES, *ITEMS)
# Chance that a client leaves alliance items unanswered; such a client skips the whole scale
# with chance WHOLE_SCALE, else each item with chance ITEM_SKIP (at least one).
INCOMPLETE_CLIENTS: Final = 0.12
WHOLE_SCALE: Final = 0.6
ITEM_SKIP: Final = 0.3


def make_study(seed: int, *, mcar: bool = False) -> pd.DataFrame:
    """Return one study: fidelity, covariates and alliance items with NaN for skipped items.

    Items are missing at random given fidelity and age (clients of low-fidelity teams and
    younger clients skip more often, so the rows to impute sit at the low end of the donors'
    predictions, where predictive mean matching is most sensitive to its settings) unless
    ``mcar``, when every client has the same chance.
    Values are rounded (fidelity and age to 0.1, baseline to 0.01) so that a CSV round trip is
    exact.
    """
    gen = np.random.default_rng(seed)
    team = np.arange(N_CLIENTS) % N_TEAMS
    fidelity = np.round(gen.normal(28.0, 3.0, N_TEAMS)[team] + gen.normal(0.0, 1.0, N_CLIENTS), 1)
    age = np.round(gen.normal(40.0, 11.0, N_CLIENTS), 1)
    gender = (gen.random(N_CLIENTS) < 0.45).astype(float)
    baseline = np.round(gen.normal(0.0, 1.0, N_CLIENTS), 2)
    alliance = (
        0.12 * (fidelity - 28.0)
        + 0.01 * (age - 40.0)
        - 0.2 * gender
        + 0.2 * baseline
        + gen.normal(0.0, 0.3, N_TEAMS)[team]
        + gen.normal(0.0, 0.8, N_CLIENTS)
    )
    # Each item: the latent alliance plus item noise, cut into four ordered categories.
    thresholds = np.array([-1.6, -0.7, 0.5]) + gen.normal(0.0, 0.2, (N_ITEMS, 1))
    latent = alliance[:, None] + gen.normal(0.0, 0.7, (N_CLIENTS, N_ITEMS))
    items = 1.0 + (latent[:, :, None] > thresholds[None, :, :]).sum(axis=2)

    if mcar:
        incomplete_chance = np.full(N_CLIENTS, INCOMPLETE_CLIENTS)
    else:
        # Clients of teams with low fidelity, and younger clients, leave more items unanswered.
        score = -2.4 - 0.45 * (fidelity - 28.0) - 0.03 * (age - 40.0)
        incomplete_chance = 1.0 / (1.0 + np.exp(-score))
    incomplete = gen.random(N_CLIENTS) < incomplete_chance
    whole = incomplete & (gen.random(N_CLIENTS) < WHOLE_SCALE)
    some = incomplete[:, None] & (gen.random((N_CLIENTS, N_ITEMS)) < ITEM_SKIP)
    skipped = whole[:, None] | some
    # A client counted as incomplete skips at least one item.
    none_skipped = incomplete & ~skipped.any(axis=1)
    skipped[none_skipped, gen.integers(0, N_ITEMS, int(none_skipped.sum()))] = True
    items[skipped] = np.nan

    frame = pd.DataFrame(items, columns=list(ITEMS))
    frame.insert(0, "baseline", baseline)
    frame.insert(0, "gender", gender)
    frame.insert(0, "age", age)
    frame.insert(0, "fidelity", fidelity)
    return frame


def checksum(frame: pd.DataFrame) -> str:
    """Return the SHA-256 of the study's CSV text (NaN written as ``NA``), first 16 digits."""
    text = frame.to_csv(index=False, na_rep="NA", float_format="%.10g", lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def a_path(frame: pd.DataFrame) -> float:
    """Return the effect of fidelity on the mean alliance item, adjusting for the covariates.

    Rows with an item missing are left out (the complete-case estimate when ``frame`` has
    gaps).
    """
    complete = frame.dropna()
    design = np.column_stack(
        [np.ones(len(complete)), complete[["fidelity", *COVARIATES]].to_numpy()]
    )
    alliance = complete[list(ITEMS)].to_numpy().mean(axis=1)
    coef, *_ = np.linalg.lstsq(design, alliance, rcond=None)
    return float(coef[1])
