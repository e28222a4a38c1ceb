"""A study in the database with enough clients for an analysis run: two teams with fidelity
reviews, the alliance (RPRS) at 4.5 months and quality of life (QOLI-20) at 9 months."""

from __future__ import annotations

from datetime import date

import numpy as np

from tandem.accounts.models import Role
from tandem.clients.models import Client
from tandem.measures.registry import get_instrument
from tandem.research.analysis.result import AnalysisResult
from tandem.research.models import (
    AnalysisRun,
    Enrolment,
    MemberRole,
    RunStatus,
    Study,
    StudyMeasure,
    StudyMember,
    StudyStatus,
    StudyWave,
)
from tests.factories import MembershipFactory, UserFactory
from tests.research.dataset_records import ENROLLED_ON, day, respond, study_records


def _answers(code: str, rng: np.random.Generator, shift: float) -> dict[str, object]:
    instrument = get_instrument(code)
    answers: dict[str, object] = {}
    for item in instrument.items:
        scale = instrument.scale_of(item)
        low, high = int(scale.min), int(scale.max)
        centre = low + (high - low) * min(max(0.5 + shift, 0.0), 1.0)
        answers[item.id] = int(np.clip(round(rng.normal(centre, 1.0)), low, high))
    return answers


def analysable_study(*, clients: int = 36, seed: int = 5) -> Study:
    """An active study of ``clients`` enrolled people whose default analysis runs in seconds
    (complete cases, 200 resamples)."""
    records = study_records()
    creator = UserFactory.create(agency=records.agency)
    MembershipFactory.create(user=creator, role=Role.RESEARCHER, agency=records.agency)
    study = Study.objects.create(
        agency=records.agency,
        slug="alliance_runs",
        title="Alliance and quality of life",
        status=StudyStatus.ACTIVE,
        created_by=creator,
        mediator_instrument="rprs",
        mediator_wave="m4_5",
        outcome_instrument="qoli20",
        outcome_wave="m9",
        imputations=0,
        resamples=200,
        seed=11,
    )
    study.programmes.set([records.programme])
    StudyMember.objects.create(study=study, user=creator, role=MemberRole.LEAD, added_by=creator)
    baseline = StudyWave.objects.create(
        study=study, code="baseline", label="Baseline", target_day=0, before_days=30,
        after_days=30, order=1,
    )  # fmt: skip
    middle = StudyWave.objects.create(
        study=study, code="m4_5", label="4.5 months", target_day=137, before_days=30,
        after_days=30, order=2,
    )  # fmt: skip
    last = StudyWave.objects.create(
        study=study, code="m9", label="9 months", target_day=274, before_days=30,
        after_days=30, order=3,
    )  # fmt: skip
    del baseline
    StudyMeasure.objects.create(study=study, wave=middle, instrument_code="rprs")
    StudyMeasure.objects.create(study=study, wave=last, instrument_code="qoli20")
    rng = np.random.default_rng(seed)
    for i in range(clients):
        episode = records.enrol(team=records.team_a if i % 2 else records.team_b)
        Enrolment.objects.create(
            study=study,
            client=episode.client,
            consented_on=ENROLLED_ON,
            form_version="v1",
            recorded_by=creator,
        )
        alliance = float(rng.normal(0.0, 0.2))
        respond(
            episode, "rprs", day(137 + int(rng.integers(-25, 25))), _answers("rprs", rng, alliance)
        )
        respond(
            episode,
            "qoli20",
            day(274 + int(rng.integers(-25, 25))),
            _answers("qoli20", rng, 0.6 * alliance),
        )
    return study


def enrolled_clients(study: Study) -> list[Client]:
    return [e.client for e in study.enrolments.select_related("client").order_by("pk")]


def finished_run(study: Study, result: AnalysisResult, *, number: int = 1) -> AnalysisRun:
    """A done run of ``study`` holding ``result`` (no data set read)."""
    return AnalysisRun.objects.create(
        study=study,
        number=number,
        requested_by=study.created_by,
        settings=result.settings.to_dict(),
        dataset_sha256="0" * 64,
        data_version=study.data_version,
        software_version="test",
        status=RunStatus.DONE,
        progress=1.0,
        result=result.to_dict(),
        finished_at=study.created_at,
    )


__all__ = ["ENROLLED_ON", "analysable_study", "date", "enrolled_clients", "finished_run"]


_STORED: dict[str, object] = {}


def stored_result() -> AnalysisResult:
    """A finished analysis of a synthetic SMCM study (computed once per test session)."""
    if "result" not in _STORED:
        from tandem.research.analysis import pipeline
        from tandem.research.analysis.pipeline import run_analysis
        from tandem.research.analysis.settings import AnalysisSettings
        from tandem.synth import ITEMS, smcm_study
        from tests.research.smcm_frame import long_frame, rprs_0_100

        settings = AnalysisSettings(
            mediator_instrument="rprs",
            mediator_wave="m4_5",
            outcome_instrument="qoli20",
            outcome_wave="m9",
            baseline_wave="baseline",
            covariates=("age_years", "gender"),
            imputations=0,
            resamples=200,
            seed=4,
        )
        sims, resamples = pipeline.POWER_SIMS, pipeline.POWER_RESAMPLES
        pipeline.POWER_SIMS, pipeline.POWER_RESAMPLES = 40, 100
        try:
            _STORED["result"] = run_analysis(
                long_frame(smcm_study(n_clients=311, rng=3)),
                settings,
                mediator_scoring=rprs_0_100,
                mediator_items=ITEMS,
            )
        finally:
            pipeline.POWER_SIMS, pipeline.POWER_RESAMPLES = sims, resamples
    result = _STORED["result"]
    assert isinstance(result, AnalysisResult)
    return result


def run_of(study: Study) -> AnalysisRun:
    """The study's first run, or a finished one holding :func:`stored_result`."""
    return study.runs.order_by("pk").first() or finished_run(study, stored_result())
