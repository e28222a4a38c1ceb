"""Exports of a programme's responses and scores to one instrument: CSV and SPSS ``.sav``.

Rows carry ids (client, episode, response), never names. The ``.sav`` file has a variable
label on every column and value labels on every item (from the instrument's response scale).
In the CSV, every text cell goes through ``core.spreadsheet.neutralise_formula`` so that a
client's answer cannot run as a formula; item and score columns stay numbers. The ``.sav``
file keeps text as typed: SPSS never evaluates a string variable.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
from django.db import transaction

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.spreadsheet import neutralise_formula, neutralise_formulas
from tandem.measures.importing import require_programme_manager
from tandem.measures.models import Response
from tandem.measures.registry import Instrument
from tandem.orgs.models import Programme

FIXED = (
    ("response_id", "Response id"),
    ("client_id", "Client id"),
    ("episode_id", "Episode id"),
    ("team_id", "Team id"),
    ("wave", "Wave"),
    ("completed_on", "Date completed"),
    ("language", "Language answered in"),
    ("entered_via", "How the answers were entered"),
)


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


def _columns(instrument: Instrument) -> list[tuple[str, str]]:
    items = [(item.id, item.label) for item in instrument.items]
    texts = [(item.id, item.label) for item in instrument.text_items]
    scores = [(f"score_{score.name}", score.label) for score in instrument.scores]
    return [*FIXED, *items, *texts, *scores]


def studies_of(programme: Programme) -> list[str]:
    """Names of the studies whose schedules run in the programme."""
    return sorted(
        set(programme.schedules.exclude(study_name="").values_list("study_name", flat=True))
    )


def response_table(programme: Programme, instrument: Instrument, study: str = "") -> pd.DataFrame:
    """One row per completed response in the programme (or one study's waves in it)."""
    responses = Response.objects.filter(
        episode__programme=programme,
        instrument_code=instrument.code,
        completed_at__isnull=False,
    )
    if study:
        responses = responses.filter(administration__schedule__study_name=study)
    rows = responses.order_by("completed_at", "pk").values_list(
        "pk",
        "client_id",
        "episode_id",
        "episode__team_id",
        "administration__wave",
        "completed_at",
        "language",
        "entered_via",
        "answers",
        "scores",
    )
    records: list[dict[str, Any]] = []
    for (
        pk,
        client_id,
        episode_id,
        team_id,
        wave,
        completed_at,
        language,
        via,
        answers,
        scores,
    ) in rows.iterator(chunk_size=5000):
        record: dict[str, Any] = {
            "response_id": pk,
            "client_id": client_id,
            "episode_id": episode_id,
            "team_id": team_id,
            "wave": wave or "",
            "completed_on": completed_at.date().isoformat() if completed_at else "",
            "language": language,
            "entered_via": via,
        }
        for item in instrument.items:
            record[item.id] = answers.get(item.id)
        for text_item in instrument.text_items:
            record[text_item.id] = answers.get(text_item.id, "")
        for score in instrument.scores:
            record[f"score_{score.name}"] = scores.get(score.name)
        records.append(record)
    columns = [name for name, _label in _columns(instrument)]
    frame = pd.DataFrame.from_records(records, columns=columns)
    numeric = [item.id for item in instrument.items] + [
        f"score_{score.name}" for score in instrument.scores
    ]
    frame[numeric] = frame[numeric].astype("float64")
    return frame


def _csv(frame: pd.DataFrame) -> bytes:
    text = [name for name in frame.columns if not pd.api.types.is_numeric_dtype(frame[name])]
    safe = frame.assign(**{name: frame[name].map(neutralise_formula) for name in text})
    buffer = io.StringIO()
    # CRLF rows (RFC 4180) make the writer quote a carriage return inside a cell as well.
    safe.to_csv(
        buffer,
        index=False,
        header=neutralise_formulas(str(name) for name in frame.columns),
        quoting=csv.QUOTE_MINIMAL,
        float_format="%g",
        lineterminator="\r\n",
    )
    return buffer.getvalue().encode("utf-8")


def _sav(frame: pd.DataFrame, instrument: Instrument) -> bytes:
    labels = dict(_columns(instrument))
    value_labels = {
        item.id: {option.value: option.label for option in instrument.scale_of(item).options}
        for item in instrument.items
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            column_labels=[labels[name] for name in frame.columns],
            variable_value_labels=value_labels,
            file_label=f"{instrument.code} {instrument.version}",
        )
        return path.read_bytes()


def export_responses(
    *,
    actor: User,
    programme: Programme,
    instrument: Instrument,
    file_format: str,
    study: str = "",
) -> ExportFile:
    """Build the export file and audit it as an export of the programme's responses."""
    require_programme_manager(actor, programme)
    if file_format not in {"csv", "sav"}:
        raise ValueError("file_format must be csv or sav")
    frame = response_table(programme, instrument, study)
    with transaction.atomic():
        record_event(
            actor=actor,
            action=Action.EXPORT,
            object_type="orgs.programme",
            object_id=f"{programme.pk}:{instrument.code}:{file_format}:{len(frame)}",
            agency_id=programme.agency_id,
        )
    stem = f"programme-{programme.pk}-{instrument.code}"
    if file_format == "csv":
        return ExportFile(f"{stem}.csv", "text/csv; charset=utf-8", _csv(frame))
    return ExportFile(f"{stem}.sav", "application/x-spss-sav", _sav(frame, instrument))
