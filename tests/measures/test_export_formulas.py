"""Exports opened in a spreadsheet cannot run a client's answer as a formula (issue 11, #3)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from django.test import Client as HttpClient

from tandem.measures.models import EnteredVia, Response
from tests.conftest import LoginAs, World
from tests.measures.factories import AdministrationFactory
from tests.payloads import FORMULA_PAYLOADS

pytestmark = pytest.mark.django_db

PGI_RATINGS = {f"q{i}": 5 for i in range(1, 7)} | {"q7": 12} | {f"q{i}": 0 for i in range(8, 13)}


def _store_pgi(world: World, areas: dict[str, str], scores: dict[str, float]) -> Response:
    episode = world.own_client.episodes.get()
    return Response.objects.create(
        client=world.own_client,
        episode=episode,
        instrument_code="pgi",
        instrument_version="1",
        answers={**PGI_RATINGS, **areas},
        scores=scores,
        entered_via=EnteredVia.SELF_REPORT_LINK,
        completed_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )


def _export(http: HttpClient, world: World, file_format: str) -> bytes:
    response = http.get(
        f"/programmes/{world.programme.pk}/measures/export/",
        {"instrument": "pgi", "format": file_format},
    )
    assert response.status_code == 200
    return bytes(response.content)


def _csv_records(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_csv_export_quotes_a_free_text_answer_that_starts_a_formula(
    world: World,
    login_as: LoginAs,
    payload: str,
) -> None:
    _store_pgi(world, {"area1": payload, "area2": "Work"}, {"index": 50.0})
    [record] = _csv_records(_export(login_as(world.programme_manager), world, "csv"))
    assert record["area1"] == "'" + payload
    assert record["area2"] == "Work"


def test_no_csv_export_cell_starts_a_formula(world: World, login_as: LoginAs) -> None:
    for payload in FORMULA_PAYLOADS:
        _store_pgi(world, dict.fromkeys(["area1", "area2", "area3"], payload), {"index": -3.0})
    content = _export(login_as(world.programme_manager), world, "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    numeric = {"q1", "q7", "score_index"}
    columns = rows[0]
    for row in rows[1:]:
        for name, cell in zip(columns, row, strict=True):
            if name not in numeric:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


def test_csv_export_keeps_negative_and_decimal_scores_as_numbers(
    world: World, login_as: LoginAs
) -> None:
    _store_pgi(world, {"area1": "-3"}, {"index": -3.0})
    _store_pgi(world, {"area1": "Family"}, {"index": -0.5})
    content = _export(login_as(world.programme_manager), world, "csv")
    records = _csv_records(content)
    assert [r["score_index"] for r in records] == ["-3", "-0.5"]
    frame = pd.read_csv(io.BytesIO(content))
    assert frame["score_index"].tolist() == [-3.0, -0.5]
    assert frame["q1"].dtype.kind in "iuf"
    # A free-text answer is text, whatever it looks like: "-3" typed by a client stays text.
    assert records[0]["area1"] == "'-3"


def test_a_formula_typed_on_an_anonymous_link_is_exported_as_text(
    world: World, login_as: LoginAs
) -> None:
    administration = AdministrationFactory.create(
        episode=world.own_client.episodes.get(), instrument_code="pgi"
    )
    worker = login_as(world.case_manager)
    issued = worker.post(f"/measures/{administration.pk}/link/", {"channel": "in_person"})
    match = re.search(r"https?://[^/]+(/r/[A-Za-z0-9_-]+/)", issued.content.decode())
    assert match is not None
    hyperlink = '=HYPERLINK("http://x","y")'
    answers = {key: str(value) for key, value in PGI_RATINGS.items()}
    answered = HttpClient().post(
        match.group(1), {**answers, "area1": hyperlink, "action": "submit"}
    )
    assert answered.status_code == 200
    [record] = _csv_records(_export(login_as(world.programme_manager), world, "csv"))
    assert record["area1"] == "'" + hyperlink


def test_spss_export_keeps_text_answers_exactly(
    world: World, login_as: LoginAs, tmp_path: Path
) -> None:
    # SPSS reads .sav variables as typed data and never evaluates a string as a formula, so the
    # .sav export carries the client's words unchanged and the scores as numbers.
    _store_pgi(world, {"area1": '=HYPERLINK("http://x","y")', "area2": "-1+1"}, {"index": -0.5})
    path = tmp_path / "export.sav"
    path.write_bytes(_export(login_as(world.programme_manager), world, "sav"))
    frame, _meta = pyreadstat.read_sav(str(path))
    assert frame["area1"].tolist() == ['=HYPERLINK("http://x","y")']
    assert frame["area2"].tolist() == ["-1+1"]
    assert frame["score_index"].tolist() == [-0.5]
