"""De-identification rules of research data sets: pure functions, no Django.

- A study ID is a keyed HMAC of the client id within the study: stable for one study, unrelated
  across studies, and useless without the key (``settings.RESEARCH_ID_KEY``).
- Dates may be shifted by a per-person offset of 1 to 182 days either way, never 0, the same for
  every date of that person, so intervals are preserved while calendar dates are not.
- Ages are whole years, with 90 and over reported as 90 (HIPAA safe harbour), and age bands.
- Category values held by fewer than ``min_cell`` people are folded into ``"other"``.
- Aggregate tables show counts under ``min_cell`` as a marker (``suppress_small_cells``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

OTHER = "other"
AGE_CAP_YEARS = 90
MAX_OFFSET_DAYS = 182
MIN_CELL = 5
SUPPRESSED = f"<{MIN_CELL}"
STUDY_ID_LENGTH = 12

# (lowest age, label) in ascending order; under the first bound the band is "<18".
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65+"),
)
UNDER_AGE_BAND = "<18"
AGE_BAND_LABELS: tuple[str, ...] = (UNDER_AGE_BAND, *(label for _, label in AGE_BANDS))

K = TypeVar("K")


def _check_key(key: bytes) -> bytes:
    if not isinstance(key, bytes | bytearray):
        raise TypeError(f"key must be bytes, got {type(key).__name__}")
    if not key:
        raise ValueError("key must not be empty")
    return bytes(key)


def _keyed(key: bytes) -> hmac.HMAC:
    """An HMAC-SHA256 primed with the key, to copy for each message (cheaper than re-keying)."""
    return hmac.new(_check_key(key), digestmod=hashlib.sha256)


def _digest(primed: hmac.HMAC, message: str) -> bytes:
    mac = primed.copy()
    mac.update(message.encode("ascii"))
    return mac.digest()


def _study_id(primed: hmac.HMAC, study_pk: int, client_id: int) -> str:
    digest = _digest(primed, f"{study_pk}:{client_id}")
    return "S" + base64.b32encode(digest).decode("ascii").rstrip("=")[:STUDY_ID_LENGTH].upper()


def _offset(primed: hmac.HMAC, study_pk: int, client_id: int) -> int:
    number = int.from_bytes(_digest(primed, f"shift:{study_pk}:{client_id}")[:8], "big")
    # The lowest bit gives the sign, the others the size (the modulo bias is below 1e-16).
    magnitude = 1 + (number >> 1) % MAX_OFFSET_DAYS
    return -magnitude if number & 1 else magnitude


def study_id(key: bytes, study_pk: int, client_id: int) -> str:
    """The person's ID in this study: "S" and 12 base32 characters of HMAC(key, study:client)."""
    return _study_id(_keyed(key), study_pk, client_id)


def study_ids(key: bytes, study_pk: int, client_ids: Iterable[int]) -> list[str]:
    """``study_id`` of many clients, in their order."""
    primed = _keyed(key)
    return [_study_id(primed, study_pk, int(client_id)) for client_id in client_ids]


def date_offset_days(key: bytes, study_pk: int, client_id: int) -> int:
    """The person's date shift in this study: ±1 to ±182 days, never 0, always the same."""
    return _offset(_keyed(key), study_pk, client_id)


def date_offsets_days(
    key: bytes, study_pk: int, client_ids: Iterable[int]
) -> npt.NDArray[np.int64]:
    """``date_offset_days`` of many clients, in their order."""
    primed = _keyed(key)
    return np.array(
        [_offset(primed, study_pk, int(client_id)) for client_id in client_ids], dtype=np.int64
    )


def shift_date(day: date, offset_days: int) -> date:
    """``day`` moved by the person's offset."""
    return day + timedelta(days=offset_days)


def age_years(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on``, 90 and over given as 90."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return min(age, AGE_CAP_YEARS)


def _yyyymmdd(days: npt.ArrayLike) -> npt.NDArray[np.int64]:
    index = pd.DatetimeIndex(np.asarray(days, dtype="datetime64[D]"))
    return np.asarray(index.year * 10000 + index.month * 100 + index.day, dtype=np.int64)


def ages_years(born: npt.ArrayLike, on: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """``age_years`` of arrays of dates (``datetime64[D]`` or ``date`` objects), element-wise."""
    # YYYYMMDD integers: their difference // 10000 is the number of whole years.
    ages = (_yyyymmdd(on) - _yyyymmdd(born)) // 10000
    return np.asarray(np.minimum(ages, AGE_CAP_YEARS), dtype=np.int64)


def age_band(age: int) -> str:
    """The band of an age in whole years: "<18", "18-24" ... "55-64", "65+"."""
    band = UNDER_AGE_BAND
    for lowest, label in AGE_BANDS:
        if age >= lowest:
            band = label
    return band


def age_bands(ages: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """``age_band`` of an array of ages."""
    values = np.asarray(ages)
    bounds = np.array([lowest for lowest, _ in AGE_BANDS])
    return np.array(AGE_BAND_LABELS)[np.searchsorted(bounds, values, side="right")]


def fold_rare(values: pd.Series, *, min_cell: int = MIN_CELL, other: str = OTHER) -> pd.Series:
    """Replace values held fewer than ``min_cell`` times by ``other``; missing values stay.

    Count people, not rows: pass one value per person.
    """
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell}")
    counts = values.value_counts(dropna=True)
    rare = counts.index[counts < min_cell]
    return values.where(~values.isin(rare), other)


@overload
def suppress_small_cells(
    table: pd.DataFrame, *, min_cell: int = ..., marker: str | None = ...
) -> pd.DataFrame: ...
@overload
def suppress_small_cells(
    table: pd.Series, *, min_cell: int = ..., marker: str | None = ...
) -> pd.Series: ...
@overload
def suppress_small_cells(
    table: Mapping[K, int], *, min_cell: int = ..., marker: str | None = ...
) -> dict[K, int | str]: ...
def suppress_small_cells(
    table: pd.DataFrame | pd.Series | Mapping[K, int],
    *,
    min_cell: int = MIN_CELL,
    marker: str | None = None,
) -> pd.DataFrame | pd.Series | dict[K, int | str]:
    """A table of counts with every count from 1 to ``min_cell - 1`` replaced by ``marker``.

    For aggregate tables shown on pages and in reports. The marker defaults to ``"<5"`` (``"<"``
    and ``min_cell``). Zero stays visible (it discloses no person); missing cells stay missing.
    Frames and series come back with object dtype.
    """
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell}")
    if marker is None:
        marker = f"<{min_cell}"
    if isinstance(table, pd.DataFrame | pd.Series):
        numbers = table.apply(pd.to_numeric) if isinstance(table, pd.DataFrame) else table
        small = (numbers > 0) & (numbers < min_cell)
        return table.astype(object).mask(small, marker)
    return {label: marker if 0 < count < min_cell else count for label, count in table.items()}
