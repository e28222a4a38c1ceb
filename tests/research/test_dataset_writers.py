"""Data set files read back equal the frame: CSV with its dictionary, SPSS .sav and Parquet."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from tandem.research.dataset.build import build_dataset
from tandem.research.dataset.spec import Dataset
from tandem.research.dataset.writers import (
    ExportFile,
    write_csv,
    write_dataset,
    write_parquet,
    write_sav,
)
from tests.research.dataset_records import day, respond, study_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset() -> Dataset:
    records = study_records()
    for n in range(6):
        episode = records.enrol(
            team=records.team_a if n % 2 else records.team_b,
            gender="woman" if n < 5 else "man",
            end=day(100) if n == 3 else None,
        )
        respond(episode, "rprs", day(n), {"q1": 4, "q2": None})
        if n % 2:
            respond(episode, "wai_sr", day(180 + n), {"q3": 2})
    return build_dataset(records.spec(date_mode="shift"))


def normalised(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Numbers as floats, text as str with None for missing or empty."""
    out: dict[str, object] = {}
    for variable in dataset.variables:
        column = frame[variable.name]
        if variable.kind in ("integer", "float"):
            out[variable.name] = pd.to_numeric(column).astype("float64").to_numpy()
        else:
            out[variable.name] = [
                None if value is None or value == "" or pd.isna(value) else str(value)
                for value in column
            ]
    return pd.DataFrame(out)


def assert_same(read: pd.DataFrame, dataset: Dataset) -> None:
    assert list(read.columns) == list(dataset.frame.columns)
    pd.testing.assert_frame_equal(normalised(read, dataset), normalised(dataset.frame, dataset))


def test_every_file_carries_its_sha256(dataset: Dataset) -> None:
    for export_format in ("csv", "sav", "parquet"):
        files = write_dataset(dataset, export_format)
        for written in files:
            assert written.sha256 == hashlib.sha256(written.content).hexdigest()
    with pytest.raises(ValueError, match="export_format"):
        write_dataset(dataset, "xlsx")  # type: ignore[arg-type]  # a wrong format on purpose


def test_csv_reads_back_equal_to_the_frame(dataset: Dataset) -> None:
    data, _dictionary = write_csv(dataset)
    assert data.name == "dataset.csv"
    read = pd.read_csv(io.BytesIO(data.content), dtype=str, keep_default_na=False)
    assert_same(read, dataset)
    assert data.content.decode("utf-8").count("\n") == len(dataset.frame) + 1


def test_csv_dictionary_describes_every_column(dataset: Dataset) -> None:
    _data, dictionary = write_csv(dataset)
    read = pd.read_csv(io.BytesIO(dictionary.content), dtype=str, keep_default_na=False)
    assert list(read.columns) == ["name", "label", "kind", "value_labels"]
    assert read["name"].tolist() == list(dataset.frame.columns)
    by_name = read.set_index("name")
    assert by_name.loc["discharged", "value_labels"] == "0=No; 1=Yes"
    assert by_name.loc["rprs_q1", "kind"] == "float"
    assert str(by_name.loc["rprs_q1", "value_labels"]).startswith("1=1 (lowest); 2=2")
    assert by_name.loc["enrolled_on", "kind"] == "date"
    assert by_name.loc["study_id", "label"] == "Study ID"


def sav_read(written: ExportFile, tmp_path: Path) -> tuple[pd.DataFrame, object]:
    path = tmp_path / written.name
    path.write_bytes(written.content)
    return pyreadstat.read_sav(str(path))


def test_sav_reads_back_with_labels(dataset: Dataset, tmp_path: Path) -> None:
    (written,) = write_sav(dataset)
    read, meta = sav_read(written, tmp_path)
    assert_same(read, dataset)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))  # type: ignore[attr-defined]  # pyreadstat metadata
    assert labels == {v.name: v.label for v in dataset.variables}
    value_labels = meta.variable_value_labels  # type: ignore[attr-defined]  # pyreadstat metadata
    assert value_labels["discharged"] == {0.0: "No", 1.0: "Yes"}
    assert value_labels["rprs_q1"][4.0] == "4 (highest)"
    assert value_labels["wave"] == {"baseline": "Baseline", "m6": "Six months"}
    assert value_labels["gender"]["woman"] == "Woman"


def test_parquet_reads_back_with_labels(dataset: Dataset) -> None:
    (written,) = write_parquet(dataset)
    table = pq.read_table(io.BytesIO(written.content))
    assert_same(table.to_pandas(), dataset)
    field = table.schema.field("discharged")
    assert field.metadata[b"label"] == b"Discharged by the wave's target day"
    assert json.loads(field.metadata[b"value_labels"]) == {"0": "No", "1": "Yes"}
    assert table.schema.field("rprs_day").type == "int64"
    assert np.isnan(table.column("rprs_q2").to_numpy(zero_copy_only=False)).all()
