"""Malformed CSV imports get a report naming line, column and problem, store nothing, never 500.

Issue 11, finding 8: a cell over 131,072 characters, completion dates in the future and
duplicate rows (in the file, or of a stored response), and other malformed files.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.utils import timezone

from tandem.measures.importing import ImportResult, import_responses, read_csv
from tandem.measures.models import Response
from tandem.measures.registry import get_instrument
from tests.conftest import LoginAs, World

pytestmark = pytest.mark.django_db

ITEMS = [f"q{i}" for i in range(1, 25)]
HEADER = ",".join(["episode_id", "completed_on", *ITEMS])
LONG_CELL = "1" * 131_073


def _row(world: World, day: str = "2026-03-01", **cells: str) -> str:
    answers = {item: cells.get(item, "3") for item in ITEMS}
    return ",".join([str(world.own_client.episodes.get().pk), day, *answers.values()])


def _file(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def _import(world: World, text: str) -> ImportResult:
    header, rows = read_csv(text)
    return import_responses(
        actor=world.programme_manager,
        programme=world.programme,
        instrument=get_instrument("rprs"),
        header=header,
        rows=rows,
    )


def _upload(http: HttpClient, world: World, content: bytes) -> Any:
    return http.post(
        f"/programmes/{world.programme.pk}/measures/import/",
        {"instrument": "rprs", "file": SimpleUploadedFile("r.csv", content)},
    )


def _reported(response: Any) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in response.context["result"].errors]


def _command(world: World, path: Path) -> None:
    call_command(
        "measures",
        "import",
        str(path),
        "--instrument",
        "rprs",
        "--programme",
        str(world.programme.pk),
        "--user",
        world.programme_manager.email,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


# ---- a cell over the csv module's 131,072-character limit -------------------------------------
def test_a_cell_over_131072_characters_is_reported_by_line_and_column(
    world: World,
    login_as: LoginAs,
) -> None:
    text = _file(_row(world), _row(world, "2026-03-02", q3=LONG_CELL))
    response = _upload(login_as(world.programme_manager), world, text.encode())
    assert response.status_code == 400
    assert _reported(response) == [(3, "q3")]
    assert "131072" in response.context["result"].errors[0].problem
    assert Response.objects.count() == 0


def test_the_import_command_reports_a_cell_over_the_limit(world: World, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(_file(_row(world, q1=LONG_CELL)), encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        _command(world, path)
    assert Response.objects.count() == 0


# ---- dates in the future ----------------------------------------------------------------------
def test_a_completion_date_in_the_future_is_refused(world: World) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    result = _import(world, _file(_row(world), _row(world, "2999-01-01"), _row(world, tomorrow)))
    assert [(e.line, e.column) for e in result.errors] == [
        (3, "completed_on"),
        (4, "completed_on"),
    ]
    assert Response.objects.count() == 0


def test_a_completion_date_before_1900_is_refused(world: World) -> None:
    result = _import(world, _file(_row(world, "0001-01-01"), _row(world, "1899-12-31")))
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "completed_on"),
        (3, "completed_on"),
    ]


def test_a_completion_date_of_today_is_accepted(world: World) -> None:
    result = _import(world, _file(_row(world, timezone.localdate().isoformat())))
    assert result.is_ok
    assert Response.objects.count() == 1


# ---- duplicates -------------------------------------------------------------------------------
def test_two_rows_for_the_same_client_and_day_are_refused(world: World) -> None:
    result = _import(
        world,
        _file(_row(world), _row(world, "2026-03-02"), _row(world, q1="4"), _row(world)),
    )
    assert [(e.line, e.column) for e in result.errors] == [
        (4, "completed_on"),
        (5, "completed_on"),
    ]
    assert "line 2" in result.errors[0].problem
    assert Response.objects.count() == 0


def test_a_row_matching_a_stored_response_is_refused(world: World) -> None:
    assert _import(world, _file(_row(world))).is_ok
    again = _import(world, _file(_row(world, "2026-03-02"), _row(world)))
    assert [(e.line, e.column) for e in again.errors] == [(3, "completed_on")]
    assert Response.objects.count() == 1


def test_the_same_day_for_another_client_is_not_a_duplicate(world: World) -> None:
    other = world.team_client.episodes.get().pk
    second = _row(world).replace(str(world.own_client.episodes.get().pk), str(other), 1)
    assert _import(world, _file(_row(world), second)).is_ok
    assert Response.objects.count() == 2


# ---- other malformed files --------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf"])
def test_nan_and_infinity_are_not_answers(world: World, cell: str) -> None:
    result = _import(world, _file(_row(world, q1=cell)))
    assert [(e.line, e.column) for e in result.errors] == [(2, "q1")]


def test_lines_ending_in_a_lone_carriage_return_are_read(world: World, login_as: LoginAs) -> None:
    content = _file(_row(world), _row(world, "2026-03-02")).replace("\n", "\r").encode()
    response = _upload(login_as(world.programme_manager), world, content)
    assert response.status_code == 302
    assert Response.objects.count() == 2


def test_a_nul_character_in_a_cell_is_reported(world: World, login_as: LoginAs) -> None:
    text = _file(_row(world, q2="3\x00"))
    response = _upload(login_as(world.programme_manager), world, text.encode())
    assert response.status_code == 400
    assert _reported(response) == [(2, "q2")]
    assert Response.objects.count() == 0


def test_a_file_with_a_header_and_no_rows_is_reported(world: World) -> None:
    result = _import(world, _file())
    assert not result.is_ok
    assert [(e.line, e.column) for e in result.errors] == [(2, "")]


def test_a_byte_order_mark_is_ignored(world: World, login_as: LoginAs) -> None:
    content = _file(_row(world)).encode("utf-8-sig")
    response = _upload(login_as(world.programme_manager), world, content)
    assert response.status_code == 302
    assert Response.objects.count() == 1


def test_a_binary_file_is_refused_as_not_utf8(world: World, login_as: LoginAs) -> None:
    content = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"
    response = _upload(login_as(world.programme_manager), world, content)
    assert response.status_code == 400
    assert response.context["form"].has_error("file", "encoding")
    assert Response.objects.count() == 0


def test_a_utf16_file_is_refused_as_not_utf8(world: World, login_as: LoginAs) -> None:
    content = _file(_row(world)).encode("utf-16")
    response = _upload(login_as(world.programme_manager), world, content)
    assert response.status_code == 400
    assert response.context["form"].has_error("file", "encoding")


def test_an_empty_upload_is_refused(world: World, login_as: LoginAs) -> None:
    response = _upload(login_as(world.programme_manager), world, b"")
    assert response.status_code == 400
    assert response.context["form"].has_error("file")


def test_a_file_without_its_header_row_names_the_missing_columns(world: World) -> None:
    result = _import(world, _row(world) + "\n")
    assert (1, "episode_id") in [(e.line, e.column) for e in result.errors]
    assert (1, "completed_on") in [(e.line, e.column) for e in result.errors]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.csv", b""),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\xff"),
        ("nul.csv", b"episode_id,completed_on\n1\x00,2026-03-01\n"),
    ],
)
def test_the_import_command_reports_malformed_files_without_a_traceback(
    world: World, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError):
        _command(world, path)
    assert Response.objects.count() == 0


def test_a_nul_character_in_a_free_text_answer_is_reported(world: World) -> None:
    # PostgreSQL cannot store U+0000 in a JSON text value: refuse it by row instead of failing.
    ratings = ",".join(["5"] * 6 + ["12"] + ["0"] * 5)
    text = (
        "episode_id,completed_on,"
        + ",".join(f"q{i}" for i in range(1, 13))
        + ",area1\n"
        + f"{world.own_client.episodes.get().pk},2026-03-01,{ratings},Work\x00\n"
    )
    header, rows = read_csv(text)
    result = import_responses(
        actor=world.programme_manager,
        programme=world.programme,
        instrument=get_instrument("pgi"),
        header=header,
        rows=rows,
    )
    assert [(e.line, e.column) for e in result.errors] == [(2, "area1")]
    assert Response.objects.count() == 0
