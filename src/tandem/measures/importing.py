"""Importing a CSV of responses to one instrument: all rows or none, with a row-by-row report.

The CSV has a header row with ``episode_id``, ``completed_on`` (YYYY-MM-DD) and one column per
item id (``q1`` … ``qN``; an empty cell is a missing answer). Every row is checked before any is
written; a single bad cell rejects the file and the report names each bad row and column.
Scoring is vectorised over the whole file (``scoring.score_many``) and rows are written with
``bulk_create`` in batches, inside one transaction with one audit event.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Episode
from tandem.measures.models import EnteredVia, Response
from tandem.measures.registry import Instrument
from tandem.measures.scoring import score_matrix
from tandem.measures.signals import responses_imported
from tandem.orgs.models import Programme

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 1000
FIXED_COLUMNS = ("episode_id", "completed_on")


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: the CSV line (header is line 1), the column, and what is wrong."""

    line: int
    column: str
    problem: str


@dataclass(slots=True)
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    total_errors: int = 0

    @property
    def is_ok(self) -> bool:
        return self.total_errors == 0


def require_programme_manager(actor: User, programme: Programme) -> None:
    """Imports and exports of a programme are for its programme managers."""
    managed = scope_for(actor).team_ids(Role.PROGRAMME_MANAGER)
    if not programme.teams.filter(pk__in=managed).exists():
        raise PermissionDenied


def read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV text (a leading byte-order mark is ignored)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows = list(reader)
    if not rows:
        return [], []
    return [name.strip() for name in rows[0]], rows[1:]


def _header_errors(instrument: Instrument, header: Sequence[str]) -> list[RowError]:
    errors = []
    known = {*FIXED_COLUMNS, *instrument.item_ids, *(t.id for t in instrument.text_items)}
    for name in FIXED_COLUMNS:
        if name not in header:
            errors.append(RowError(1, name, "missing column"))
    for name in header:
        if name not in known:
            errors.append(RowError(1, name, f"not a column of {instrument.code}"))
    if len(set(header)) != len(header):
        errors.append(RowError(1, "", "a column appears twice"))
    return errors


def _item_matrix(
    instrument: Instrument, header: Sequence[str], rows: Sequence[Sequence[str]]
) -> tuple[np.ndarray, list[RowError]]:
    """Answers as floats (NaN = missing) in item order, and every bad cell (vectorised)."""
    errors: list[RowError] = []
    position = {name: i for i, name in enumerate(header)}
    matrix = np.full((len(rows), len(instrument.items)), np.nan)
    for j, item in enumerate(instrument.items):
        column = position.get(item.id)
        if column is None:
            continue
        cells = np.array(
            [row[column].strip() if column < len(row) else "" for row in rows], dtype=object
        )
        empty = cells == ""
        numbers = np.full(len(rows), np.nan)
        try:
            numbers[~empty] = np.asarray(cells[~empty], dtype=np.float64)
            bad_number = np.zeros(len(rows), dtype=bool)
        except ValueError:
            bad_number = np.zeros(len(rows), dtype=bool)
            for i in np.flatnonzero(~empty):
                try:
                    numbers[i] = float(cells[i])
                except ValueError:
                    bad_number[i] = True
        scale = instrument.scale_of(item)
        answered = ~np.isnan(numbers)
        if scale.continuous:
            allowed = (numbers >= scale.min) & (numbers <= scale.max)
        else:
            allowed = np.isin(numbers, np.array(scale.values))
        out_of_range = answered & ~allowed
        for i in np.flatnonzero(bad_number):
            errors.append(RowError(int(i) + 2, item.id, "not a number"))
        for i in np.flatnonzero(out_of_range):
            errors.append(
                RowError(int(i) + 2, item.id, f"{numbers[i]:g} is not an answer of the scale")
            )
        matrix[:, j] = numbers
    return matrix, errors


