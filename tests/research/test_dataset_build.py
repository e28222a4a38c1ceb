"""The de-identified data set: columns, values, windows, exposure, date modes and query count."""

from __future__ import annotations

import hashlib
from datetime import date, time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from numpy.testing import assert_allclose

from tandem.fidelity.series import exposure_for_responses
from tandem.measures.models import Response
from tandem.measures.registry import get_instrument
from tandem.research.dataset import deid
from tandem.research.dataset.build import build_dataset
from tandem.research.dataset.writers import write_csv, write_dataset
from tests.factories import EpisodeFactory
from tests.research.dataset_records import (
    ENROLLED_ON,
    KEY,
    StudyRecords,
    day,
    respond,
    study_records,
)

pytestmark = pytest.mark.django_db

FIXED = [
    "study_id",
    "wave",
    "wave_order",
    "team",
    "programme",
    "age_years",
    "age_band",
    "gender",
    "diagnosis_group",
    "years_in_service",
    "episode_days",
    "discharged",
]


def measure_columns(code: str, *, shift: bool) -> list[str]:
    instrument = get_instrument(code)
    subscales = [name for name in instrument.score_names if name != "total"]
    dates = [f"{code}_date"] if shift else []
    return (
        [f"{code}_day", *dates, f"{code}_total"]
        + [f"{code}_{name}" for name in subscales]
        + [f"{code}_{item}" for item in instrument.item_ids]
    )


@pytest.fixture
def records() -> StudyRecords:
    return study_records()


def row(frame: pd.DataFrame, client_id: int, wave: str) -> pd.Series:
    sid = deid.study_id(KEY, 1, client_id)
    found = frame[(frame["study_id"] == sid) & (frame["wave"] == wave)]
    assert len(found) == 1
    return found.iloc[0]


def test_columns_follow_the_contract_in_both_date_modes(records: StudyRecords) -> None:
    records.enrol()
    days = build_dataset(records.spec())
    shifted = build_dataset(records.spec(date_mode="shift"))
    assert list(days.frame.columns) == [
        *FIXED,
        *measure_columns("rprs", shift=False),
        *measure_columns("wai_sr", shift=False),
        "exposure",
    ]
    assert list(shifted.frame.columns) == [
        *FIXED,
        "enrolled_on",
        *measure_columns("rprs", shift=True),
        *measure_columns("wai_sr", shift=True),
        "exposure",
    ]
    assert [v.name for v in shifted.variables] == list(shifted.frame.columns)


def test_one_row_per_person_and_wave_sorted_by_study_id(records: StudyRecords) -> None:
    for _ in range(4):
        records.enrol()
    frame = build_dataset(records.spec()).frame
    assert len(frame) == 8
    expected = sorted(deid.study_ids(KEY, 1, [p.client_id for p in records.enrolled]))
    assert frame["study_id"].tolist() == [sid for sid in expected for _ in range(2)]
    assert frame["wave_order"].tolist() == [1, 2] * 4
    assert frame["wave"].tolist() == ["baseline", "m6"] * 4


def test_person_facts_at_enrolment(records: StudyRecords) -> None:
    open_episode = records.enrol(date_of_birth=date(1980, 3, 4), gender="woman")
    closed = records.enrol(
        team=records.team_b,
        start=date(2024, 3, 3),
        end=date(2025, 5, 2),
        date_of_birth=date(1930, 1, 1),
        diagnosis_group="bipolar",
    )
    young = records.enrol(date_of_birth=date(2008, 1, 1))
    frame = build_dataset(records.spec(min_cell=1)).frame

    first = row(frame, open_episode.client_id, "m6")
    assert (first["team"], first["programme"]) == ("T01", "P1")
    assert (first["age_years"], first["age_band"]) == (44, "35-44")
    assert first["gender"] == "woman"
    assert first["diagnosis_group"] == "psychotic"
    # 2023-09-01 to 2025-03-03: 549 days.
    assert first["years_in_service"] == pytest.approx(1.5)
    assert first["episode_days"] == 549 + 182
    assert first["discharged"] == 0

    at_baseline = row(frame, closed.client_id, "baseline")
    at_m6 = row(frame, closed.client_id, "m6")
    assert (at_m6["team"], at_m6["age_years"], at_m6["age_band"]) == ("T02", 90, "65+")
    assert at_m6["diagnosis_group"] == "bipolar"
    assert (at_baseline["episode_days"], at_baseline["discharged"]) == (365, 0)
    # Discharged 60 days after enrolment: the episode counts to discharge.
    assert (at_m6["episode_days"], at_m6["discharged"]) == (365 + 60, 1)
    assert row(frame, young.client_id, "baseline")["age_band"] == "<18"


