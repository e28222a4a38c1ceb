"""A synthetic SMCM study as the research data set: long, one row per client and wave.

``long_frame`` lays out :func:`tandem.synth.smcm_study` as the research contract's data set
(waves ``baseline``, ``m4_5`` and ``m9``; the alliance as ``rprs_q1``... at 4.5 months; quality
of life as ``qoli20_total`` at 0 and 9 months; exposure at every wave with an interview). The
synthetic covariates the paper used ride along as extra numeric columns. ``direct_frame``
builds the same model rows straight from the study's own tables, for the tests that check the
pipeline against ``tandem.stats``.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from tandem.synth import ITEMS, SmcmStudy

WAVES: Final = (("baseline", 0.0), ("m4_5", 4.5), ("m9", 9.0))
EXTRA_COVARIATES: Final = (
    "has_stable_housing",
    "is_employed",
    "education_years",
    "childhood_adversity",
    "had_long_hospitalisation",
)
RPRS: Final = tuple(f"rprs_{item}" for item in ITEMS)


def rprs_0_100(items: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The RPRS 0-100 score of an (n, 24) item array; NaN when an item is missing."""
    return np.asarray((items.sum(axis=1) - 24.0) / 72.0 * 100.0, dtype=np.float64)


def study_id(client_id: str) -> str:
    """A stand-in study ID, in the contract's shape ("S" and 12 characters)."""
    return "S" + client_id.replace("C", "").rjust(12, "0")


def long_frame(study: SmcmStudy) -> pd.DataFrame:
    """The study as the research data set (rows sorted by study ID and wave)."""
    clients = study.clients.set_index("client_id")
    teams = sorted(clients["team_id"].unique())
    team_code = {team: f"T{j + 1:02d}" for j, team in enumerate(teams)}
    parts = []
    for order, (wave, month) in enumerate(WAVES, start=1):
        at = study.measurements[study.measurements["month"] == month].set_index("client_id")
        at = at.reindex(clients.index)
        rows = pd.DataFrame(
            {
                "study_id": [study_id(c) for c in clients.index],
                "wave": wave,
                "wave_order": order,
                "team": clients["team_id"].map(team_code).to_numpy(),
                "programme": [f"P{site}" for site in clients["site"]],
                "age_years": clients["age"].to_numpy(),
                "gender": np.where(clients["is_woman"] == 1, "woman", "man"),
                "diagnosis_group": "not_recorded",
                "years_in_service": 1.0,
                "episode_days": (at["day"] - clients["entry_day"]).to_numpy(),
                "discharged": 0,
            }
        )
        interviewed = at["was_interviewed"].to_numpy(dtype=bool)
        has_rprs = wave == "m4_5"
        rows["rprs_day"] = np.where(has_rprs & interviewed, round(month * 30.4375), np.nan)
        items = at[list(ITEMS)].to_numpy(dtype=np.float64)
        rows["rprs_total"] = rprs_0_100(items) if has_rprs else np.nan
        for j, column in enumerate(RPRS):
            rows[column] = items[:, j] if has_rprs else np.nan
        has_qol = wave in ("baseline", "m9")
        rows["qoli20_day"] = np.where(has_qol & interviewed, round(month * 30.4375), np.nan)
        rows["qoli20_total"] = at["qol"].to_numpy() if has_qol else np.nan
        rows["exposure"] = np.where(interviewed, at["fidelity_exposure"].to_numpy(), np.nan)
        for name in EXTRA_COVARIATES:
            rows[name] = clients[name].to_numpy()
        parts.append(rows)
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["study_id", "wave_order"], ignore_index=True)


def direct_frame(study: SmcmStudy) -> pd.DataFrame:
    """One row per client straight from the study: team, x, items, y, baseline, covariates.

    Exposure is missing where the 4.5-month interview was missed (the data set has no date
    to measure it from); rows sorted by study ID.
    """
    clients = study.clients.set_index("client_id")
    by_month = {
        month: part.set_index("client_id") for month, part in study.measurements.groupby("month")
    }
    teams = sorted(clients["team_id"].unique())
    team_code = {team: f"T{j + 1:02d}" for j, team in enumerate(teams)}
    at_m = by_month[4.5].reindex(clients.index)
    out = pd.DataFrame(index=[study_id(c) for c in clients.index])
    out["team"] = clients["team_id"].map(team_code).to_numpy()
    out["x"] = np.where(at_m["was_interviewed"], at_m["fidelity_exposure"], np.nan)
    for item, column in zip(ITEMS, RPRS, strict=True):
        out[column] = at_m[item].to_numpy(dtype=np.float64)
    out["y"] = by_month[9.0].reindex(clients.index)["qol"].to_numpy()
    out["baseline"] = by_month[0.0].reindex(clients.index)["qol"].to_numpy()
    out["age_years"] = clients["age"].to_numpy(dtype=np.float64)
    out["gender"] = np.where(clients["is_woman"] == 1, "woman", "man")
    out["programme"] = [f"P{site}" for site in clients["site"]]
    for name in EXTRA_COVARIATES:
        out[name] = clients[name].to_numpy(dtype=np.float64)
    return out.sort_index()
