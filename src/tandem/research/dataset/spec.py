"""What a study's data set holds: enrolled people, waves, measures and identifier settings.

Plain frozen dataclasses, so the builder can be called (and tested) without the research models:
``tandem.research.spec.dataset_spec(study)`` makes one from a study.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd

DateMode = Literal["shift", "days"]


@dataclass(frozen=True)
class WaveSpec:
    """One measurement wave of the protocol, with its window around the target day."""

    code: str  # slug, e.g. "baseline", "m4_5", "m9"
    label: str
    target_day: int  # days since enrolment
    before_days: int  # window before the target day
    after_days: int  # window after


@dataclass(frozen=True)
class Enrolled:
    """A person with an active research consent in the study."""

    client_id: int
    enrolled_on: date  # the consent date
    diagnosis_group: str  # a DiagnosisGroup value


@dataclass(frozen=True)
class DatasetSpec:
    """Everything the builder needs to make a study's de-identified data set."""

    study_pk: int
    key: bytes  # settings.RESEARCH_ID_KEY
    enrolled: tuple[Enrolled, ...]  # active consents only (withdrawn and voided left out)
    programme_ids: tuple[int, ...]
    team_ids: tuple[int, ...]  # empty = every team of the programmes
    waves: tuple[WaveSpec, ...]
    measures: tuple[tuple[str, str], ...]  # (wave code, instrument code), e.g. ("m4_5", "rprs")
    exposure_days: int  # 90, 180 or 270
    date_mode: DateMode = "days"
    min_cell: int = 5


VariableKind = Literal["string", "integer", "float", "date"]


@dataclass(frozen=True)
class Variable:
    """One column of a data set, described for its data dictionary and the SPSS file.

    ``label`` is English (the source text a page may translate); in ``"date"`` columns dates are
    ISO strings (``YYYY-MM-DD``).
    """

    name: str
    label: str
    kind: VariableKind
    value_labels: Mapping[str | int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dataset:
    """A study's de-identified data set: one row per enrolled person and wave.

    ``sha256`` is the hash of the frame's canonical CSV (``writers.canonical_csv``), which a run
    stores to show on which data it was computed.
    """

    frame: pd.DataFrame
    variables: tuple[Variable, ...]
    n_enrolled: int
    sha256: str

    def variable(self, name: str) -> Variable:
        """The description of column ``name``."""
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise KeyError(name)
