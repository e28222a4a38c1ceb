"""The report pieces of an analysis run: diagram, tables, methods paragraph, runs over time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date

import pytest
from django.utils import translation

from tandem.research.analysis import pipeline
from tandem.research.analysis.pipeline import run_analysis
from tandem.research.analysis.report import (
    RunPoint,
    indirect_over_time,
    methods_paragraph,
    path_diagram_svg,
    power_table,
    r2_change_table,
    regression_tables,
    reliability_table,
    sample_size_table,
    warning_texts,
)
from tandem.research.analysis.result import AnalysisResult, AnalysisWarning
from tandem.research.analysis.settings import AnalysisSettings
from tandem.synth import ITEMS, smcm_study
from tests.research.smcm_frame import long_frame, rprs_0_100


@pytest.fixture(scope="module")
def result() -> Iterator[AnalysisResult]:
    settings = AnalysisSettings(
        mediator_instrument="rprs",
        mediator_wave="m4_5",
        outcome_instrument="qoli20",
        outcome_wave="m9",
        baseline_wave="baseline",
        covariates=("age_years", "gender"),
        imputations=0,
        resamples=200,
        seed=4,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "POWER_SIMS", 40)
        patch.setattr(pipeline, "POWER_RESAMPLES", 100)
        yield run_analysis(
            long_frame(smcm_study(n_clients=311, rng=3)),
            settings,
            mediator_scoring=rprs_0_100,
            mediator_items=ITEMS,
        )


def svg_text(svg: str) -> str:
    root = ET.fromstring(svg)  # noqa: S314  # our own drawing, not outside input
    return " ".join("".join(root.itertext()).split())


def test_path_diagram_is_svg_with_the_paths_as_text(result: AnalysisResult) -> None:
    svg = path_diagram_svg(result)

    text = svg_text(svg)
    assert svg.startswith("<svg")
    for value in (result.a.estimate, result.b.estimate, result.c_prime.estimate):
        assert f"{value:.3f}" in text
    assert f"{result.indirect.ci_low:.3f}" in text
    assert f"{result.indirect.ci_high:.3f}" in text
    assert f"{result.indirect.std:.3f}" in text


def test_path_diagram_numbers_use_the_callers_format(result: AnalysisResult) -> None:
    def comma(value: float, decimals: int) -> str:
        return f"{value:.{decimals}f}".replace(".", ",")

    text = svg_text(path_diagram_svg(result, number=comma))

    assert f"{result.a.estimate:.3f}".replace(".", ",") in text


def test_path_diagram_is_the_same_for_the_same_result(result: AnalysisResult) -> None:
    assert path_diagram_svg(result) == path_diagram_svg(result)


def test_regression_tables_carry_every_coefficient(result: AnalysisResult) -> None:
    tables = regression_tables(result)

    assert len(tables) == 3
    outcome = tables[1]
    assert len(outcome.rows) == len(result.model("outcome").rows)
    assert all(len(row) == len(outcome.columns) for row in outcome.rows)
    assert "gender=woman" in [row[0] for row in outcome.rows]
    assert f"{result.b.estimate:.3f}" in [row[1] for table in tables for row in table.rows]
    assert "R²" in outcome.note


def test_step_tables_hold_the_numbers(result: AnalysisResult) -> None:
    sizes = sample_size_table(result)
    assert (str(result.n.enrolled)) in [row[1] for row in sizes.rows]
    assert len(r2_change_table(result).rows) == 3
    assert len(reliability_table(result).rows) == 3
    assert len(power_table(result).rows) == 3


def test_methods_paragraph_says_what_was_run(result: AnalysisResult) -> None:
    text = methods_paragraph(result)

    assert "PROCESS model 4" in text
    assert "180 days" in text
    assert f"{result.n.used} complete cases" in text
    assert "200 bootstrap resamples" in text
    assert "seed 4" in text
    assert "CR2" in text


def test_warnings_are_put_into_words(result: AnalysisResult) -> None:
    warned = AnalysisResult.from_dict(
        {
            **result.to_dict(),
            "warnings": [
                {"code": "few_teams", "params": {"teams": 4}},
                {"code": "low_power", "params": {"n": 80, "power": 0.41}},
            ],
        }
    )

    texts = warning_texts(warned)

    assert texts[0].startswith("Only 4 teams")
    assert "0.41" in texts[1]
    assert warned.warnings[0] == AnalysisWarning("few_teams", {"teams": 4})


def test_report_pieces_follow_the_active_language(result: AnalysisResult) -> None:
    with translation.override("fr"):
        text = methods_paragraph(result)
    assert text


def test_indirect_over_time_draws_each_run_and_lists_it() -> None:
    points = [
        RunPoint("Q2", date(2026, 6, 30), 0.07, 0.01, 0.14, 290),
        RunPoint("Q1", date(2026, 3, 31), 0.05, -0.01, 0.12, 270),
    ]

    svg, table = indirect_over_time(points)

    assert [row[0] for row in table.rows] == ["Q1", "Q2"]
    text = svg_text(svg)
    assert "2026-03-31" in text
    assert "2026-06-30" in text


def test_indirect_over_time_without_runs_draws_nothing() -> None:
    svg, table = indirect_over_time([])

    assert svg == ""
    assert table.rows == []
