"""From the long data set to the model's rows: one per client, the columns the model needs.

The data set has one row per enrolled client and wave (see the research contract). The model
reads exposure, the mediator's items, team and covariates at the mediator wave, the outcome
score at the outcome wave and, with a baseline wave, the outcome score there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tandem.research.analysis.settings import AnalysisSettings

__all__ = ["ModelFrame", "dummy_code", "model_frame"]

X: str = "x"
Y: str = "y"
BASELINE: str = "baseline"
TEAM: str = "team"


@dataclass(frozen=True)
class ModelFrame:
    """One row per enrolled client (sorted by study ID) and the names of its column groups.

    ``frame`` holds ``team``, ``x``, the item columns, ``y``, ``baseline`` (with a baseline
    wave) and the covariates as they are in the data set (strings not yet dummy-coded).
    """

    frame: pd.DataFrame
    items: tuple[str, ...]
    covariates: tuple[str, ...]
    has_baseline: bool
    outcome_after_mediator: bool


def model_frame(
    frame: pd.DataFrame, settings: AnalysisSettings, item_ids: Sequence[str]
) -> ModelFrame:
    """Pivot the long data set to one row per client; raise ``ValueError`` naming what lacks."""
    required = ["study_id", "wave", "wave_order", "team", "exposure"]
    items = tuple(f"{settings.mediator_prefix}{item}" for item in item_ids)
    needed = [*required, *items, settings.outcome_column, *settings.covariates]
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise ValueError(f"the data set has no column {', '.join(missing)}")
    if not items:
        raise ValueError(f"the mediator {settings.mediator_instrument} has no items")
    waves = set(frame["wave"].unique())
    for name in ("mediator_wave", "outcome_wave", "baseline_wave"):
        wave = getattr(settings, name)
        if wave is not None and wave not in waves:
            raise ValueError(f"the data set has no wave {wave!r} ({name})")
    if frame.duplicated(["study_id", "wave"]).any():
        raise ValueError("the data set has more than one row for a client and wave")

    ids = np.sort(frame["study_id"].unique())
    by_wave = {wave: part.set_index("study_id") for wave, part in frame.groupby("wave")}
    at_mediator = by_wave[settings.mediator_wave].reindex(ids)
    at_outcome = by_wave[settings.outcome_wave].reindex(ids)
    out = pd.DataFrame(index=pd.Index(ids, name="study_id"))
    out[TEAM] = at_mediator["team"].where(at_mediator["team"].notna(), at_outcome["team"])
    out[X] = pd.to_numeric(at_mediator["exposure"], errors="raise").astype(np.float64)
    for column in items:
        out[column] = pd.to_numeric(at_mediator[column], errors="raise").astype(np.float64)
    out[Y] = pd.to_numeric(at_outcome[settings.outcome_column]).astype(np.float64)
    if settings.baseline_wave is not None:
        at_baseline = by_wave[settings.baseline_wave].reindex(ids)
        out[BASELINE] = pd.to_numeric(at_baseline[settings.outcome_column]).astype(np.float64)
    for column in settings.covariates:
        out[column] = at_mediator[column]
    order = frame.drop_duplicates("wave").set_index("wave")["wave_order"]
    return ModelFrame(
        frame=out,
        items=items,
        covariates=settings.covariates,
        has_baseline=settings.baseline_wave is not None,
        outcome_after_mediator=bool(order[settings.outcome_wave] > order[settings.mediator_wave]),
    )


def is_string_column(values: pd.Series) -> bool:
    """True for a covariate that is dummy-coded (text or categorical), not entered as is."""
    return not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values))


def dummy_code(values: pd.Series, name: str) -> tuple[dict[str, pd.Series], str]:
    """Dummy-code a string covariate against its most frequent level (ties: first in order).

    Returns the dummy columns, named ``"{name}={level}"`` in sorted level order, and the
    reference level. Missing values stay missing in every dummy.
    """
    counts = values.dropna().astype(str).value_counts()
    if counts.empty:
        return {}, ""
    top = counts.max()
    reference = sorted(str(level) for level, count in counts.items() if count == top)[0]
    text = values.astype("object").where(values.notna())
    dummies: dict[str, pd.Series] = {}
    for level in sorted(str(level) for level in counts.index):
        if level == reference:
            continue
        column = (text.astype(str) == level).astype(np.float64)
        dummies[f"{name}={level}"] = column.where(values.notna())
    return dummies, reference
