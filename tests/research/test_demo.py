"""The demo's research study: members, consents, a withdrawal, and a data set to analyse."""

from __future__ import annotations

import pytest

from tandem.clients.models import Episode
from tandem.research.dataset.build import build_dataset
from tandem.research.dataset.deid import study_id
from tandem.research.demo import STUDY_SLUG
from tandem.research.models import Enrolment, MemberRole, Study
from tandem.research.spec import analysis_settings, dataset_spec
from tandem.site.demo import DEMO_DOMAIN, load_demo

pytestmark = pytest.mark.demo


@pytest.mark.usefixtures("demo_db")
def test_the_demo_study_has_its_members_and_protocol() -> None:
    load_demo()
    study = Study.objects.get(slug=STUDY_SLUG)
    members = {m.user.email: m.role for m in study.members.select_related("user")}
    assert members == {
        f"researcher@{DEMO_DOMAIN}": MemberRole.LEAD,
        f"analyst@{DEMO_DOMAIN}": MemberRole.RESEARCHER,
    }
    assert list(study.waves.order_by("order").values_list("code", "target_day")) == [
        ("baseline", 0),
        ("m4_5", 137),
        ("m9", 274),
    ]
    settings = analysis_settings(study)
    assert (settings.mediator_instrument, settings.mediator_wave) == ("rprs", "m4_5")
    assert (settings.outcome_instrument, settings.outcome_wave) == ("qoli20", "m9")


@pytest.mark.usefixtures("demo_db")
def test_most_clients_consented_one_withdrew_one_record_voided() -> None:
    load_demo()
    study = Study.objects.get(slug=STUDY_SLUG)
    clients = set(
        Episode.objects.filter(programme__in=study.programmes.all()).values_list(
            "client_id", flat=True
        )
    )
    enrolments = Enrolment.objects.filter(study=study)
    assert 0.75 * len(clients) <= enrolments.filter(is_voided=False).count() <= 0.95 * len(clients)
    withdrawn = enrolments.get(withdrawn_on__isnull=False)
    assert withdrawn.withdrawal_reason
    voided = enrolments.get(is_voided=True)
    assert voided.void_reason
    groups = set(enrolments.values_list("diagnosis_group", flat=True))
    assert len(groups) >= 5


@pytest.mark.usefixtures("demo_db")
def test_the_demo_data_set_has_enough_complete_cases_for_a_mediation() -> None:
    load_demo()
    study = Study.objects.get(slug=STUDY_SLUG)
    spec = dataset_spec(study)
    frame = build_dataset(spec).frame
    withdrawn = Enrolment.objects.get(study=study, withdrawn_on__isnull=False)
    voided = Enrolment.objects.get(study=study, is_voided=True)
    for gone in (withdrawn, voided):
        assert study_id(spec.key, study.pk, gone.client_id) not in set(frame["study_id"])
    mediator = frame[frame["wave"] == "m4_5"].set_index("study_id")
    outcome = frame[frame["wave"] == "m9"].set_index("study_id")
    complete = (
        mediator["rprs_total"].notna()
        & mediator["exposure"].notna()
        & outcome["qoli20_total"].reindex(mediator.index).notna()
    )
    assert complete.sum() >= 60
    # The covariates vary: a constant one would make the regressions singular.
    for column in analysis_settings(study).covariates:
        assert frame[column].nunique() > 1, column
