"""The analysis run pages: the study's Runs section, queueing, the report and its PDF."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium
import pytest
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from tandem.research.models import AnalysisRun, RunStatus
from tests.conftest import LoginAs, World
from tests.factories import UserFactory
from tests.research.factories import study_in
from tests.research.run_records import analysable_study, finished_run, stored_result

pytestmark = pytest.mark.django_db


def form_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "exposure_days": 180,
        "outcome_instrument": "qoli20",
        "outcome_score": "total",
        "outcome_wave": "m9",
        "mediator_instrument": "rprs",
        "mediator_wave": "m4_5",
        "baseline_wave": "",
        "imputations": 0,
        "resamples": 200,
        "bootstrap": "percentile",
        "seed": 11,
    }
    data.update(changes)
    return data


def test_a_member_queues_a_run_and_reads_its_report(
    login_as: LoginAs, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    study = analysable_study()
    http = login_as(study.created_by)
    page = http.get(reverse("research:study_detail", args=[study.pk])).content.decode()
    assert "Run the analysis" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("research:run_new", args=[study.pk]), form_data(seed=77))
    run = AnalysisRun.objects.get(study=study)
    assert response.status_code == 302
    assert run.status == RunStatus.DONE, run.error
    assert run.settings["seed"] == 77
    page = http.get(reverse("research:run_detail", args=[run.pk])).content.decode()
    for heading in ("Paths of the mediation model", "Regression tables", "Methods", "Power"):
        assert heading in page
    assert "<svg" in page
    study_page = http.get(reverse("research:study_detail", args=[study.pk])).content.decode()
    assert "Indirect effect across runs" in study_page
    for client in (e.client for e in study.enrolments.select_related("client")):
        assert client.family_name not in page
        assert client.family_name not in study_page


def test_a_form_with_a_problem_keeps_what_was_typed(login_as: LoginAs) -> None:
    study = analysable_study(clients=2)
    http = login_as(study.created_by)
    response = http.post(
        reverse("research:run_new", args=[study.pk]),
        form_data(mediator_wave="m9", outcome_wave="m9", baseline_wave="m9", seed=4242),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="4242"' in page
    assert "These settings cannot be run" in page
    assert not AnalysisRun.objects.filter(study=study).exists()


def test_a_researcher_outside_the_study_gets_404_and_a_case_manager_403(
    world: World, login_as: LoginAs
) -> None:
    study = study_in(world.agency)
    run = finished_run(study, stored_result())
    outsider = UserFactory.create(agency=world.agency)
    from tests.factories import MembershipFactory

    MembershipFactory.create(user=outsider, role="researcher", agency=world.agency)
    http = login_as(outsider)
    assert http.get(reverse("research:run_detail", args=[run.pk])).status_code == 404
    assert http.get(reverse("research:run_pdf", args=[run.pk])).status_code == 404
    http = login_as(world.case_manager)
    assert http.get(reverse("research:run_detail", args=[run.pk])).status_code == 403
    assert http.get(reverse("research:run_new", args=[study.pk])).status_code == 403


def test_the_pdf_renders_the_report(world: World, login_as: LoginAs) -> None:
    study = study_in(world.agency)
    run = finished_run(study, stored_result())
    response = login_as(world.researcher).get(reverse("research:run_pdf", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(response.content)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    assert "Regression tables" in text
    assert "Methods" in text


def test_the_report_in_french_has_decimal_commas(world: World, login_as: LoginAs) -> None:
    study = study_in(world.agency)
    run = finished_run(study, stored_result())
    http = login_as(world.researcher)
    page = http.get(
        reverse("research:run_detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    estimate = stored_result().indirect.estimate
    assert f"{estimate:.3f}".replace(".", ",") in page
    assert "Tableaux de régression" in page


def test_a_run_is_voided_with_a_reason(world: World, login_as: LoginAs) -> None:
    study = study_in(world.agency)
    run = finished_run(study, stored_result())
    http = login_as(world.agency_admin)
    response = http.post(reverse("research:run_void", args=[run.pk]), {"reason": ""})
    assert response.status_code == 400
    response = http.post(reverse("research:run_void", args=[run.pk]), {"reason": "Wrong wave."})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.is_voided
    assert run.void_reason == "Wrong wave."


def test_the_progress_fragment_polls_until_the_run_is_finished(
    world: World, login_as: LoginAs
) -> None:
    study = study_in(world.agency)
    run = finished_run(study, stored_result())
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, progress=0.5, message="Fitting the mediation model"
    )
    http = login_as(world.researcher)
    fragment = http.get(reverse("research:run_progress", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 3s"' in fragment
    assert "Fitting the mediation model" in fragment
    AnalysisRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
    fragment = http.get(reverse("research:run_progress", args=[run.pk])).content.decode()
    assert "hx-trigger" not in fragment


def test_the_study_page_lists_runs_in_a_fixed_number_of_queries(
    world: World, login_as: LoginAs, django_assert_max_num_queries: Any
) -> None:
    study = study_in(world.agency)
    for number in range(1, 7):
        finished_run(study, stored_result(), number=number)
    http = login_as(world.researcher)
    with django_assert_max_num_queries(40):
        page = http.get(reverse("research:study_detail", args=[study.pk]))
    assert page.content.decode().count("research/runs/") >= 6


def test_the_protocol_form_asks_for_quarterly_runs(world: World, login_as: LoginAs) -> None:
    from tests.research.test_views import _edit_data

    study = study_in(world.agency)
    http = login_as(world.researcher)
    url = reverse("research:study_edit", args=[study.pk])
    saved = http.post(url, _edit_data(study, run_quarterly="on"))
    assert saved.status_code == 302
    study.refresh_from_db()
    assert study.run_quarterly is True
