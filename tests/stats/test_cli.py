"""``tandem analyze``: tables, JSON equal to the library's results, one-line errors, exit codes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from tandem import stats
from tandem.stats.cli import main

N = 90


@pytest.fixture
def study() -> dict[str, np.ndarray]:
    gen = np.random.default_rng(2024)
    team = gen.integers(0, 9, N)
    fidelity = gen.normal(30, 4, N) + 0.3 * team
    age = gen.normal(42, 11, N)
    alliance = 40 + 0.6 * fidelity + gen.normal(0, 6, N)
    outcome = 10 + 0.1 * alliance + 0.02 * age + gen.normal(0, 2, N)
    items = np.clip(np.round(alliance[:, None] / 20 + gen.normal(0, 0.7, (N, 4))), 1, 4)
    return {
        "team": np.array([f"team-{t}" for t in team], dtype=object),
        "fidelity": fidelity,
        "alliance": alliance,
        "outcome": outcome,
        "age": age,
        "pre": outcome - gen.normal(1, 2, N),
        **{f"q{i + 1}": items[:, i] for i in range(4)},
    }


def write_csv(path: Path, columns: dict[str, np.ndarray], blanks: dict[str, list[int]]) -> Path:
    """Write ``columns`` with ``repr`` floats (exact round trip); ``blanks`` empties cells."""
    names = list(columns)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for i in range(N):
            row = []
            for name in names:
                value = columns[name][i]
                cell = value if isinstance(value, str) else repr(float(value))
                row.append("" if i in blanks.get(name, []) else cell)
            writer.writerow(row)
    return path


@pytest.fixture
def study_csv(tmp_path: Path, study: dict[str, npt.NDArray[np.float64]]) -> Path:
    return write_csv(tmp_path / "study.csv", study, {})


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, *argv, "--json")
    assert (code, err) == (0, "")
    result: dict[str, Any] = json.loads(out)
    return result


def cli_fields(
    res: stats.MediationResult, x: str, m: str, y: str, covariates: list[str], **extra: Any
) -> dict[str, Any]:
    """The JSON the command prints for ``res``: its fields, x and m named by their columns."""
    fields = res.to_dict()
    for key in ("model_m", "model_y", "model_total"):
        fields[key]["names"][1] = x
    fields["model_y"]["names"][2] = m
    variables = {"x": x, "m": m, "y": y, "covariates": covariates, "cluster": None}
    return {**fields, "n_dropped": 0, "variables": variables, **extra}


# --- mediation ------------------------------------------------------------------------------


def test_mediation_json_equals_the_library_result(
    capsys: pytest.CaptureFixture[str], study_csv: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    out = run_json(
        capsys, "mediation", str(study_csv), "--x", "fidelity", "--m", "alliance",
        "--y", "outcome", "--covariates", "age", "--resamples", "400", "--seed", "11",
    )  # fmt: skip
    res = stats.mediation(
        study["fidelity"], study["alliance"], study["outcome"], {"age": study["age"]},
        n_resamples=400, rng=11,
    )  # fmt: skip
    assert out == cli_fields(res, "fidelity", "alliance", "outcome", ["age"])
    assert out["n"] == N
    assert out["model_y"]["names"] == ["constant", "fidelity", "alliance", "age"]
    assert set(out["model_m"]) == {
        "names", "coef", "se", "t", "p", "df", "ci_low", "ci_high",
        "r", "r2", "f", "df1", "df2", "f_p", "mse",
    }  # fmt: skip


def test_mediation_drops_rows_with_missing_values_and_reports_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    path = write_csv(tmp_path / "holes.csv", study, {"alliance": [3, 8], "age": [8, 40]})
    argv = ["mediation", str(path), "--x", "fidelity", "--m", "alliance", "--y", "outcome",
            "--covariates", "age", "--resamples", "300", "--seed", "5"]  # fmt: skip
    out = run_json(capsys, *argv)
    keep = np.ones(N, dtype=bool)
    keep[[3, 8, 40]] = False
    res = stats.mediation(
        study["fidelity"][keep], study["alliance"][keep], study["outcome"][keep],
        {"age": study["age"][keep]}, n_resamples=300, rng=5,
    )  # fmt: skip
    assert out["n_dropped"] == 3
    assert out["n"] == N - 3
    assert out["indirect"] == res.indirect
    assert (out["ci_low"], out["ci_high"]) == (res.ci_low, res.ci_high)

    code, text, _ = run(capsys, *argv)
    assert code == 0
    assert f"Sample size: {N - 3} (3 rows with missing values dropped)" in text


def fmt(*values: float) -> list[str]:
    return [f"{v:.4f}" for v in values]


def test_mediation_table_shows_every_model_row_summary_and_effect(
    capsys: pytest.CaptureFixture[str], study_csv: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    code, text, err = run(
        capsys, "mediation", str(study_csv), "--x", "fidelity", "--m", "alliance",
        "--y", "outcome", "--covariates", "age,pre", "--resamples", "300", "--seed", "2",
        "--ci-method", "bc", "--hc", "HC3",
    )  # fmt: skip
    res = stats.mediation(
        study["fidelity"], study["alliance"], study["outcome"],
        {"age": study["age"], "pre": study["pre"]},
        n_resamples=300, rng=2, ci_method="bc", hc="HC3",
    )  # fmt: skip
    assert (code, err) == (0, "")
    lines = text.splitlines()
    rows_m = ["constant", "fidelity", "age", "pre"]
    rows_y = ["constant", "fidelity", "alliance", "age", "pre"]
    titles = {
        "OUTCOME VARIABLE: alliance": (res.model_m, rows_m),
        "OUTCOME VARIABLE: outcome": (res.model_y, rows_y),
        "TOTAL EFFECT MODEL, OUTCOME VARIABLE: outcome": (res.model_total, rows_m),
    }
    for title, (model, labels) in titles.items():
        start = lines.index(title)
        assert lines[start + 1 : start + 3][0] == "  Model summary"
        assert lines[start + 2].split() == ["R", "R-sq", "MSE", "F", "df1", "df2", "p"]
        assert lines[start + 3].split() == [
            *fmt(model.r, model.r2, model.mse, model.f), str(model.df1), str(model.df2),
            *fmt(model.f_p),
        ]  # fmt: skip
        assert lines[start + 5].split() == ["coeff", "se", "t", "p", "LLCI", "ULCI"]
        for j, label in enumerate(labels):
            row = lines[start + 6 + j].split()
            assert row == [label, *fmt(model.coef[j], model.se[j], model.t[j], model.p[j],
                                       model.ci_low[j], model.ci_high[j])]  # fmt: skip
    effects = lines[lines.index("TOTAL, DIRECT AND INDIRECT EFFECTS OF X ON Y") :]
    total = effects[effects.index("  Total effect of X on Y") + 2].split()
    assert total == fmt(res.c, res.c_se, res.c_t, res.c_p,
                        res.model_total.ci_low[1], res.model_total.ci_high[1])  # fmt: skip
    direct = effects[effects.index("  Direct effect of X on Y") + 2].split()
    assert direct == fmt(res.c_prime, res.c_prime_se, res.c_prime_t, res.c_prime_p,
                         res.model_y.ci_low[1], res.model_y.ci_high[1])  # fmt: skip
    indirect = effects[effects.index("  Indirect effect of X on Y") + 2].split()
    assert indirect == ["alliance", *fmt(res.indirect, res.boot_se, res.ci_low, res.ci_high)]
    standardised = effects[
        effects.index("  Completely standardized indirect effect of X on Y") + 2
    ].split()
    assert standardised == [
        "alliance", *fmt(res.indirect_std, res.indirect_std_ci_low, res.indirect_std_ci_high)
    ]  # fmt: skip
    assert "  Standard errors: HC3 (heteroskedasticity-consistent)" in lines
    assert lines[-3] == "Level of confidence for all intervals: 95%"
    assert lines[-2] == "Bootstrap: 300 resamples of rows (pairs), bc interval, seed 2"
    assert lines[-1] == "  Resamples replaced (no variation in x or m): 0"


def test_mediation_footer_and_json_report_replaced_resamples(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gen = np.random.default_rng(6)
    rare = np.zeros(N)
    rare[[3, 50]] = 1.0
    alliance = 40 + 5 * rare + gen.normal(0, 6, N)
    columns = {"rare": rare, "alliance": alliance, "outcome": 0.1 * alliance + gen.normal(size=N)}
    path = write_csv(tmp_path / "rare.csv", columns, {})
    argv = ["mediation", str(path), "--x", "rare", "--m", "alliance", "--y", "outcome"]
    argv += ["--resamples", "1000", "--seed", "4"]
    res = stats.mediation(rare, alliance, columns["outcome"], n_resamples=1000, rng=4)
    assert res.n_replaced > 50
    code, text, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert text.splitlines()[-1] == (
        f"  Resamples replaced (no variation in x or m): {res.n_replaced}"
    )
    assert run_json(capsys, *argv)["n_replaced"] == res.n_replaced


def test_mediation_cluster_column_resamples_teams(
    capsys: pytest.CaptureFixture[str], study_csv: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    out = run_json(
        capsys, "mediation", str(study_csv), "--x", "fidelity", "--m", "alliance",
        "--y", "outcome", "--cluster", "team", "--resamples", "300", "--seed", "8",
    )  # fmt: skip
    with pytest.warns(UserWarning, match="only 9 clusters"):
        res = stats.mediation(
            study["fidelity"], study["alliance"], study["outcome"],
            n_resamples=300, rng=8, cluster=study["team"],
        )  # fmt: skip
    assert out["n_clusters"] == len(set(study["team"]))
    assert (out["ci_low"], out["ci_high"]) == (res.ci_low, res.ci_high)
    assert out["variables"]["cluster"] == "team"


def test_mediation_cluster_column_with_a_one_row_team_equals_the_library_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    study["team"][5] = "team-solo"
    path = write_csv(tmp_path / "solo.csv", study, {})
    out = run_json(
        capsys, "mediation", str(path), "--x", "fidelity", "--m", "alliance",
        "--y", "outcome", "--cluster", "team", "--resamples", "300", "--seed", "8",
    )  # fmt: skip
    res = stats.mediation(
        study["fidelity"], study["alliance"], study["outcome"],
        n_resamples=300, rng=8, cluster=study["team"].astype(str),
    )  # fmt: skip
    assert out["n_clusters"] == res.n_clusters == len(set(study["team"]))
    assert (out["ci_low"], out["ci_high"]) == (res.ci_low, res.ci_high)


def test_mediation_perfect_fit_is_flagged_in_the_table_and_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gen = np.random.default_rng(9)
    fidelity = gen.normal(30, 4, N)
    alliance = 40 + 0.6 * fidelity + gen.normal(0, 6, N)
    columns = {"fidelity": fidelity, "alliance": alliance, "total": fidelity + alliance}
    path = write_csv(tmp_path / "perfect.csv", columns, {})
    argv = ["mediation", str(path), "--x", "fidelity", "--m", "alliance", "--y", "total"]
    argv += ["--resamples", "100", "--seed", "1"]
    code, text, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    flagged = [line for line in text.splitlines() if line.startswith("Warning: ")]
    assert len(flagged) == 1
    assert (
        "essentially perfect fit of the model of --y column 'total' on --x column 'fidelity' "
        "and --m column 'alliance'"
    ) in flagged[0]
    assert "warnings.warn" not in text
    assert run_json(capsys, *argv)["warnings"] == [flagged[0].removeprefix("Warning: ")]


CLUSTERED = ["--x", "fidelity", "--m", "alliance", "--y", "outcome", "--covariates", "age",
             "--cluster", "team", "--resamples", "300", "--seed", "3"]  # fmt: skip


def clustered_result(study: dict[str, np.ndarray], **kwargs: Any) -> stats.MediationResult:
    with pytest.warns(UserWarning, match="only 9 clusters"):
        return stats.mediation(
            study["fidelity"], study["alliance"], study["outcome"], {"age": study["age"]},
            n_resamples=300, rng=3, cluster=study["team"], **kwargs,
        )  # fmt: skip


def test_mediation_cr2_and_wild_bootstrap_table_shows_settings_and_each_df(
    capsys: pytest.CaptureFixture[str], study_csv: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    code, text, err = run(
        capsys, "mediation", str(study_csv), *CLUSTERED, "--hc", "CR2", "--bootstrap", "wild",
        "--wild-weights", "rademacher", "--wild-scale", "none",
    )  # fmt: skip
    res = clustered_result(
        study, hc="CR2", bootstrap="wild", wild_weights="rademacher", wild_scale="none"
    )
    assert (code, err) == (0, "")
    lines = text.splitlines()
    assert "  Clusters: team (9)" in lines
    assert (
        "  Standard errors: CR2 (cluster-robust, Bell-McCaffrey; t on each coefficient's "
        "Satterthwaite df)"
    ) in lines
    titles = {
        "OUTCOME VARIABLE: alliance": (res.model_m, ["constant", "fidelity", "age"]),
        "OUTCOME VARIABLE: outcome": (res.model_y, ["constant", "fidelity", "alliance", "age"]),
    }
    for title, (model, labels) in titles.items():
        start = lines.index(title)
        assert lines[start + 3].split()[-2] == str(len(set(study["team"])) - 1)  # F's df2 = G - 1
        assert lines[start + 5].split() == ["coeff", "se", "t", "p", "LLCI", "ULCI", "df"]
        for j, label in enumerate(labels):
            assert lines[start + 6 + j].split() == [
                label, *fmt(model.coef[j], model.se[j], model.t[j], model.p[j],
                            model.ci_low[j], model.ci_high[j], model.df[j]),
            ]  # fmt: skip
    effects = lines[lines.index("TOTAL, DIRECT AND INDIRECT EFFECTS OF X ON Y") :]
    direct = effects[effects.index("  Direct effect of X on Y") + 2].split()
    assert direct == fmt(res.c_prime, res.c_prime_se, res.c_prime_t, res.c_prime_p,
                         res.c_prime_ci_low, res.c_prime_ci_high, res.c_prime_df)  # fmt: skip
    indirect = effects[effects.index("  Indirect effect of X on Y") + 2].split()
    assert indirect == ["alliance", *fmt(res.indirect, res.boot_se, res.ci_low, res.ci_high)]
    assert lines[-4] == (
        "Bootstrap: 300 wild cluster resamples (rademacher weights, unscaled residuals), "
        "percentile interval, seed 3"
    )


def test_mediation_cr1_table_shows_cluster_df_as_whole_numbers(
    capsys: pytest.CaptureFixture[str], study_csv: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    code, text, err = run(capsys, "mediation", str(study_csv), *CLUSTERED, "--hc", "CR1")
    res = clustered_result(study, hc="CR1")
    assert (code, err) == (0, "")
    lines = text.splitlines()
    assert "  Standard errors: CR1 (cluster-robust; t on G - 1 = 8 df)" in lines
    total = lines[lines.index("  Total effect of X on Y") + 2].split()
    assert total == [*fmt(res.c, res.c_se, res.c_t, res.c_p, res.c_ci_low, res.c_ci_high), "8"]
    assert lines[-4] == (
        "Bootstrap: 300 resamples of whole clusters (pairs), percentile interval, seed 3"
    )


def test_mediation_ols_table_names_its_standard_errors_and_shows_no_df_column(
    capsys: pytest.CaptureFixture[str], study_csv: Path
) -> None:
    code, text, _ = run(
        capsys, "mediation", str(study_csv), "--x", "fidelity", "--m", "alliance",
        "--y", "outcome", "--resamples", "50", "--seed", "1",
    )  # fmt: skip
    assert code == 0
    lines = text.splitlines()
    assert "  Standard errors: OLS" in lines
    assert ["coeff", "se", "t", "p", "LLCI", "ULCI"] in [line.split() for line in lines]
    assert not any(line.split()[-1:] == ["df"] for line in lines)


@pytest.mark.parametrize(("scale", "weights"), [("t", None), ("none", "webb")])
def test_mediation_json_of_the_wild_bootstrap_equals_the_library_result(
    capsys: pytest.CaptureFixture[str],
    study_csv: Path,
    study: dict[str, npt.NDArray[np.float64]],
    scale: str,
    weights: str | None,
) -> None:
    extra = ["--wild-scale", scale, *(["--wild-weights", weights] if weights else [])]
    out = run_json(
        capsys, "mediation", str(study_csv), *CLUSTERED, "--hc", "CR2", "--bootstrap", "wild",
        *extra,
    )  # fmt: skip
    res = clustered_result(
        study, hc="CR2", bootstrap="wild", wild_weights=weights, wild_scale=scale
    )
    want = cli_fields(res, "fidelity", "alliance", "outcome", ["age"])
    want["variables"]["cluster"] = "team"
    warnings = out.pop("warnings")
    assert out == {key: value for key, value in want.items() if key != "warnings"}
    assert len(warnings) == 1
    assert warnings[0].startswith("--cluster column 'team' has only 9 clusters")
    assert (out["hc"], out["bootstrap"], out["wild_weights"], out["wild_scale"]) == (
        "CR2", "wild", weights or "webb", scale
    )  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--hc", "CR2"], "error: --hc CR2 needs --cluster:"),
        (["--hc", "CR1"], "error: --hc CR1 needs --cluster:"),
        (["--bootstrap", "wild"], "error: --bootstrap wild needs --cluster:"),
        (["--cluster", "team", "--wild-weights", "webb"],
         "error: --wild-weights webb applies only to --bootstrap wild"),
        (["--cluster", "team", "--bootstrap", "pairs", "--wild-scale", "none"],
         "error: --wild-scale none applies only to --bootstrap wild"),
        (["--hc", "CR3"], "argument --hc: invalid choice: 'CR3'"),
        (["--cluster", "team", "--bootstrap", "wild", "--wild-scale", "z"],
         "argument --wild-scale: invalid choice: 'z'"),
    ],
)  # fmt: skip
def test_mediation_cluster_settings_errors_name_the_flags(
    capsys: pytest.CaptureFixture[str], study_csv: Path, extra: list[str], message: str
) -> None:
    argv = ["--x", "fidelity", "--m", "alliance", "--y", "outcome", "--resamples", "20"]
    code, out, err = run(capsys, "mediation", str(study_csv), *argv, *extra)
    assert (code, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1
    for argument in ("hc=", "cluster=", "bootstrap=", "wild_weights", "wild_scale"):
        assert argument not in err


# --- paired-t, alpha, icc -------------------------------------------------------------------


def test_paired_t_json_equals_the_library_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    path = write_csv(tmp_path / "prepost.csv", study, {"pre": [0], "outcome": [1, 2]})
    out = run_json(capsys, "paired-t", str(path), "--before", "pre", "--after", "outcome")
    before, after = study["pre"].copy(), study["outcome"].copy()
    before[0] = np.nan
    after[[1, 2]] = np.nan
    assert out == stats.paired_t(before, after).to_dict()
    assert out["n_dropped"] == 3


def test_paired_t_table_reports_the_test(
    capsys: pytest.CaptureFixture[str], study_csv: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    code, text, _ = run(capsys, "paired-t", str(study_csv), "--before", "pre", "--after", "outcome")
    res = stats.paired_t(study["pre"], study["outcome"])
    assert code == 0
    assert text.splitlines()[0] == "Paired t-test: outcome - pre"
    assert text.splitlines()[-1].split() == [
        f"{res.mean_diff:.4f}", f"{res.sd_diff:.4f}", f"{res.t:.4f}", str(res.df),
        f"{res.p:.4f}", f"{res.ci_low:.4f}", f"{res.ci_high:.4f}", f"{res.d_z:.4f}",
    ]  # fmt: skip


def test_json_has_null_for_an_unbounded_interval(
    capsys: pytest.CaptureFixture[str], study_csv: Path
) -> None:
    code, out, _ = run(
        capsys, "paired-t", str(study_csv), "--before", "pre", "--after", "outcome",
        "--alternative", "greater", "--json",
    )  # fmt: skip
    assert code == 0
    assert "Infinity" not in out
    assert json.loads(out)["ci_high"] is None


def test_alpha_by_items_or_by_prefix_gives_the_library_result(
    capsys: pytest.CaptureFixture[str], study_csv: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    by_items = run_json(capsys, "alpha", str(study_csv), "--items", "q1,q2,q3,q4")
    by_prefix = run_json(capsys, "alpha", str(study_csv), "--prefix", "q")
    res = stats.cronbach_alpha(np.column_stack([study[f"q{i}"] for i in range(1, 5)]))
    assert by_items == by_prefix == {**res.to_dict(), "items": ["q1", "q2", "q3", "q4"]}


def test_alpha_table_lists_alpha_if_item_deleted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    path = write_csv(tmp_path / "items.csv", study, {"q2": [4]})
    code, text, _ = run(capsys, "alpha", str(path), "--items", "q1, q2, q3")
    items = np.column_stack([study["q1"], study["q2"], study["q3"]])
    res = stats.cronbach_alpha(np.delete(items, 4, axis=0))
    assert code == 0
    assert f"n = {N - 1} (1 row with missing items dropped)" in text
    deleted = text.splitlines()[-3:]
    assert [line.split() for line in deleted] == [
        [name, f"{a:.4f}"] for name, a in zip(["q1", "q2", "q3"], res.alpha_if_deleted, strict=True)
    ]


def test_icc_json_equals_the_library_result_after_dropping_incomplete_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    path = write_csv(tmp_path / "teams.csv", study, {"team": [0, 1], "outcome": [2]})
    out = run_json(capsys, "icc", str(path), "--value", "outcome", "--group", "team")
    res = stats.icc(study["outcome"][3:], study["team"][3:].astype(str))
    assert out == {**res.to_dict(), "n_dropped": 3}


def test_icc_table_shows_anova_and_both_iccs(
    capsys: pytest.CaptureFixture[str], study_csv: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    code, text, _ = run(capsys, "icc", str(study_csv), "--value", "outcome", "--group", "team")
    res = stats.icc(study["outcome"], study["team"].astype(str))
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines()[4:] if line.strip()}
    assert code == 0
    assert rows["Between"] == [
        str(res.df_between),
        *(f"{v:.4f}" for v in (res.ms_between, res.f, res.p)),
    ]
    assert rows["Within"] == [str(res.df_within), f"{res.ms_within:.4f}"]
    assert rows["ICC(1)"] == [f"{res.icc1:.4f}"]
    assert rows["ICC(2)"] == [f"{res.icc2:.4f}"]


def test_na_dot_and_empty_cells_are_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "missing.csv"
    path.write_text("pre,post\n1,2\nNA,3\n2,.\n3,\n4,6\n5,5.5\n", encoding="utf-8")
    out = run_json(capsys, "paired-t", str(path), "--before", "pre", "--after", "post")
    assert (out["n"], out["n_dropped"]) == (3, 3)


# --- errors ---------------------------------------------------------------------------------


MEDIATION = ["mediation", "{csv}", "--x", "fidelity", "--m", "alliance", "--y", "outcome"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["icc", "{csv}", "--value", "score", "--group", "team"],
         "study.csv: no column 'score' (given to --value)"),
        (["paired-t", "{csv}", "--before", "team", "--after", "pre"],
         "study.csv: --before column 'team' is not numeric: row 1 has 'team-"),
        (["alpha", "{csv}", "--items", "q1"], "--items needs at least two columns"),
        (["alpha", "{csv}", "--prefix", "z"], "study.csv: no column starts with 'z' (--prefix)"),
        ([*MEDIATION, "--covariates", "age,age2"], "no column 'age2' (given to --covariates)"),
        ([*MEDIATION, "--seed", "-3"], "argument --seed: must be at least 0, got -3"),
        ([*MEDIATION, "--seed", "one"], "argument --seed: expected a whole number, got 'one'"),
        ([*MEDIATION, "--resamples", "0"], "argument --resamples: must be at least 1, got 0"),
        ([*MEDIATION, "--confidence-level", "95"],
         "argument --confidence-level: must be between 0 and 1 (0.95 for 95%), got 95"),
        ([*MEDIATION, "--cluster", "tema"], "no column 'tema' (given to --cluster)"),
        (["mediation", "{csv}", "--x", "fidelity", "--m", "fidelity", "--y", "outcome"],
         "--m column 'fidelity' is a linear combination of the intercept and --x column "
         "'fidelity'"),
        (["mediation", "{csv}", "--x", "fidelity", "--m", "alliance"],
         "the following arguments are required: --y"),
        (["paired-t", "{csv}", "--before", "pre", "--after", "outcome", "--confidence-level",
          "95"], "argument --confidence-level: must be between 0 and 1"),
        (["alpha", "{csv}", "--items", "q1,q2", "--prefix", "q"], "not allowed with argument"),
        (["regress", "{csv}"], "invalid choice: 'regress'"),
        (["icc", "{missing}", "--value", "a", "--group", "b"], "cannot read"),
    ],
)  # fmt: skip
def test_bad_input_prints_one_error_line_and_exits_2(
    capsys: pytest.CaptureFixture[str], study_csv: Path, argv: list[str], message: str
) -> None:
    filled = [
        a.replace("{csv}", str(study_csv)).replace("{missing}", str(study_csv) + ".gone")
        for a in argv
    ]
    code, out, err = run(capsys, *filled)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert message in err


def test_constant_column_error_from_the_library_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, study: dict[str, npt.NDArray[np.float64]]
) -> None:
    study = {**study, "age": np.full(N, 40.0)}
    path = write_csv(tmp_path / "flat.csv", study, {})
    code, _, err = run(
        capsys, "mediation", str(path), "--x", "fidelity", "--m", "alliance", "--y", "outcome",
        "--covariates", "age", "--resamples", "100",
    )  # fmt: skip
    assert code == 2
    assert err == "error: --covariates column 'age' is constant (every value is 40)\n"


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["paired-t", "--help"]) == 0
    assert "--before" in capsys.readouterr().out


# --- console script -------------------------------------------------------------------------


def test_tandem_console_script_runs_analyze(study_csv: Path) -> None:
    script = Path(sys.executable).with_name("tandem")
    assert script.exists(), "install the package (make test does) to get the tandem script"
    completed = subprocess.run(  # noqa: S603 - fixed arguments, our own script
        [str(script), "analyze", "icc", str(study_csv), "--value", "outcome", "--group", "team",
         "--json"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["n"] == N
