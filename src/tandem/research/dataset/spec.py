"""What a study's data set holds: enrolled people, waves, measures and identifier settings.

Plain frozen dataclasses, so the builder can be called (and tested) without the research models:
``tandem.research.spec.dataset_spec(study)`` makes one from a study.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

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
