"""CSV import of responses (all or nothing, report by row) and CSV / SPSS export, audited."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tandem.audit.models import Action, AuditEvent
from tandem.measures.importing import import_responses, read_csv
from tandem.measures.models import EnteredVia, Response
from tandem.measures.registry import get_instrument
from tests.conftest import LoginAs, World

pytestmark = pytest.mark.django_db

ITEMS = [f"q{i}" for i in range(1, 25)]


def _csv(world: World, n: int, *, bad: dict[tuple[int, str], str] | None = None) -> str:
    episode = world.own_client.episodes.get()
    bad = bad or {}
    lines = [",".join(["episode_id", "completed_on", *ITEMS])]
    for row in range(n):
        # One response a day: a client's second response on one day is refused as a duplicate.
        day = (date(2026, 3, 1) - timedelta(days=row)).isoformat()
        cells = [str(episode.pk), day] + [str(1 + (row + i) % 4) for i in range(24)]
        for (bad_row, column), value in bad.items():
            if bad_row == row:
                cells[(["episode_id", "completed_on", *ITEMS]).index(column)] = value
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def test_import_of_ten_thousand_rows_stores_and_scores_every_one(world: World) -> None:
    header, rows = read_csv(_csv(world, 10_000))
    result = import_responses(
        actor=world.programme_manager,
        programme=world.programme,
        instrument=get_instrument("rprs"),
        header=header,
        rows=rows,
    )
    assert result.is_ok
    assert result.created == Response.objects.count() == 10_000
    first = Response.objects.order_by("pk").first()
    assert first is not None
    assert first.entered_via == EnteredVia.IMPORT
    assert first.scores["total"] == sum(1 + i % 4 for i in range(24))
    assert AuditEvent.objects.filter(object_id__startswith="import:programme:").count() == 1


def test_one_bad_row_rejects_the_whole_file_with_a_report(world: World) -> None:
    text = _csv(
        world,
        10_000,
        bad={(17, "q3"): "7", (9_998, "completed_on"): "March 1", (4_000, "q24"): "often"},
    )
    header, rows = read_csv(text)
    result = import_responses(
        actor=world.programme_manager,
        programme=world.programme,
        instrument=get_instrument("rprs"),
        header=header,
        rows=rows,
    )
    assert not result.is_ok
    assert Response.objects.count() == 0
    assert [(e.line, e.column) for e in result.errors] == [
        (19, "q3"),
        (4_002, "q24"),
        (10_000, "completed_on"),
    ]


def test_rows_of_another_programmes_episode_are_refused(world: World) -> None:
    header, rows = read_csv(_csv(world, 2))
    rows[1][0] = str(world.other_agency_client.episodes.get().pk)
    result = import_responses(
        actor=world.programme_manager,
        programme=world.programme,
        instrument=get_instrument("rprs"),
        header=header,
        rows=rows,
    )
    assert [(e.line, e.column) for e in result.errors] == [(3, "episode_id")]


def test_the_import_page_reports_errors_and_imports_nothing(
    world: World, login_as: LoginAs
) -> None:
    http = login_as(world.programme_manager)
    upload = SimpleUploadedFile("r.csv", _csv(world, 3, bad={(1, "q1"): "9"}).encode())
    response = http.post(
        f"/programmes/{world.programme.pk}/measures/import/",
        {"instrument": "rprs", "file": upload},
    )
    assert response.status_code == 400
    assert "q1" in response.content.decode()
    assert Response.objects.count() == 0
    good = SimpleUploadedFile("r.csv", _csv(world, 3).encode())
    response = http.post(
        f"/programmes/{world.programme.pk}/measures/import/", {"instrument": "rprs", "file": good}
    )
    assert response.status_code == 302
    assert Response.objects.count() == 3


def test_the_import_command_is_all_or_nothing(world: World, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(_csv(world, 5, bad={(2, "q5"): "x"}), encoding="utf-8")
    args = ["--instrument", "rprs", "--programme", str(world.programme.pk)]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("measures", "import", str(bad), *args, "--user", world.programme_manager.email)
    assert Response.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_text(_csv(world, 5), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "measures", "import", str(good), *args, "--user", world.programme_manager.email, stdout=out
    )
    assert "imported and scored 5 responses" in out.getvalue()


def test_a_case_manager_may_not_import(world: World, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(_csv(world, 1), encoding="utf-8")
    args = ["--instrument", "rprs", "--programme", str(world.programme.pk)]
    with pytest.raises(CommandError, match="does not manage"):
        call_command("measures", "import", str(path), *args, "--user", world.case_manager.email)
    assert Response.objects.count() == 0


def _import(world: World, n: int) -> None:
    header, rows = read_csv(_csv(world, n))
    import_responses(
        actor=world.programme_manager,
        programme=world.programme,
        instrument=get_instrument("rprs"),
        header=header,
        rows=rows,
    )


def test_csv_export_has_items_and_scores_and_is_audited(world: World, login_as: LoginAs) -> None:
    _import(world, 4)
    http = login_as(world.programme_manager)
    response = http.get(
        f"/programmes/{world.programme.pk}/measures/export/",
        {"instrument": "rprs", "format": "csv"},
    )
    assert response.status_code == 200
    frame = pd.read_csv(io.BytesIO(response.content))
    assert len(frame) == 4
    assert {"client_id", "q24", "score_total", "score_total_0_100"} <= set(frame.columns)
    assert world.own_client.family_name not in response.content.decode()
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1


def test_spss_export_carries_variable_and_value_labels(
    world: World, login_as: LoginAs, tmp_path: Path
) -> None:
    _import(world, 3)
    response = login_as(world.programme_manager).get(
        f"/programmes/{world.programme.pk}/measures/export/",
        {"instrument": "rprs", "format": "sav"},
    )
    assert response.status_code == 200
    path = tmp_path / "export.sav"
    path.write_bytes(response.content)
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 3
    assert meta.column_names_to_labels["q1"] == "Item 1"
    assert meta.variable_value_labels["q1"][1.0] == "1 (lowest)"
    assert meta.column_names_to_labels["score_total"]


def test_export_can_be_narrowed_to_one_studys_waves(world: World, login_as: LoginAs) -> None:
    from tandem.measures.models import ScheduleScope
    from tandem.measures.services import submit_response
    from tests.measures.factories import ScheduleFactory, due_rprs

    study = ScheduleFactory.create(
        programme=world.programme, scope=ScheduleScope.STUDY, study_name="Alliance study"
    )
    episode = world.own_client.episodes.get()
    answers = {f"q{i}": 2 for i in range(1, 25)}
    submit_response(
        actor=world.case_manager,
        administration=due_rprs(episode, schedule=study),
        answers=answers,
    )
    submit_response(actor=world.case_manager, administration=due_rprs(episode), answers=answers)
    http = login_as(world.programme_manager)
    url = f"/programmes/{world.programme.pk}/measures/export/"
    assert "Alliance study" in http.get(url).content.decode()
    everything = http.get(url, {"instrument": "rprs", "format": "csv"})
    only_study = http.get(url, {"instrument": "rprs", "format": "csv", "study": "Alliance study"})
    assert len(pd.read_csv(io.BytesIO(everything.content))) == 2
    assert len(pd.read_csv(io.BytesIO(only_study.content))) == 1
