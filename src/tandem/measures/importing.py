"""Importing a CSV of responses to one instrument: all rows or none, with a row-by-row report.

The CSV has a header row with ``episode_id``, ``completed_on`` (YYYY-MM-DD) and one column per
item id (``q1`` … ``qN``; an empty cell is a missing answer). Every row is checked before any is
written; a single bad cell rejects the file and the report names each bad row and column.
Refused besides bad answers: a cell longer than ``MAX_CELL_CHARS`` or holding a NUL character,
a completion date after today or before 1900, and a client's second response on one day (twice
in the file, or beside one stored in the programme): an import holds one per client and day.
Scoring is vectorised over the whole file (``scoring.score_many``) and rows are written with
``bulk_create`` in batches, inside one transaction with one audit event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Episode
from tandem.core.spreadsheet import MAX_CELL_CHARS, CsvReadError, read_csv_rows
from tandem.measures.models import EnteredVia, Response
from tandem.measures.registry import Instrument
from tandem.measures.scoring import score_matrix
from tandem.measures.signals import responses_imported
from tandem.orgs.models import Programme
from tandem.orgs.selectors import programmes_managed_by

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 1000
FIXED_COLUMNS = ("episode_id", "completed_on")
# An earlier completion date is a typing slip (0026-03-01 for 2026-03-01), not a response.
EARLIEST_DAY = date(1900, 1, 1)


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
    if not programmes_managed_by(actor).filter(pk=programme.pk).exists():
        raise PermissionDenied


def read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV text (a leading byte-order mark is ignored).

    Raises ``CsvReadError`` naming the line of a record that cannot be read.
    """
    rows = read_csv_rows(text)
    if not rows:
        return [], []
    return [name.strip() for name in rows[0]], rows[1:]


def import_csv(
    *, actor: User, programme: Programme, instrument: Instrument, text: str
) -> ImportResult:
    """Read a CSV text and import it (``import_responses``); an unreadable file is reported."""
    require_programme_manager(actor, programme)
    try:
        header, rows = read_csv(text)
    except CsvReadError as exc:
        error = RowError(exc.line, "", _("this line cannot be read as CSV"))
        return ImportResult(errors=[error], total_errors=1)
    return import_responses(
        actor=actor, programme=programme, instrument=instrument, header=header, rows=rows
    )


def _header_errors(instrument: Instrument, header: Sequence[str]) -> list[RowError]:
    errors = []
    known = {*FIXED_COLUMNS, *instrument.item_ids, *(t.id for t in instrument.text_items)}
    for name in FIXED_COLUMNS:
        if name not in header:
            errors.append(RowError(1, name, _("missing column")))
    for name in header:
        if name not in known:
            errors.append(
                RowError(1, name, _("not a column of %(code)s") % {"code": instrument.code})
            )
    if len(set(header)) != len(header):
        errors.append(RowError(1, "", _("a column appears twice")))
    return errors


