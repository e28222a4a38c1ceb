"""Charts: drawn once per data version, never as empty axes, legends beside the plot."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from matplotlib.figure import Figure

from tandem.core import figures
from tandem.core.figures import legend_outside, new_figure
from tandem.dashboards import charts, team_charts
from tandem.dashboards.charts import Panel


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def drawings(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Every figure drawn to SVG by the team charts."""
    drawn: list[Figure] = []
    real = figures.to_svg

    def counting(figure: Figure) -> str:
        drawn.append(figure)
        return real(figure)

    monkeypatch.setattr(team_charts, "to_svg", counting)
    return drawn


POINTS = [("2026 Q1", 3.0), ("2026 Q2", 4.0)]


def test_the_same_numbers_are_drawn_once(drawings: list[Figure]) -> None:
    first = team_charts.quarterly_means("RPRS", POINTS)
    second = team_charts.quarterly_means("RPRS", POINTS)
    assert first == second
    assert "<svg" in first
    assert len(drawings) == 1


def test_new_numbers_are_drawn_again(drawings: list[Figure]) -> None:
    team_charts.quarterly_means("RPRS", POINTS)
    team_charts.quarterly_means("RPRS", [*POINTS, ("2026 Q3", 5.0)])
    assert len(drawings) == 2


def test_a_chart_is_drawn_again_in_another_language(drawings: list[Figure]) -> None:
    bars = [("Caseload", 0.5, False)]
    with translation.override("en"):
        team_charts.indicator_bars(bars)
    with translation.override("fr"):
        team_charts.indicator_bars(bars)
    assert len(drawings) == 2


def test_bars_that_are_all_zero_or_suppressed_are_not_drawn() -> None:
    assert charts.bar_chart(["a", "b"], {"Goals": [0, 0]}) == ""
    assert charts.bar_chart(["a", "b"], {"Goals": ["<5", None]}) == ""
    assert "<svg" in charts.bar_chart(["a", "b"], {"Goals": [0, 2]})


def test_a_line_chart_without_a_value_is_not_drawn() -> None:
    assert charts.line_chart({"RPRS": [(date(2026, 1, 1), None)]}) == ""


def test_quarters_all_suppressed_are_not_drawn() -> None:
    assert team_charts.quarterly_means("RPRS", [("2026 Q1", None), ("2026 Q2", None)]) == ""


def test_the_legend_sits_outside_the_plot_area() -> None:
    figure = new_figure()
    axes = figure.subplots()
    axes.plot([0, 1, 2], [1, 3, 2], label="one")
    axes.plot([0, 1, 2], [2, 1, 3], label="two")
    legend_outside(axes)
    figure.canvas.draw()
    legend = axes.get_legend()
    assert legend is not None
    box = legend.get_window_extent()
    plot = axes.get_window_extent()
    assert box.x0 >= plot.x1  # wholly to the right of the data


def test_an_empty_chart_is_replaced_by_its_sentence() -> None:
    panel = Panel(
        title="Goals", svg="", columns=("Status",), empty_text="Add goals on the plan page."
    )
    html = render_to_string(
        "dashboards/_panel.html", {"panel": panel, "panel_id": 1, "forloop": {"counter": 1}}
    )
    assert "<svg" not in html
    assert "Add goals on the plan page." in html
    assert "data-chart-empty" in html


def test_a_table_only_panel_says_nothing_about_a_chart() -> None:
    panel = Panel(title="Moved", svg="", columns=("Indicator",), has_chart=False)
    html = render_to_string(
        "dashboards/_panel.html", {"panel": panel, "panel_id": 1, "forloop": {"counter": 1}}
    )
    assert "data-chart-empty" not in html


def test_a_panel_without_its_own_sentence_says_why_and_what_to_do() -> None:
    assert "Choose a longer period" in Panel(title="t", svg="", columns=()).chart_note


def test_rows_link_to_what_they_are_about() -> None:
    panel = Panel(
        title="Reviews", svg="", columns=("Review",), rows=[("1 May",)], row_links=("/r/1/",)
    )
    html = render_to_string(
        "dashboards/_panel.html", {"panel": panel, "panel_id": 1, "forloop": {"counter": 1}}
    )
    assert '<a href="/r/1/">1 May</a>' in html