def _fixed_columns(
    header: Sequence[str], rows: Sequence[Sequence[str]], episodes: dict[int, tuple[int, int]]
) -> tuple[list[int], list[datetime], list[RowError]]:
    errors: list[RowError] = []
    episode_col, date_col = header.index("episode_id"), header.index("completed_on")
    episode_ids: list[int] = []
    completed: list[datetime] = []
    for i, row in enumerate(rows):
        line = i + 2
        if len(row) != len(header):
            errors.append(RowError(line, "", f"{len(row)} cells for {len(header)} columns"))
        raw_episode = row[episode_col].strip() if episode_col < len(row) else ""
        try:
            episode_id = int(raw_episode)
        except ValueError:
            episode_id = 0
        if episode_id not in episodes:
            errors.append(RowError(line, "episode_id", "no such episode in this programme"))
        raw_date = row[date_col].strip() if date_col < len(row) else ""
        try:
            day = datetime.strptime(raw_date, "%Y-%m-%d").date()  # noqa: DTZ007  # a date only
        except ValueError:
            errors.append(RowError(line, "completed_on", "not a date (YYYY-MM-DD)"))
            day = None
        episode_ids.append(episode_id)
        # Noon UTC keeps the calendar day the same in every Canadian time zone.
        completed.append(datetime.combine(day, time(12), tzinfo=UTC) if day else datetime.now(UTC))
    return episode_ids, completed, errors


def import_responses(
    *,
    actor: User,
    programme: Programme,
    instrument: Instrument,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Check every row, then store and score all of them, or none if any row is wrong."""
    require_programme_manager(actor, programme)
    result = ImportResult()
    errors = _header_errors(instrument, header)
    if errors:
        result.errors, result.total_errors = errors, len(errors)
        return result
    episodes = {
        pk: (client_id, agency_id)
        for pk, client_id, agency_id in Episode.objects.filter(programme=programme).values_list(
            "pk", "client_id", "client__agency_id"
        )
    }
    episode_ids, completed, errors = _fixed_columns(header, rows, episodes)
    matrix, item_errors = _item_matrix(instrument, header, rows)
    errors += item_errors
    if errors:
        errors.sort(key=lambda e: (e.line, e.column))
        result.errors, result.total_errors = errors[:MAX_REPORTED_ERRORS], len(errors)
        return result
    scored = score_matrix(instrument, matrix)
    names = scored.names
    text_columns = [(t.id, header.index(t.id)) for t in instrument.text_items if t.id in header]
    item_ids = instrument.item_ids

    def responses() -> Iterable[Response]:
        values = scored.values
        for i, row in enumerate(rows):
            answers: dict[str, float | str] = {
                item_ids[j]: float(matrix[i, j]) for j in np.flatnonzero(~np.isnan(matrix[i]))
            }
            for text_id, column in text_columns:
                if row[column].strip():
                    answers[text_id] = row[column].strip()[:200]
            scores = {
                name: (None if np.isnan(values[i, k]) else float(values[i, k]))
                for k, name in enumerate(names)
            }
            yield Response(
                client_id=episodes[episode_ids[i]][0],
                episode_id=episode_ids[i],
                instrument_code=instrument.code,
                instrument_version=instrument.version,
                answers=answers,
                scores=scores,
                entered_via=EnteredVia.IMPORT,
                entered_by=actor,
                completed_at=completed[i],
            )

    with transaction.atomic():
        batch: list[Response] = []
        for response in responses():
            batch.append(response)
            if len(batch) >= batch_size:
                Response.objects.bulk_create(batch)
                result.created += len(batch)
                batch = []
        if batch:
            Response.objects.bulk_create(batch)
            result.created += len(batch)
        record_event(
            actor=actor,
            action=Action.CREATE,
            object_type="measures.response",
            object_id=f"import:programme:{programme.pk}:{instrument.code}:{result.created}",
            agency_id=programme.agency_id,
        )
        imported = sorted(set(episode_ids))
        # Robust: a listener's failure (alert re-evaluation) must not fail a stored import.
        transaction.on_commit(
            lambda: responses_imported.send(sender=Response, episode_ids=imported), robust=True
        )
    return result
