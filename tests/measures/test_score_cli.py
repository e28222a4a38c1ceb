"""``tandem score INSTRUMENT FILE.csv [--json]``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tandem.cli import main
from tests.payloads import FORMULA_PAYLOADS

ROOT = Path(__file__).resolve().parents[2]


def write_csv(tmp_path: Path, text: str, name: str = "responses.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


WAI_HEADER = "client," + ",".join(f"q{n}" for n in range(1, 13))


def test_prints_one_row_of_scores_per_input_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(
        tmp_path,
        f"{WAI_HEADER}\nA,1,2,3,4,5,1,2,3,4,5,1,2\nB,5,5,5,5,5,5,5,5,5,5,5,5\nC,,,,,,,,,,,,\n",
    )
    assert main(["score", "WAI-SR", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["task,bond,goal,total", "10,14,9,33", "20,20,20,60", ",,,"]


def test_json_prints_objects_keyed_by_score_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ",".join(f"q{n}" for n in range(1, 25))
    path = write_csv(tmp_path, f"{header}\n" + ",".join(["4"] * 24) + "\n" + ",".join([""] * 24))
    assert main(["score", "rprs", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"total": 96.0, "total_0_100": 100.0},
        {"total": None, "total_0_100": None},
    ]


def test_csv_output_is_scores_only_whatever_text_the_input_carries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The output echoes no input text (other columns are ignored): no cell can start a formula.
    rows = "".join(
        f'"{payload.replace(chr(34), chr(34) * 2)}",1,2,3,4\n' for payload in FORMULA_PAYLOADS
    )
    path = write_csv(tmp_path, "client,q1,q2,q3,q4\n" + rows)
    assert main(["score", "ors", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["total"] + ["10"] * len(FORMULA_PAYLOADS)


def test_a_cell_over_131072_characters_names_its_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path, "q1,q2,q3,q4\n1,2,3,4\n1," + "2" * 131_073 + ",3,4\n")
    assert main(["score", "ors", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "responses.csv: row 2, column q2: longer than 131072 characters" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert len(captured.err) < 200


def test_a_binary_file_is_reported_as_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "responses.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    assert main(["score", "ors", str(path)]) == 2
    err = capsys.readouterr().err
    assert "responses.csv: not UTF-8 text" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "content",
    [
        "\ufeffq1,q2,q3,q4\r\n1,2,3,4\r\n",  # Excel's UTF-8 CSV: byte-order mark and CRLF
        "q1,q2,q3,q4\r1,2,3,4\r",  # old Mac line ends
        "q1,q2,q3,q4\n\n1,2,3,4\n",  # a blank line
    ],
)
def test_spreadsheet_variants_of_a_csv_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    path = write_csv(tmp_path, content)
    assert main(["score", "ors", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["total", "10"]


@pytest.mark.parametrize(("content", "message"), [("", "item q1: no column"), ("1,2,3,4\n", "q1")])
def test_an_empty_file_or_one_without_header_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = write_csv(tmp_path, content)
    assert main(["score", "ors", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_prorated_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ",".join(f"q{n}" for n in range(1, 18))
    path = write_csv(tmp_path, f"{header}\n" + ",".join(["3"] * 16 + [""]) + "\n")
    assert main(["score", "mcas", str(path), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["total"] == 51
    assert row["behavioral_problems"] is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("1,2,3,4\n1,2,3,x\n", "responses.csv: row 2, item q4: 'x' is not a number"),
        ("1,2,3,4\n1,11,3,4\n", "row 2, item q2: 11 is not allowed"),
    ],
)
def test_bad_answers_give_one_line_naming_row_and_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    path = write_csv(tmp_path, "q1,q2,q3,q4\n" + body)
    assert main(["score", "ors", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_a_missing_item_column_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path, "q1,q2,q3\n1,2,3\n")
    assert main(["score", "srs", str(path)]) == 2
    assert "item q4: no column" in capsys.readouterr().err


def test_unknown_instrument_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", "nope", str(tmp_path / "x.csv")]) == 2
    assert "unknown instrument 'nope'" in capsys.readouterr().err
    assert main(["score", "ors", str(tmp_path / "absent.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["score"])
    assert caught.value.code == 2
    assert capsys.readouterr().err.startswith("tandem score:")


def test_scoring_modules_do_not_import_django() -> None:
    code = (
        "import sys, tandem.measures.cli, tandem.measures.scoring, tandem.measures.registry;"
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False)  # noqa: S603  # fixed argv
    assert done.returncode == 0


def test_installed_console_script(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "q1,q2,q3,q4\n1,2,3,4\n0,0,0,\n")
    done = subprocess.run(  # noqa: S603  # fixed argv
        [str(ROOT / ".venv" / "bin" / "tandem"), "score", "ORS", str(path), "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"total": 10.0}, {"total": None}]