def test_rare_genders_and_diagnosis_groups_are_folded_into_other(records: StudyRecords) -> None:
    women = [records.enrol(gender="woman", diagnosis_group="depressive") for _ in range(5)]
    men = [records.enrol(gender="man", diagnosis_group="anxiety") for _ in range(2)]
    frame = build_dataset(records.spec()).frame
    assert row(frame, women[0].client_id, "baseline")["gender"] == "woman"
    assert row(frame, women[0].client_id, "baseline")["diagnosis_group"] == "depressive"
    assert row(frame, men[0].client_id, "baseline")["gender"] == "other"
    assert row(frame, men[1].client_id, "m6")["diagnosis_group"] == "other"


def test_a_wave_takes_the_response_closest_to_its_target_day(records: StudyRecords) -> None:
    episode = records.enrol()
    respond(episode, "rprs", day(-20), {"q1": 2})
    respond(episode, "rprs", day(5), {"q1": 3})
    respond(episode, "rprs", day(170), {"q1": 1})
    respond(episode, "rprs", day(190), {"q1": 4})
    frame = build_dataset(records.spec()).frame
    baseline = row(frame, episode.client_id, "baseline")
    m6 = row(frame, episode.client_id, "m6")
    assert (baseline["rprs_day"], baseline["rprs_q1"]) == (5, 3.0)
    assert (m6["rprs_day"], m6["rprs_q1"]) == (190, 4.0)
    assert baseline["rprs_total"] == 3 + 23
    assert m6["rprs_total_0_100"] == pytest.approx((4 + 23 - 24) / 72 * 100)


def test_of_two_responses_as_close_the_earlier_counts(records: StudyRecords) -> None:
    episode = records.enrol()
    respond(episode, "wai_sr", day(-4), {"q1": 5})
    respond(episode, "wai_sr", day(4), {"q1": 2})
    frame = build_dataset(records.spec()).frame
    assert row(frame, episode.client_id, "baseline")["wai_sr_day"] == -4
    assert row(frame, episode.client_id, "baseline")["wai_sr_q1"] == 5.0


def test_responses_outside_the_window_or_the_study_are_left_out(records: StudyRecords) -> None:
    episode = records.enrol()
    respond(episode, "rprs", day(31))
    respond(episode, "rprs", day(-31))
    respond(episode, "rprs", day(151))
    respond(episode, "rprs", None)  # still in progress
    elsewhere = EpisodeFactory.create(
        team=records.outside_team, client=episode.client, start_date=date(2024, 1, 1)
    )
    respond(elsewhere, "rprs", day(1))
    respond(episode, "srs", day(0))  # an instrument the study does not measure
    frame = build_dataset(records.spec()).frame
    for wave in ("baseline", "m6"):
        found = row(frame, episode.client_id, wave)
        assert pd.isna(found["rprs_day"])
        assert np.isnan(found["rprs_total"])
        assert np.isnan(found["rprs_q1"])
        assert np.isnan(found["exposure"])
    assert not any(column.startswith("srs") for column in frame.columns)


def test_missing_items_stay_missing_and_waves_without_the_measure_are_empty(
    records: StudyRecords,
) -> None:
    episode = records.enrol()
    respond(episode, "rprs", day(0), {"q2": None})
    records_spec = records.spec(measures=(("baseline", "rprs"),))
    frame = build_dataset(records_spec).frame
    baseline = row(frame, episode.client_id, "baseline")
    assert np.isnan(baseline["rprs_q2"])
    assert baseline["rprs_q3"] == 1.0
    m6 = row(frame, episode.client_id, "m6")
    assert pd.isna(m6["rprs_day"])
    assert np.isnan(m6["rprs_q3"])


def test_exposure_equals_fidelity_series_for_the_waves_first_response(
    records: StudyRecords,
) -> None:
    in_a = records.enrol()
    in_b = records.enrol(team=records.team_b)
    first_a = respond(in_a, "wai_sr", day(-3))
    respond(in_a, "rprs", day(2))
    first_b = respond(in_b, "rprs", day(185), at=time(9, 0))
    respond(in_b, "wai_sr", day(185), at=time(15, 0))
    for window in (90, 180, 270):
        frame = build_dataset(records.spec(exposure_days=window)).frame
        expected = {
            found.response_id: np.nan if found.exposure is None else found.exposure
            for found in exposure_for_responses(
                Response.objects.filter(pk__in=[first_a.pk, first_b.pk]), window_days=window
            )
        }
        assert_allclose(
            row(frame, in_a.client_id, "baseline")["exposure"], expected[first_a.pk], rtol=1e-12
        )
        assert_allclose(
            row(frame, in_b.client_id, "m6")["exposure"], expected[first_b.pk], rtol=1e-12
        )
    assert (
        row(frame, in_a.client_id, "baseline")["exposure"]
        != row(frame, in_b.client_id, "m6")["exposure"]
    )


