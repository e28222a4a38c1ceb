"""Analysis runs: run on a study's data set in the database, reproducible, noted when the
data set changes, scheduled quarterly, on the command line."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from tandem.research import services
from tandem.research.models import AnalysisRun, RunStatus, Study, StudyStatus
from tandem.research.runs import selectors as run_selectors
from tandem.research.runs.execute import execute_run
from tandem.research.runs.services import queue_quarterly_runs, queue_run, void_run
from tandem.research.spec import analysis_settings
from tests.conftest import World
from tests.research.run_records import analysable_study, enrolled_clients

pytestmark = pytest.mark.django_db


def run_now(study: Study, **overrides: Any) -> AnalysisRun:
    run = queue_run(
        actor=study.created_by,
        study=study,
        settings=analysis_settings(study, **overrides),
        enqueue=False,
    )
    execute_run(run.pk)
    run.refresh_from_db()
    return run


def test_a_run_builds_the_data_set_runs_the_analysis_and_stores_everything() -> None:
    study = analysable_study()
    run = run_now(study)
    assert run.status == RunStatus.DONE, run.error
    assert run.number == 1
    assert len(run.dataset_sha256) == 64
    assert run.data_version == study.data_version
    assert run.software_version
    assert run.progress == 1.0
    assert run.settings["seed"] == study.seed
    result = run.result
    assert result is not None
    assert result["n"]["enrolled"] == 36
    assert result["n"]["used"] > 20
    assert (
        result["indirect"]["ci_low"]
        <= result["indirect"]["estimate"]
        <= result["indirect"]["ci_high"]
    )


def test_the_same_seed_on_the_same_data_gives_identical_numbers() -> None:
    study = analysable_study()
    first, second = run_now(study), run_now(study)
    assert second.number == 2
    assert first.dataset_sha256 == second.dataset_sha256
    assert first.result == second.result
    other = run_now(study, seed=12345)
    assert other.result is not None
    assert first.result is not None
    assert other.result["indirect"] != first.result["indirect"]


def test_a_withdrawal_leaves_a_note_on_later_and_earlier_runs() -> None:
    study = analysable_study()
    first = run_now(study)
    client = enrolled_clients(study)[0]
    enrolment = study.enrolments.get(client=client)
    manager = study.created_by
    # The study's creator is no care team member: withdraw as the service would, bumping the
    # data version as services.withdraw_enrolment does.
    enrolment.withdrawn_on = timezone.localdate()
    enrolment.save()
    services._data_changed(study)
    study.refresh_from_db()
    second = run_now(study)
    assert second.result is not None
    assert second.result["n"]["enrolled"] == 35
    assert second.dataset_sha256 != first.dataset_sha256
    runs = list(run_selectors.runs_of(study))
    assert run_selectors.data_notes(second, runs, study) == [
        "The data set has changed since run 1."
    ]
    assert run_selectors.data_notes(first, runs, study) == [
        "The data set has changed since this run."
    ]
    del manager


def test_a_run_that_cannot_fit_fails_with_an_impersonal_error() -> None:
    study = analysable_study(clients=4)
    run = run_now(study)
    assert run.status == RunStatus.FAILED
    assert run.error
    for client in enrolled_clients(study):
        assert client.family_name not in run.error
        assert client.given_name not in run.error


def test_only_members_and_administrators_queue_runs(world: World) -> None:
    study = analysable_study(clients=2)
    with pytest.raises(PermissionDenied):
        queue_run(actor=world.researcher, study=study, settings=analysis_settings(study))
    with pytest.raises(PermissionDenied):
        queue_run(actor=None, study=study, settings=analysis_settings(study))


def test_a_voided_run_leaves_the_chart_but_stays_listed() -> None:
    study = analysable_study()
    run = run_now(study)
    void_run(actor=study.created_by, run=run, reason="Wrong covariates.")
    assert list(run_selectors.finished_runs_of(study)) == []
    assert list(run_selectors.runs_of(study)) == [run]


def test_the_run_task_is_enqueued_once_committed_and_runs(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    study = analysable_study()
    with django_capture_on_commit_callbacks(execute=True):
        run = queue_run(actor=study.created_by, study=study, settings=analysis_settings(study))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


# ---- the quarterly schedule -----------------------------------------------------------------
def test_the_nightly_hook_queues_a_run_a_quarter_after_the_last_scheduled_one(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    study = analysable_study(clients=2)
    assert queue_quarterly_runs() == 0  # not asked for
    study.run_quarterly = True
    study.save()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=False):
        assert queue_quarterly_runs(today=today) == 1
        assert queue_quarterly_runs(today=today) == 0
        assert queue_quarterly_runs(today=today + timedelta(days=80)) == 0
        assert queue_quarterly_runs(today=today + timedelta(days=93)) == 1
    runs = AnalysisRun.objects.filter(study=study)
    assert runs.count() == 2
    assert all(r.scheduled and r.requested_by is None for r in runs)
    study.status = StudyStatus.CLOSED
    study.save()
    assert queue_quarterly_runs(today=today + timedelta(days=400)) == 0


def test_the_nightly_measures_task_calls_the_schedule(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from tandem.measures.tasks import nightly_measures

    study = analysable_study(clients=2)
    study.run_quarterly = True
    study.save()
    with django_capture_on_commit_callbacks(execute=False):
        outcome = nightly_measures.enqueue()
    assert outcome.return_value is not None
    assert outcome.return_value["nightly_hooks_failed"] == 0
    assert AnalysisRun.objects.filter(study=study, scheduled=True).count() == 1


# ---- the command line -----------------------------------------------------------------------
def test_the_command_runs_a_study_by_short_name_and_prints_json() -> None:
    study = analysable_study()
    out = StringIO()
    call_command("research", "run", study.slug, "--seed", "3", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["run"] == 1
    assert payload["result"]["settings"]["seed"] == 3
    assert len(payload["dataset_sha256"]) == 64
    out = StringIO()
    call_command("research", "run", str(study.pk), stdout=out)
    assert "indirect effect ab =" in out.getvalue()
    assert "n: enrolled 36" in out.getvalue()
    assert AnalysisRun.objects.filter(study=study).count() == 2


def test_quarter_boundaries_follow_month_ends() -> None:
    from tandem.research.runs.services import _quarter_after

    assert _quarter_after(date(2026, 11, 30)) == date(2027, 2, 28)
    assert _quarter_after(date(2026, 1, 15)) == date(2026, 4, 15)
