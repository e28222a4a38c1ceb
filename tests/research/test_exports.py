"""Data set exports: built in the background, listed, downloaded behind a fresh password,
voided; the command line; who reaches them."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.research import services as research_services
from tandem.research.exports import services
from tandem.research.exports.files import limit_blas_threads
from tandem.research.models import (
    DatasetExport,
    ExportStatus,
    MemberRole,
    Study,
    StudyMeasure,
    StudyMember,
    StudyWave,
)
from tests.conftest import LoginAs, World
from tests.core.french import problems, typed_in_database
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.research.factories import consent_of, study_in
from tests.research.test_french import french

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _study(world: World) -> Study:
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
    StudyMeasure.objects.create(study=study, wave=baseline, instrument_code="rprs")
    for client in (world.own_client, world.team_client, world.other_team_client):
        consent_of(client, study)
    return study


def _export(world: World, study: Study, fmt: str, capture: Any) -> DatasetExport:
    with capture(execute=True):
        export = services.request_export(actor=world.researcher, study=study, export_format=fmt)
    export.refresh_from_db()
    return export


def _zip(export: DatasetExport) -> zipfile.ZipFile:
    with default_storage.open(export.file_name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


# ---- services ---------------------------------------------------------------------------------
def test_a_csv_export_is_a_zip_of_data_dictionary_and_readme_with_its_hash(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    study = _study(world)
    export = _export(world, study, "csv", django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.DONE
    assert export.progress == 100
    assert (export.row_count, export.n_enrolled) == (3, 3)
    assert export.data_version == study.data_version
    assert export.finished_at is not None
    archive = _zip(export)
    assert sorted(archive.namelist()) == ["README.txt", "data.csv", "dictionary.csv"]
    data = archive.read("data.csv")
    assert hashlib.sha256(data).hexdigest() == export.sha256
    assert len(pd.read_csv(io.BytesIO(data))) == 3
    readme = archive.read("README.txt").decode()
    assert study.title in readme
    assert export.sha256 in readme
    assert "Rows: 3" in readme
    # The file sits under a private path, not named after anyone.
    assert export.file_name.startswith(f"research/exports/{study.pk}/")


@pytest.mark.parametrize("fmt", ["sav", "parquet"])
def test_spss_and_parquet_exports_hold_the_rows(
    world: World, django_capture_on_commit_callbacks: Any, fmt: str, tmp_path: Path
) -> None:
    export = _export(world, _study(world), fmt, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.DONE
    with default_storage.open(export.file_name, "rb") as handle:
        content = handle.read()
    assert hashlib.sha256(content).hexdigest() == export.sha256
    if fmt == "sav":
        path = tmp_path / "x.sav"
        path.write_bytes(content)
        frame, _meta = pyreadstat.read_sav(str(path))
    else:
        frame = pd.read_parquet(io.BytesIO(content))
    assert len(frame) == export.row_count == 3


def test_a_withdrawn_client_is_absent_from_a_new_export(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    study = _study(world)
    before = _export(world, study, "csv", django_capture_on_commit_callbacks)
    enrolment = consent_of(world.team_client, study)
    research_services.withdraw_enrolment(
        actor=world.supervisor,
        enrolment=enrolment,
        expected_version=enrolment.version,
        withdrawn_on=timezone.localdate(),
        reason="asked to leave",
    )
    after = _export(world, study, "csv", django_capture_on_commit_callbacks)
    assert (after.n_enrolled, after.row_count) == (2, 2)
    old_ids = set(pd.read_csv(io.BytesIO(_zip(before).read("data.csv")))["study_id"])
    new_ids = set(pd.read_csv(io.BytesIO(_zip(after).read("data.csv")))["study_id"])
    assert len(old_ids - new_ids) == 1
    assert new_ids < old_ids
    study.refresh_from_db()
    assert after.data_version == study.data_version != before.data_version


def test_a_failure_is_recorded_in_plain_words_without_the_data(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(spec: object) -> None:
        raise ValueError(f"client {world.own_client.family_name} has no episode")

    monkeypatch.setattr("tandem.research.dataset.build.build_dataset", broken)
    export = _export(world, _study(world), "csv", django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.FAILED
    assert export.error == "ValueError"
    assert world.own_client.family_name not in export.message + export.error
    assert export.file_name == ""


def test_the_export_is_refused_when_its_requester_has_lost_access(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    study = _study(world)
    export = services.request_export(
        actor=world.researcher, study=study, export_format="csv", enqueue=False
    )
    StudyMember.objects.filter(study=study, user=world.researcher).delete()
    assert services.run_export(export.pk) == ExportStatus.FAILED


def test_a_voided_export_loses_its_file_and_keeps_its_row(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    export = _export(world, _study(world), "csv", django_capture_on_commit_callbacks)
    name = export.file_name
    with django_capture_on_commit_callbacks(execute=True):
        services.void_export(actor=world.researcher, export=export, reason="wrong protocol")
    export.refresh_from_db()
    assert export.is_voided
    assert export.void_reason == "wrong protocol"
    assert export.sha256
    assert not default_storage.exists(name)
    assert not export.is_ready


def test_blas_threads_are_limited_inside_the_block() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with limit_blas_threads(1):
        limits = [info["num_threads"] for info in threadpoolctl.threadpool_info()]
    assert all(n == 1 for n in limits)


# ---- pages ------------------------------------------------------------------------------------
def _done_export(world: World, capture: Any) -> DatasetExport:
    return _export(world, _study(world), "csv", capture)


def test_the_study_page_lists_exports_and_asks_for_one(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    study = _study(world)
    http = login_as(world.researcher)
    with django_capture_on_commit_callbacks(execute=True):
        answer = http.post(reverse("research:export_list", args=[study.pk]), {"format": "sav"})
    assert answer.status_code == 302
    export = DatasetExport.objects.get(study=study)
    assert export.status == ExportStatus.DONE
    page = http.get(reverse("research:study_detail", args=[study.pk])).content.decode()
    assert 'id="exports-heading"' in page
    assert export.sha256[:12] in page
    assert reverse("research:export_download", args=[export.pk]) in page
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="research.datasetexport", object_id=str(export.pk)
    ).exists()


def test_an_unknown_format_is_refused(world: World, login_as: LoginAs) -> None:
    study = _study(world)
    answer = login_as(world.researcher).post(
        reverse("research:export_list", args=[study.pk]), {"format": "xlsx"}
    )
    assert answer.status_code == 400
    assert not DatasetExport.objects.exists()


def test_an_export_in_progress_is_polled_and_says_when_the_data_changed(
    world: World, login_as: LoginAs
) -> None:
    study = _study(world)
    DatasetExport.objects.create(study=study, requested_by=world.researcher, format="csv")
    DatasetExport.objects.create(
        study=study,
        requested_by=world.researcher,
        format="csv",
        status=ExportStatus.DONE,
        data_version=study.data_version - 1 if study.data_version > 1 else 0,
        sha256="a" * 64,
        row_count=3,
        file_name="research/exports/x.zip",
    )
    http = login_as(world.researcher)
    fragment = http.get(
        reverse("research:export_list", args=[study.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 2s"' in fragment
    assert "<html" not in fragment
    assert "The data set has changed since" in fragment


def test_the_export_list_reads_a_fixed_number_of_queries(
    world: World, login_as: LoginAs, django_assert_max_num_queries: Any
) -> None:
    study = _study(world)
    for n in range(10):
        DatasetExport.objects.create(
            study=study,
            requested_by=world.researcher if n % 2 else world.agency_admin,
            format="csv",
            status=ExportStatus.DONE,
            data_version=study.data_version,
            sha256=f"{n:064d}",
            row_count=n,
            file_name=f"research/exports/{n}.zip",
        )
    http = login_as(world.researcher)
    with django_assert_max_num_queries(25):
        page = http.get(reverse("research:export_list", args=[study.pk]))
    assert page.content.decode().count("/download/") == 10


def test_a_download_asks_for_the_password_first(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    export = _done_export(world, django_capture_on_commit_callbacks)
    http = login_as(world.researcher)
    answer = http.get(reverse("research:export_download", args=[export.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/html")
    assert 'type="password"' in answer.content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_a_wrong_password_is_refused(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    export = _done_export(world, django_capture_on_commit_callbacks)
    http = login_as(world.researcher)
    url = reverse("research:export_download", args=[export.pk])
    answer = http.post(url, {"password": "not-the-password"})
    assert answer.status_code == 403
    assert answer["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action=Action.EXPORT, outcome=Outcome.OK).exists()
    # No window opened: the next GET asks again.
    assert 'type="password"' in http.get(url).content.decode()


def test_the_right_password_gives_the_file_audited_and_opens_a_short_window(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    export = _done_export(world, django_capture_on_commit_callbacks)
    http = login_as(world.researcher)
    url = reverse("research:export_download", args=[export.pk])
    answer = http.post(url, {"password": PASSWORD})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    disposition = answer["Content-Disposition"]
    today = timezone.localdate().isoformat()
    assert re.search(rf'filename="alliance-{today}-export{export.pk}\.zip"', disposition)
    content = answer.content
    assert zipfile.ZipFile(io.BytesIO(content)).read("data.csv")
    event = AuditEvent.objects.filter(action=Action.EXPORT).get()
    assert event.actor_id == world.researcher.pk
    assert event.object_type == "research.datasetexport"
    assert event.object_id.startswith(f"{export.study_id}:{export.pk}:{export.sha256[:20]}")
    # Within the window the file comes without the password, audited again.
    again = http.get(url)
    assert again["Content-Type"] == "application/zip"
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 2


def test_a_researcher_outside_the_study_gets_404(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    export = _done_export(world, django_capture_on_commit_callbacks)
    outsider = UserFactory.create(agency=world.agency)
    MembershipFactory.create(user=outsider, role="researcher", agency=world.agency)
    http = login_as(outsider)
    for url in (
        reverse("research:export_list", args=[export.study_id]),
        reverse("research:export_download", args=[export.pk]),
        reverse("research:export_void", args=[export.pk]),
    ):
        assert http.get(url).status_code == 404, url
    assert (
        http.post(
            reverse("research:export_download", args=[export.pk]), {"password": PASSWORD}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("role", ["case_manager", "supervisor", "trainer", "programme_manager"])
def test_care_roles_and_trainers_reach_no_export(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any, role: str
) -> None:
    export = _done_export(world, django_capture_on_commit_callbacks)
    http = login_as(world.user(role))
    for url in (
        reverse("research:export_list", args=[export.study_id]),
        reverse("research:export_download", args=[export.pk]),
        reverse("research:export_void", args=[export.pk]),
    ):
        assert http.get(url).status_code in (403, 404), url
    assert http.post(
        reverse("research:export_download", args=[export.pk]), {"password": PASSWORD}
    ).status_code in (403, 404)


def test_an_agency_administrator_asks_for_exports_but_only_members_download(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    export = _done_export(world, django_capture_on_commit_callbacks)
    http = login_as(world.agency_admin)
    assert http.get(reverse("research:export_list", args=[export.study_id])).status_code == 200
    answer = http.post(
        reverse("research:export_download", args=[export.pk]), {"password": PASSWORD}
    )
    assert answer.status_code == 403
    assert AuditEvent.objects.filter(action=Action.EXPORT, outcome=Outcome.DENIED).exists()


def test_the_void_page_voids_with_a_reason(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks: Any
) -> None:
    export = _done_export(world, django_capture_on_commit_callbacks)
    http = login_as(world.researcher)
    url = reverse("research:export_void", args=[export.pk])
    assert http.post(url, {"reason": " "}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert http.post(url, {"reason": "built on the old protocol"}).status_code == 302
    export.refresh_from_db()
    assert export.is_voided
    download = http.post(
        reverse("research:export_download", args=[export.pk]), {"password": PASSWORD}
    )
    assert download.status_code == 404


# ---- command line -----------------------------------------------------------------------------
def test_the_command_writes_the_file_and_prints_path_rows_and_hash(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = _study(world)
    out = tmp_path / "out"
    out.mkdir()
    call_command("research", "export", study.slug, "--format", "csv", "--out", str(out))
    printed = capsys.readouterr().out
    export = DatasetExport.objects.get(study=study)
    files = list(out.iterdir())
    assert len(files) == 1
    assert files[0].name == f"alliance-{timezone.localdate().isoformat()}-export{export.pk}.zip"
    assert str(files[0]) in printed
    assert "rows: 3" in printed
    assert export.sha256 in printed
    assert export.requested_by == world.researcher  # the study's lead


def test_the_command_takes_an_id_and_a_member_named_with_as(world: World, tmp_path: Path) -> None:
    study = _study(world)
    member = UserFactory.create(agency=world.agency)
    StudyMember.objects.create(
        study=study, user=member, role=MemberRole.RESEARCHER, added_by=world.agency_admin
    )
    call_command(
        "research",
        "export",
        str(study.pk),
        "--format",
        "parquet",
        "--out",
        str(tmp_path),
        "--as",
        member.email,
    )
    assert DatasetExport.objects.get(study=study).requested_by == member
    assert any(p.suffix == ".parquet" for p in tmp_path.iterdir())


@pytest.mark.parametrize("who", ["agency_admin", "case_manager", "nobody"])
def test_the_command_refuses_people_who_are_not_members(
    world: World, tmp_path: Path, who: str
) -> None:
    study = _study(world)
    email = "nobody@example.org" if who == "nobody" else world.user(who).email
    with pytest.raises(CommandError, match="--as"):
        call_command(
            "research",
            "export",
            study.slug,
            "--format",
            "csv",
            "--out",
            str(tmp_path),
            "--as",
            email,
        )
    assert not DatasetExport.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_command_refuses_an_unknown_study(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="STUDY"):
        call_command("research", "export", "nope", "--format", "csv", "--out", str(tmp_path))


def test_export_pages_show_no_english(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    export = _done_export(world, django_capture_on_commit_callbacks)
    DatasetExport.objects.create(
        study=export.study,
        requested_by=world.researcher,
        format="sav",
        message=services.MESSAGES["queued"],
    )
    http = french(world.researcher)
    typed = typed_in_database()
    found = {}
    # (The study page shows the protocol's wave codes as typed; its export section is the list's.)
    for path in (
        reverse("research:export_list", args=[export.study_id]),
        reverse("research:export_download", args=[export.pk]),
        reverse("research:export_void", args=[export.pk]),
    ):
        response = http.get(path)
        assert response.status_code == 200, path
        page_problems = problems(response.content.decode(), typed=typed)
        if page_problems:
            found[path] = page_problems
    assert found == {}
    page = http.get(reverse("research:export_list", args=[export.study_id])).content.decode()
    assert "En attente du traitement en arrière-plan." in page
