"""The context of a run's report (the HTML page and its PDF), and the study's runs over time.

Numbers go through ``django.utils.formats.number_format``, so the report reads in the reader's
language (a decimal comma in French). Everything shown is an aggregate of the analysis.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format

from tandem.research.analysis import report
from tandem.research.analysis.result import AnalysisResult
from tandem.research.models import COVARIATE_LABELS, AnalysisRun


def localised_number(value: float, decimals: int) -> str:
    """A number in the active language's format; a dash when it is missing."""
    if not math.isfinite(value):
        return report.DASH
    return str(number_format(value, decimal_pos=decimals))


def result_of(run: AnalysisRun) -> AnalysisResult | None:
    """The run's stored result, or None before it is done."""
    if not run.result:
        return None
    return AnalysisResult.from_dict(run.result)


def report_context(run: AnalysisRun) -> dict[str, Any]:
    """The pieces of the report of a finished run (an empty dict before it is done)."""
    result = result_of(run)
    if result is None:
        return {}
    number = localised_number
    terms = {name: str(label) for name, label in COVARIATE_LABELS.items()}
    indirect = result.indirect
    paths = [
        ("a", result.a),
        ("b", result.b),
        ("c\u2032", result.c_prime),
        ("c", result.c),
    ]
    return {
        "result": result,
        "diagram": report.path_diagram_svg(result, number=number),
        "path_rows": [
            (
                symbol,
                number(path.estimate, 3),
                number(path.se, 3),
                number(path.p, 3),
                f"[{number(path.ci_low, 3)}, {number(path.ci_high, 3)}]",
            )
            for symbol, path in paths
        ],
        "indirect_row": (
            number(indirect.estimate, 3),
            number(indirect.boot_se, 3),
            f"[{number(indirect.ci_low, 3)}, {number(indirect.ci_high, 3)}]",
            number(indirect.std, 3),
            f"[{number(indirect.std_ci_low, 3)}, {number(indirect.std_ci_high, 3)}]",
        ),
        "tables": report.regression_tables(result, number=number, term_labels=terms),
        "sizes": report.sample_size_table(result),
        "reliability": report.reliability_table(result, number=number),
        "r2_change": report.r2_change_table(result, number=number),
        "power": report.power_table(result, number=number),
        "methods": report.methods_paragraph(result),
        "warnings": report.warning_texts(result, number=number),
    }


def over_time(runs: list[AnalysisRun]) -> tuple[str, report.TableView]:
    """The indirect effect and its interval across the finished runs: chart and table."""
    points = []
    for run in runs:
        result = result_of(run)
        if result is None:
            continue
        when = run.finished_at or run.requested_at
        points.append(
            report.RunPoint(
                label=f"#{run.number}",
                when=timezone.localdate(when),
                estimate=result.indirect.estimate,
                ci_low=result.indirect.ci_low,
                ci_high=result.indirect.ci_high,
                n=result.n.used,
            )
        )
    return report.indirect_over_time(points, number=localised_number)
