"""``tandem analyze`` reads SPSS .sav files and CSV alike, with missing values in every column.

The .sav files are written here with pyreadstat (value labels, user-missing values, measurement
levels), and the command's result is compared with the library's on the same rows, with the
categorical covariates dummy-coded by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyreadstat
import pytest

from tandem import stats
from tandem.stats.cli import main

N = 80
HOUSING = {1.0: "own", 2.0: "rent", 3.0: "street"}


@pytest.fixture
def study() -> dict[str, npt.NDArray[Any]]:
    gen = np.random.default_rng(77)
    housing = gen.integers(1, 4, N).astype(float)
    fidelity = gen.normal(30, 4, N)
    alliance = 40 + 0.6 * fidelity + 2.0 * (housing == 3) + gen.normal(0, 6, N)
    age = np.round(gen.normal(42, 11, N))
    outcome = 10 + 0.1 * alliance + 0.02 * age - 0.8 * (housing == 2) + gen.normal(0, 2, N)
    team = np.array([f"T{t:02d}" for t in gen.integers(0, 12, N)], dtype=object)
    rating = gen.integers(1, 6, N).astype(float)
    return {
        "team": team, "fidelity": fidelity, "alliance": alliance, "outcome": outcome,
        "age": age, "housing": housing, "rating": rating,
    }  # fmt: skip


ARGV = ["--x", "fidelity", "--m", "alliance", "--y", "outcome", "--covariates",
        "age,housing,rating", "--cluster", "team", "--resamples", "300", "--seed", "3",
        "--json"]  # fmt: skip
# Rows made missing: age by SPSS user-missing code 999 (an empty cell in the CSV), housing by
# system-missing (empty), team by an empty string.
AGE_MISSING, HOUSING_MISSING, TEAM_MISSING = [2, 17], [5], [9, 30]
DROPPED = AGE_MISSING + HOUSING_MISSING + TEAM_MISSING


def write_sav(path: Path, study: dict[str, npt.NDArray[Any]]) -> Path:
    frame = pd.DataFrame(study)
    frame.loc[AGE_MISSING, "age"] = 999.0
    frame.loc[HOUSING_MISSING, "housing"] = np.nan
    frame.loc[TEAM_MISSING, "team"] = ""
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"housing": HOUSING, "rating": {1.0: "low", 5.0: "high"}},
        missing_ranges={"age": [999.0]},
        variable_measure={"housing": "nominal", "rating": "scale", "age": "scale"},
    )
    return path


def write_csv(path: Path, study: dict[str, npt.NDArray[Any]]) -> Path:
    lines = [",".join(study)]
    for i in range(N):
        cells = []
        for name, values in study.items():
            value = values[i]
            if name == "housing":
                cell = HOUSING[value]
            elif isinstance(value, str):
                cell = value
            else:
                cell = repr(float(value))
            missing = {"age": AGE_MISSING, "housing": HOUSING_MISSING, "team": TEAM_MISSING}
            cells.append("" if i in missing.get(name, []) else cell)
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, ""), captured.err
    result: dict[str, Any] = json.loads(captured.out)
    return result


def test_a_sav_file_gives_the_result_of_the_same_data_as_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[Any]]
) -> None:
    from_sav = run_json(capsys, "mediation", str(write_sav(tmp_path / "study.sav", study)), *ARGV)
    from_csv = run_json(capsys, "mediation", str(write_csv(tmp_path / "study.csv", study)), *ARGV)
    assert from_sav == from_csv
    assert from_sav["n_dropped"] == len(DROPPED)
    assert from_sav["model_m"]["names"] == [
        "constant", "fidelity", "age", "housing=rent", "housing=street", "rating",
    ]  # fmt: skip


def test_labelled_nominal_covariates_are_dummy_coded_against_the_first_category(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[Any]]
) -> None:
    out = run_json(capsys, "mediation", str(write_sav(tmp_path / "study.sav", study)), *ARGV)
    kept = {name: np.delete(values, DROPPED) for name, values in study.items()}
    res = stats.mediation(
        kept["fidelity"], kept["alliance"], kept["outcome"],
        {"age": kept["age"], "housing=rent": (kept["housing"] == 2).astype(float),
         "housing=street": (kept["housing"] == 3).astype(float), "rating": kept["rating"]},
        n_resamples=300, rng=3, cluster=kept["team"].astype(str),
    )  # fmt: skip
    assert out["model_y"]["names"][3:] == list(res.model_y.names[3:])
    for key in ("model_m", "model_y", "model_total"):
        assert out[key]["coef"] == getattr(res, key).coef.tolist()
    assert (out["indirect"], out["ci_low"], out["ci_high"]) == (
        res.indirect, res.ci_low, res.ci_high,
    )  # fmt: skip


def test_na_empty_and_dot_are_missing_in_every_column_the_cluster_included(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[Any]]
) -> None:
    holes = {"fidelity": [(1, "NA")], "alliance": [(2, "")], "outcome": [(3, "na")],
             "age": [(4, "")], "housing": [(6, "N/A")],
             "team": [(7, ""), (8, "NA"), (11, ".")]}  # fmt: skip
    path = write_csv(tmp_path / "holes.csv", study)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    for name, spots in holes.items():
        for row, text in spots:
            cells = lines[row + 1].split(",")
            cells[header.index(name)] = text
            lines[row + 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run_json(capsys, "mediation", str(path), *ARGV)
    dropped = sorted({*DROPPED, 1, 2, 3, 4, 6, 7, 8, 11})
    kept = {name: np.delete(values, dropped) for name, values in study.items()}
    res = stats.mediation(
        kept["fidelity"], kept["alliance"], kept["outcome"],
        {"age": kept["age"], "housing=rent": (kept["housing"] == 2).astype(float),
         "housing=street": (kept["housing"] == 3).astype(float), "rating": kept["rating"]},
        n_resamples=300, rng=3, cluster=kept["team"].astype(str),
    )  # fmt: skip
    assert out["n_dropped"] == len(dropped)
    assert out["n_clusters"] == res.n_clusters == len(set(kept["team"]))
    assert (out["n"], out["ci_low"], out["ci_high"]) == (res.n, res.ci_low, res.ci_high)


def test_few_clusters_give_a_warning_line_not_a_python_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[Any]]
) -> None:
    study["team"] = np.array([f"T{i % 4}" for i in range(N)], dtype=object)
    path = write_csv(tmp_path / "four.csv", study)
    argv = ["mediation", str(path), *ARGV[:-1]]
    code = main(argv)
    text, err = capsys.readouterr()
    assert (code, err) == (0, "")
    message = (
        "--cluster column 'team' has only 4 clusters; with fewer than 10 the cluster "
        "bootstrap interval tends to be too narrow, so read it with caution"
    )
    assert text.splitlines()[-1] == f"Warning: {message}"
    assert "UserWarning" not in text
    assert ".py" not in text
    assert run_json(capsys, *argv, "--json")["warnings"] == [message]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scores.xlsx", b"PK\x03\x04", "scores.xlsx looks like an Excel workbook"),
        ("scores.sav", b"id,score\n1,2\n", "scores.sav is not an SPSS .sav file"),
        ("scores.dat", b"PK\x03\x04rest", "scores.dat is a zip archive"),
        ("scores.csv", "fidélité,x\n1,2\n".encode("latin-1"),
         "scores.csv is neither UTF-8 text nor an SPSS .sav file"),
        ("scores.csv", b"", "scores.csv is empty"),
        ("scores.sav", b"$FL2 damaged", "cannot read scores.sav as an SPSS .sav file"),
    ],
)  # fmt: skip
def test_other_formats_are_refused_with_a_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code = main(["mediation", str(path), "--x", "a", "--m", "b", "--y", "c"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: {message}")
    assert err.count("\n") == 1


def test_a_sav_file_is_recognised_by_content_whatever_its_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[Any]]
) -> None:
    sav = write_sav(tmp_path / "study.sav", study)
    renamed = tmp_path / "export.dat"
    renamed.write_bytes(sav.read_bytes())
    assert run_json(capsys, "mediation", str(renamed), *ARGV) == run_json(
        capsys, "mediation", str(sav), *ARGV
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["paired-t", "--before", "age", "--after", "outcome", "--json"],
        ["icc", "--value", "outcome", "--group", "team", "--json"],
        ["alpha", "--items", "fidelity,alliance,outcome", "--json"],
    ],
)
def test_the_other_analyses_read_sav_files_as_csv(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    study: dict[str, npt.NDArray[Any]],
    argv: list[str],
) -> None:
    sav = write_sav(tmp_path / "study.sav", study)
    csv = write_csv(tmp_path / "study.csv", study)
    from_sav = run_json(capsys, argv[0], str(sav), *argv[1:])
    assert from_sav == run_json(capsys, argv[0], str(csv), *argv[1:])
    assert from_sav["n"] < N or argv[0] == "alpha"