def test_shifted_dates_keep_every_interval_of_a_person(records: StudyRecords) -> None:
    people = [records.enrol() for _ in range(6)]
    for n, episode in enumerate(people):
        respond(episode, "rprs", day(n - 3))
        respond(episode, "wai_sr", day(180 + n))
    shifted = build_dataset(records.spec(date_mode="shift")).frame
    days = build_dataset(records.spec()).frame
    for episode in people:
        offset = deid.date_offset_days(KEY, 1, episode.client_id)
        for wave in ("baseline", "m6"):
            found = row(shifted, episode.client_id, wave)
            enrolled = date.fromisoformat(found["enrolled_on"])
            assert (enrolled - ENROLLED_ON).days == offset
            for code in ("rprs", "wai_sr"):
                if pd.notna(found[f"{code}_date"]):
                    gap = (date.fromisoformat(found[f"{code}_date"]) - enrolled).days
                    assert gap == found[f"{code}_day"]
                    assert gap == row(days, episode.client_id, wave)[f"{code}_day"]
    assert "enrolled_on" not in days.columns
    assert not any(column.endswith("_date") for column in days.columns)


def test_study_ids_differ_between_studies_and_client_ids_are_absent(
    records: StudyRecords,
) -> None:
    for _ in range(3):
        records.enrol()
    first = build_dataset(records.spec(study_pk=1)).frame
    second = build_dataset(records.spec(study_pk=2)).frame
    assert set(first["study_id"]).isdisjoint(set(second["study_id"]))
    assert "client_id" not in first.columns
    assert first.equals(build_dataset(records.spec(study_pk=1)).frame)


def test_hash_is_that_of_the_written_csv(records: StudyRecords) -> None:
    respond(records.enrol(), "rprs", day(0))
    dataset = build_dataset(records.spec())
    data_file = write_csv(dataset)[0]
    assert dataset.sha256 == hashlib.sha256(data_file.content).hexdigest()
    assert dataset.n_enrolled == 1


def test_a_team_restriction_leaves_out_the_other_teams_episodes(records: StudyRecords) -> None:
    in_b = records.enrol(team=records.team_b)
    respond(in_b, "rprs", day(0))
    frame = build_dataset(records.spec(team_ids=(records.team_a.pk,))).frame
    found = row(frame, in_b.client_id, "baseline")
    assert found["team"] is None
    assert pd.isna(found["rprs_day"])


def test_bad_specifications_are_refused(records: StudyRecords) -> None:
    records.enrol()
    with pytest.raises(ValueError, match="exposure_days"):
        build_dataset(records.spec(exposure_days=100))
    with pytest.raises(ValueError, match="no wave"):
        build_dataset(records.spec(measures=(("m12", "rprs"),)))


def with_people(people: int) -> StudyRecords:
    records = study_records()
    for n in range(people):
        episode = records.enrol(team=records.team_a if n % 2 else records.team_b)
        respond(episode, "rprs", day(n % 20))
        respond(episode, "wai_sr", day(175 + n % 20))
    return records


def test_the_number_of_queries_does_not_grow_with_the_people(
    django_assert_max_num_queries: Any,
) -> None:
    few, many = with_people(3), with_people(30)
    with CaptureQueriesContext(connection) as captured:
        build_dataset(few.spec(date_mode="shift"))
    assert len(captured) <= 6
    with django_assert_max_num_queries(len(captured)):
        dataset = build_dataset(many.spec(date_mode="shift"))
    assert dataset.frame["rprs_day"].notna().sum() == 30


def test_a_study_without_enrolled_people_gives_an_empty_frame_with_every_column(
    records: StudyRecords,
) -> None:
    dataset = build_dataset(records.spec(date_mode="shift"))
    assert dataset.n_enrolled == 0
    assert dataset.frame.empty
    assert list(dataset.frame.columns) == [v.name for v in dataset.variables]
    assert "rprs_q24" in dataset.frame.columns
    for export_format in ("csv", "sav", "parquet"):
        assert write_dataset(dataset, export_format)[0].content
