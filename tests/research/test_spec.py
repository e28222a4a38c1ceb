"""A study's data set spec and analysis settings are read off its protocol."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.conf import settings
from django.utils import timezone

from tandem.measures.registry import get_instrument
from tandem.measures.scoring import score_matrix
from tandem.research import services
from tandem.research.models import StudyMeasure, StudyWave
from tandem.research.spec import analysis_settings, dataset_spec, mediator_scoring
from tests.conftest import World
from tests.research.factories import consent_of, study_in

pytestmark = pytest.mark.django_db


def _protocol(world: World):  # type: ignore[no-untyped-def]
    study = study_in(world.agency, programme=world.programme)
    baseline = StudyWave.objects.create(
        study=study,
        code="baseline",
        label="Baseline",
        target_day=0,
        before_days=30,
        after_days=30,
        order=1,
    )
    later = StudyWave.objects.create(
        study=study,
        code="m4_5",
        label="4.5 months",
        target_day=137,
        before_days=30,
        after_days=30,
        order=2,
    )
    StudyMeasure.objects.create(study=study, wave=later, instrument_code="rprs")
    StudyMeasure.objects.create(study=study, wave=baseline, instrument_code="qoli20")
    study.mediator_instrument, study.mediator_wave = "rprs", "m4_5"
    study.outcome_instrument, study.outcome_wave = "qoli20", "baseline"
    study.save()
    return study


def test_spec_holds_live_consents_waves_and_measures_in_protocol_order(world: World) -> None:
    study = _protocol(world)
    kept = consent_of(world.own_client, study)
    gone = consent_of(world.other_team_client, study)
    services.withdraw_enrolment(
        actor=world.programme_manager,
        enrolment=gone,
        expected_version=gone.version,
        withdrawn_on=timezone.localdate(),
        reason="Asked to leave the study.",
    )

    spec = dataset_spec(study)

    assert [e.client_id for e in spec.enrolled] == [kept.client_id]
    assert spec.enrolled[0].enrolled_on == kept.consented_on
    assert [w.code for w in spec.waves] == ["baseline", "m4_5"]
    assert spec.measures == (("baseline", "qoli20"), ("m4_5", "rprs"))
    assert spec.programme_ids == (world.programme.pk,)
    assert spec.key == settings.RESEARCH_ID_KEY
    assert spec.exposure_days == study.exposure_days


def test_analysis_settings_default_to_the_study_and_take_overrides(world: World) -> None:
    study = _protocol(world)
    chosen = analysis_settings(study, seed=99, resamples=200)
    assert (chosen.mediator_instrument, chosen.outcome_wave) == ("rprs", "baseline")
    assert (chosen.seed, chosen.resamples) == (99, 200)
    assert chosen.imputations == study.imputations


def test_mediator_scoring_equals_the_measures_total() -> None:
    instrument = get_instrument("rprs")
    rng = np.random.default_rng(3)
    scale = instrument.scale_of(instrument.items[0])
    matrix = rng.integers(
        int(scale.min), int(scale.max) + 1, size=(6, len(instrument.items))
    ).astype(float)
    expected = score_matrix(instrument, matrix)
    column = list(expected.names).index("total") if "total" in expected.names else 0
    scored = np.asarray(mediator_scoring("rprs")(matrix), dtype=np.float64)
    np.testing.assert_allclose(scored, expected.values[:, column])


def test_consented_on_is_kept_exactly(world: World) -> None:
    study = _protocol(world)
    enrolment = consent_of(world.own_client, study)
    enrolment.consented_on = timezone.localdate() - timedelta(days=400)
    enrolment.save()
    assert dataset_spec(study).enrolled[0].enrolled_on == enrolment.consented_on
