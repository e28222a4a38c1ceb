"""De-identification rules: study IDs, date shifts, ages, folding and small-cell suppression."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.research.dataset import deid

keys = st.binary(min_size=1, max_size=64)
pks = st.integers(min_value=1, max_value=2**31)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@given(key=keys, study=pks, client=pks)
def test_offset_lies_within_half_a_year_either_way_and_is_never_zero(
    key: bytes, study: int, client: int
) -> None:
    offset = deid.date_offset_days(key, study, client)
    assert 1 <= abs(offset) <= deid.MAX_OFFSET_DAYS


@given(key=keys, study=pks, client=pks)
def test_offset_and_study_id_are_stable(key: bytes, study: int, client: int) -> None:
    assert deid.date_offset_days(key, study, client) == deid.date_offset_days(key, study, client)
    assert deid.study_id(key, study, client) == deid.study_id(key, study, client)


@given(key=keys, study=pks, client=pks, first=days, second=days)
def test_shifting_both_dates_of_a_person_keeps_their_interval(
    key: bytes, study: int, client: int, first: date, second: date
) -> None:
    offset = deid.date_offset_days(key, study, client)
    shifted = deid.shift_date(second, offset) - deid.shift_date(first, offset)
    assert shifted == second - first


@given(key=keys, study=pks, client=pks)
def test_study_id_is_s_and_twelve_base32_characters(key: bytes, study: int, client: int) -> None:
    found = deid.study_id(key, study, client)
    assert len(found) == 13
    assert found[0] == "S"
    assert set(found[1:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


@given(key=keys, studies=st.lists(pks, min_size=2, max_size=2, unique=True), client=pks)
def test_a_person_has_a_different_id_in_every_study(
    key: bytes, studies: list[int], client: int
) -> None:
    first, second = studies
    assert deid.study_id(key, first, client) != deid.study_id(key, second, client)


@given(key=keys, study=pks, clients=st.lists(pks, min_size=2, max_size=2, unique=True))
def test_two_people_of_a_study_have_different_ids(
    key: bytes, study: int, clients: list[int]
) -> None:
    first, second = clients
    assert deid.study_id(key, study, first) != deid.study_id(key, study, second)


def test_the_same_client_gets_different_ids_and_offsets_in_different_studies() -> None:
    key = b"research-key"
    ids = {deid.study_id(key, study, 42) for study in range(1, 201)}
    offsets = {deid.date_offset_days(key, study, 42) for study in range(1, 201)}
    assert len(ids) == 200
    assert len(offsets) > 100


def test_offsets_spread_over_both_signs_and_the_whole_range() -> None:
    offsets = deid.date_offsets_days(b"k", 7, range(1, 5001))
    assert (offsets > 0).any()
    assert (offsets < 0).any()
    assert offsets.min() == -182
    assert offsets.max() == 182
    assert not (offsets == 0).any()


def test_another_key_gives_other_ids() -> None:
    assert deid.study_id(b"one", 1, 1) != deid.study_id(b"two", 1, 1)


def test_an_empty_or_text_key_is_refused() -> None:
    with pytest.raises(ValueError, match="key"):
        deid.study_id(b"", 1, 1)
    with pytest.raises(TypeError, match="key"):
        deid.study_id("text", 1, 1)  # type: ignore[arg-type]  # the wrong type on purpose


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    gap=st.integers(0, 40000),
)
def test_vector_ages_equal_the_scalar_rule(born: date, gap: int) -> None:
    on = born + timedelta(days=gap)
    found = deid.ages_years(np.array([born], dtype="datetime64[D]"), np.array([on]))
    assert found[0] == deid.age_years(born, on)


def test_age_is_capped_at_90_and_counted_in_whole_years() -> None:
    assert deid.age_years(date(1980, 5, 17), date(2020, 5, 16)) == 39
    assert deid.age_years(date(1980, 5, 17), date(2020, 5, 17)) == 40
    assert deid.age_years(date(1920, 1, 1), date(2025, 1, 1)) == 90


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (17, "<18"),
        (18, "18-24"),
        (24, "18-24"),
        (25, "25-34"),
        (54, "45-54"),
        (64, "55-64"),
        (65, "65+"),
        (90, "65+"),
    ],
)
def test_age_bands(age: int, band: str) -> None:
    assert deid.age_band(age) == band
    assert deid.age_bands([age])[0] == band


def test_rare_values_are_folded_into_other() -> None:
    values = pd.Series(["woman"] * 6 + ["man"] * 5 + ["two_spirit"] * 2 + [None])
    folded = deid.fold_rare(values, min_cell=5)
    assert folded.tolist()[:13] == ["woman"] * 6 + ["man"] * 5 + ["other"] * 2
    assert pd.isna(folded.iloc[13])


def test_small_cells_of_a_frame_are_replaced_by_the_marker() -> None:
    table = pd.DataFrame({"a": [0, 1, 4], "b": [5, 12, 3]}, index=["x", "y", "z"])
    shown = deid.suppress_small_cells(table)
    assert shown.loc["x", "a"] == 0
    assert shown.loc["y", "a"] == deid.SUPPRESSED
    assert shown.loc["z", "a"] == deid.SUPPRESSED
    assert shown.loc["x", "b"] == 5
    assert shown.loc["z", "b"] == deid.SUPPRESSED


def test_small_cells_of_a_mapping_and_a_series_are_replaced() -> None:
    assert deid.suppress_small_cells({"a": 2, "b": 7, "c": 0}, marker="*") == {
        "a": "*",
        "b": 7,
        "c": 0,
    }
    assert deid.suppress_small_cells(pd.Series([3, 12]), min_cell=10).tolist() == ["<10", 12]


def test_study_id_is_the_contracts_hmac() -> None:
    digest = hmac.new(b"key", b"12:345", hashlib.sha256).digest()
    expected = "S" + base64.b32encode(digest).decode().rstrip("=")[:12].upper()
    assert deid.study_id(b"key", 12, 345) == expected
    assert deid.study_ids(b"key", 12, [345, 346])[0] == expected
