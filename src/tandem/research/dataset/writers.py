"""Files of a de-identified data set: CSV with a data dictionary, SPSS .sav, Parquet.

No Django: each writer takes a ``Dataset`` and returns its files as bytes with their SHA-256,
which the export records. The frame is written as it is; de-identification happened in the
builder.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat

from tandem.research.dataset.spec import Dataset, Variable

ExportFormat = Literal["csv", "sav", "parquet"]
DICTIONARY_COLUMNS = ("name", "label", "kind", "value_labels")


@dataclass(frozen=True)
class ExportFile:
    """One written file: its name, content and SHA-256 (hex)."""

    name: str
    content: bytes
    media_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def canonical_csv(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV with ``\\n`` line ends and empty cells for missing values.

    Its hash identifies a data set: the same rows give the same bytes.
    """
    text = frame.to_csv(index=False, lineterminator="\n", na_rep="")
    return text.encode("utf-8")


def _value_labels_text(labels: Mapping[str | int, str]) -> str:
    """Value labels for the dictionary: ``0=No; 1=Yes``."""
    return "; ".join(f"{value}={label}" for value, label in labels.items())


def data_dictionary(variables: tuple[Variable, ...]) -> pd.DataFrame:
    """One row per variable: name, label, kind and value labels."""
    return pd.DataFrame(
        [(v.name, v.label, v.kind, _value_labels_text(v.value_labels)) for v in variables],
        columns=list(DICTIONARY_COLUMNS),
    )


def write_csv(dataset: Dataset, *, stem: str = "dataset") -> tuple[ExportFile, ...]:
    """The data (canonical CSV) and its data dictionary, both UTF-8 CSV."""
    return (
        ExportFile(f"{stem}.csv", canonical_csv(dataset.frame), "text/csv"),
        ExportFile(
            f"{stem}_dictionary.csv",
            canonical_csv(data_dictionary(dataset.variables)),
            "text/csv",
        ),
    )


def _spss_frame(dataset: Dataset) -> pd.DataFrame:
    """The frame with types readstat writes: floats for numbers (NaN = system missing) and
    plain strings ("" = missing)."""
    out = pd.DataFrame(index=dataset.frame.index)
    for variable in dataset.variables:
        column = dataset.frame[variable.name]
        if variable.kind in ("integer", "float"):
            out[variable.name] = pd.to_numeric(column).astype("float64")
        else:
            out[variable.name] = column.astype(object).where(column.notna(), "").astype(str)
    return out


def _spss_value_labels(variable: Variable) -> dict[float | str, str]:
    if variable.kind in ("integer", "float"):
        return {float(value): label for value, label in variable.value_labels.items()}
    return {str(value): label for value, label in variable.value_labels.items()}


def write_sav(dataset: Dataset, *, stem: str = "dataset") -> tuple[ExportFile, ...]:
    """An SPSS .sav file with variable labels and value labels (via pyreadstat)."""
    frame = _spss_frame(dataset)
    value_labels = {v.name: _spss_value_labels(v) for v in dataset.variables if v.value_labels}
    measures = {
        v.name: "scale" if v.kind in ("integer", "float") else "nominal" for v in dataset.variables
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{stem}.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            column_labels=[v.label for v in dataset.variables],
            # The stubs allow numeric keys only; readstat writes string value labels as well.
            variable_value_labels=value_labels,  # type: ignore[arg-type]
            variable_measure=measures,
        )
        content = path.read_bytes()
    return (ExportFile(f"{stem}.sav", content, "application/x-spss-sav"),)


def write_parquet(dataset: Dataset, *, stem: str = "dataset") -> tuple[ExportFile, ...]:
    """A Parquet file; each field carries its label, kind and value labels as metadata."""
    table = pa.Table.from_pandas(dataset.frame, preserve_index=False)
    fields = []
    for variable in dataset.variables:
        field = table.schema.field(variable.name)
        metadata = {
            "label": variable.label,
            "kind": variable.kind,
            "value_labels": json.dumps(
                {str(k): v for k, v in variable.value_labels.items()}, ensure_ascii=False
            ),
        }
        fields.append(field.with_metadata(metadata))
    table = table.cast(pa.schema(fields, metadata=table.schema.metadata))
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return (ExportFile(f"{stem}.parquet", buffer.getvalue(), "application/vnd.apache.parquet"),)


WRITERS: dict[ExportFormat, Callable[..., tuple[ExportFile, ...]]] = {
    "csv": write_csv,
    "sav": write_sav,
    "parquet": write_parquet,
}


def write_dataset(
    dataset: Dataset, export_format: ExportFormat, *, stem: str = "dataset"
) -> tuple[ExportFile, ...]:
    """The files of ``dataset`` in ``export_format`` ("csv", "sav" or "parquet")."""
    try:
        writer = WRITERS[export_format]
    except KeyError:
        raise ValueError(
            f"export_format must be csv, sav or parquet, got {export_format!r}"
        ) from None
    return writer(dataset, stem=stem)
