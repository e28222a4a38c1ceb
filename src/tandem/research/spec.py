"""From a study to what its data set and its analysis need: the data set spec and the settings.

The data set builder and the analysis pipeline take plain values (``DatasetSpec``,
``AnalysisSettings``); this module reads them off a :class:`~tandem.research.models.Study`, so
that exports, analysis runs, the pages and the command line build them the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings

from tandem.measures.registry import get_instrument
from tandem.measures.scoring import score_matrix
from tandem.research.analysis.pipeline import Scoring
from tandem.research.analysis.settings import AnalysisSettings
from tandem.research.dataset.spec import DatasetSpec, Enrolled, WaveSpec
from tandem.research.models import Study
from tandem.research.selectors import active_enrolments


def dataset_spec(study: Study) -> DatasetSpec:
    """The spec of ``study``'s de-identified data set: active consents only (four queries)."""
    enrolled = tuple(
        Enrolled(client_id=client_id, enrolled_on=consented_on, diagnosis_group=group)
        for client_id, consented_on, group in active_enrolments(study)
        .order_by("client_id")
        .values_list("client_id", "consented_on", "diagnosis_group")
    )
    waves = tuple(
        WaveSpec(
            code=wave.code,
            label=wave.label,
            target_day=wave.target_day,
            before_days=wave.before_days,
            after_days=wave.after_days,
        )
        for wave in study.waves.order_by("order", "pk")
    )
    measures = tuple(
        (wave_code, code)
        for wave_code, code in study.measures.order_by("wave__order", "wave__pk", "pk").values_list(
            "wave__code", "instrument_code"
        )
    )
    return DatasetSpec(
        study_pk=study.pk,
        key=settings.RESEARCH_ID_KEY,
        enrolled=enrolled,
        programme_ids=tuple(study.programmes.order_by("pk").values_list("pk", flat=True)),
        team_ids=tuple(study.teams.order_by("pk").values_list("pk", flat=True)),
        waves=waves,
        measures=measures,
        exposure_days=study.exposure_days,
        date_mode="shift" if study.date_mode == "shift" else "days",
    )


def analysis_settings(study: Study, **overrides: Any) -> AnalysisSettings:
    """The study's default analysis settings, with ``overrides`` (field name → value) applied.

    Raises ``ValueError`` in plain words when the study's protocol does not name a mediator
    and an outcome yet.
    """
    values: dict[str, Any] = {
        "exposure_days": study.exposure_days,
        "mediator_instrument": study.mediator_instrument,
        "mediator_wave": study.mediator_wave,
        "outcome_instrument": study.outcome_instrument,
        "outcome_score": study.outcome_score or "total",
        "outcome_wave": study.outcome_wave,
        "baseline_wave": study.baseline_wave or None,
        "covariates": tuple(study.covariates or ()),
        "imputations": study.imputations,
        "resamples": study.resamples,
        "bootstrap": study.bootstrap,
        "cluster_by_team": study.cluster_by_team,
        "seed": study.seed,
    }
    values.update(overrides)
    if isinstance(values["covariates"], list):
        values["covariates"] = tuple(values["covariates"])
    return AnalysisSettings(**values)


def mediator_scoring(instrument_code: str) -> Scoring:
    """Score the mediator's item matrix as the measures module does: its total score."""
    instrument = get_instrument(instrument_code)
    names = instrument.score_names
    column = names.index("total") if "total" in names else 0

    def scoring(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(score_matrix(instrument, matrix).values[:, column], dtype=np.float64)

    return scoring