def _cell_errors(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[RowError]:
    """Cells no column accepts: too long to be an answer, or holding a NUL character."""
    errors = []
    for i, row in enumerate(rows):
        if "\x00" not in "".join(row) and max(map(len, row), default=0) <= MAX_CELL_CHARS:
            continue
        for j, cell in enumerate(row):
            name = header[j] if j < len(header) else _("column %(number)d") % {"number": j + 1}
            if len(cell) > MAX_CELL_CHARS:
                problem = _("longer than %(limit)d characters") % {"limit": MAX_CELL_CHARS}
                errors.append(RowError(i + 2, name, problem))
            elif "\x00" in cell:
                # PostgreSQL cannot store U+0000 in a JSON text value.
                errors.append(RowError(i + 2, name, _("contains a NUL character")))
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
        bad_number = np.zeros(len(rows), dtype=bool)
        try:
            numbers[~empty] = np.asarray(cells[~empty], dtype=np.float64)
        except ValueError:
            for i in np.flatnonzero(~empty):
                try:
                    numbers[i] = float(cells[i])
                except ValueError:
                    bad_number[i] = True
        # "nan" would otherwise pass as a missing answer, and "inf" as a number.
        not_finite = ~empty & ~bad_number & ~np.isfinite(numbers)
        bad_number |= not_finite
        numbers[not_finite] = np.nan
        scale = instrument.scale_of(item)
        answered = ~np.isnan(numbers)
        if scale.continuous:
            allowed = (numbers >= scale.min) & (numbers <= scale.max)
        else:
            allowed = np.isin(numbers, np.array(scale.values))
        out_of_range = answered & ~allowed
        for i in np.flatnonzero(bad_number):
            errors.append(RowError(int(i) + 2, item.id, _("not a number")))
        for i in np.flatnonzero(out_of_range):
            problem = _("%(value)s is not an answer of the scale") % {"value": f"{numbers[i]:g}"}
            errors.append(RowError(int(i) + 2, item.id, problem))
        matrix[:, j] = numbers
    return matrix, errors


def _fixed_columns(
    header: Sequence[str], rows: Sequence[Sequence[str]], episodes: dict[int, tuple[int, int]]
) -> tuple[list[int], list[date | None], list[RowError]]:
    """Each row's episode id (0 when unknown) and day (None when not a date), and their errors."""
    errors: list[RowError] = []
    episode_col, date_col = header.index("episode_id"), header.index("completed_on")
    episode_ids: list[int] = []
    days: list[date | None] = []
    today = timezone.localdate()
    for i, row in enumerate(rows):
        line = i + 2
        if len(row) != len(header):
            problem = _("%(cells)d cells for %(columns)d columns") % {
                "cells": len(row),
                "columns": len(header),
            }
            errors.append(RowError(line, "", problem))
        raw_episode = row[episode_col].strip() if episode_col < len(row) else ""
        try:
            episode_id = int(raw_episode)
        except ValueError:
            episode_id = 0
        if episode_id not in episodes:
            errors.append(RowError(line, "episode_id", _("no such episode in this programme")))
        raw_date = row[date_col].strip() if date_col < len(row) else ""
        try:
            day = datetime.strptime(raw_date, "%Y-%m-%d").date()  # noqa: DTZ007  # a date only
        except ValueError:
            errors.append(RowError(line, "completed_on", _("not a date (YYYY-MM-DD)")))
            day = None
        if day is not None and day > today:
            errors.append(RowError(line, "completed_on", _("a date in the future")))
            day = None
        elif day is not None and day < EARLIEST_DAY:
            errors.append(RowError(line, "completed_on", _("a date before 1900")))
            day = None
        episode_ids.append(episode_id)
        days.append(day)
    return episode_ids, days, errors


def _duplicate_errors(
    programme: Programme,
    instrument: Instrument,
    episodes: dict[int, tuple[int, int]],
    episode_ids: Sequence[int],
    days: Sequence[date | None],
) -> list[RowError]:
    """Rows giving a client a second response on one day, in the file or beside a stored one."""
    keyed = [
        (i + 2, (episodes[episode_id][0], day))
        for i, (episode_id, day) in enumerate(zip(episode_ids, days, strict=True))
        if episode_id in episodes and day is not None
    ]
    if not keyed:
        return []
    first_day = min(day for _line, (_client, day) in keyed)
    last_day = max(day for _line, (_client, day) in keyed)
    # Bounded by the file's days (a day's margin for time zones), not by a list of clients.
    stored_at = Response.objects.filter(
        episode__programme=programme,
        instrument_code=instrument.code,
        completed_at__gte=datetime.combine(first_day - timedelta(days=1), time(), tzinfo=UTC),
        completed_at__lt=datetime.combine(last_day + timedelta(days=2), time(), tzinfo=UTC),
    ).values_list("client_id", "completed_at")
    stored = {(client_id, timezone.localdate(at)) for client_id, at in stored_at if at}
    errors: list[RowError] = []
    first_line: dict[tuple[int, date], int] = {}
    for line, key in keyed:
        if key in first_line:
            problem = _("the same client and date as line %(line)d") % {"line": first_line[key]}
            errors.append(RowError(line, "completed_on", problem))
        elif key in stored:
            problem = _("a response of this client on this date is already stored")
            errors.append(RowError(line, "completed_on", problem))
        first_line.setdefault(key, line)
    return errors


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
    errors = _header_errors(instrument, header) or _cell_errors(header, rows)
    if not errors and not rows:
        errors = [RowError(2, "", _("the file has no rows to import"))]
    if errors:
        result.errors, result.total_errors = errors[:MAX_REPORTED_ERRORS], len(errors)
        return result
    episodes = {
        pk: (client_id, agency_id)
        for pk, client_id, agency_id in Episode.objects.filter(programme=programme).values_list(
            "pk", "client_id", "client__agency_id"
        )
    }
    episode_ids, days, errors = _fixed_columns(header, rows, episodes)
    errors += _duplicate_errors(programme, instrument, episodes, episode_ids, days)
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

    # Noon UTC keeps the calendar day the same in every Canadian time zone.
    completed = [datetime.combine(day, time(12), tzinfo=UTC) for day in days if day is not None]

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
