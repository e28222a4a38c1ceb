"""Labels drawn from data (team, client, instrument names) are text, never matplotlib mathtext.

Issue 11, finding 9: a ``$`` in a team name made matplotlib parse the label as mathtext, and a
label it could not parse (``$$``, ``$x^$``) failed the whole dashboard.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem import stats
from tandem.dashboards import charts, team_charts
from tandem.dashboards.client_fidelity import MeasurementExposure, _exposure_chart
from tandem.measures.history import HistoryRow, _chart
from tandem.measures.models import EnteredVia, Response
from tests.conftest import LoginAs, World
from tests.dashboards.factories import DOMAIN_CODES, final_review, scale_with_domains

START, END = date(2026, 1, 5), date(2026, 6, 1)
DAYS = [date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 6)]


def _exposure(name: str) -> str:
    series = stats.interpolate_daily([START, END], [24.0, 30.0], start=START, end=END)
    exposure = MeasurementExposure(
        completed_on=DAYS[-1],
        instrument_code="rprs",
        instrument_title="RPRS",
        team_id=1,
        team_name=name,
        by_window={90: 27.0, 180: 26.0, 270: 25.5},
    )
    return _exposure_chart([exposure], {1: series})


def _history(name: str) -> str:
    rows = [
        HistoryRow(datetime.combine(day, time(12)), {name: 10.0 + i}) for i, day in enumerate(DAYS)
    ]
    return _chart(name, (name,), rows)


# Every kind of chart a page draws, each given ``name`` wherever it takes text from data.
CHARTS: dict[str, Callable[[str], str]] = {
    "bars": lambda name: charts.bar_chart(
        [name, "B"], {name: [3, 4], "other": [1, None]}, title=name, ylabel=name
    ),
    "stacked horizontal bars": lambda name: charts.bar_chart(
        [name], {name: [1], "x": [2]}, stacked=True, horizontal=True, ylabel=name
    ),
    "lines": lambda name: charts.line_chart(
        {name: [(DAYS[0], 1.0), (DAYS[1], 2.0)], "other": [(DAYS[2], 3.0)]},
        title=name,
        ylabel=name,
    ),
    "fidelity domains": lambda name: team_charts.domain_small_multiples(
        [(name, [(DAYS[0], 3.0), (DAYS[1], 4.0)])], start=START, end=END
    ),
    "indicator bars": lambda name: team_charts.indicator_bars([(name, 0.5, False), ("b", 1, True)]),
    "quarterly means": lambda name: team_charts.quarterly_means(
        name, [(name, 3.0), ("2026 Q2", None), ("2026 Q3", 4.0)]
    ),
    # Its labels are fixed text; drawn here so that every kind of chart is covered.
    "fidelity over time": lambda name: team_charts.fidelity_chart(
        reviews=[(DAYS[0], 30.0, False), (DAYS[2], 33.0, True)],
        line=[(DAYS[0], 30.0), (DAYS[2], 33.0)],
        threshold=32.0,
        start=START,
        end=END,
    ),
    "team fidelity before measurements": _exposure,
    "score history": _history,
}


# Any text, and text made mostly of mathtext's own characters, where a crash hides.
NAMES = st.text(max_size=40) | st.text(alphabet="$^_{}\\ax1 ", max_size=12)
# Names in any script: a character DejaVu Sans lacks is drawn as a box, with a warning.
MISSING_GLYPH = "ignore:Glyph .* missing from font"


@pytest.mark.filterwarnings(MISSING_GLYPH)
@pytest.mark.parametrize("kind", list(CHARTS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES)
def test_every_chart_draws_any_name(kind: str, name: str) -> None:
    svg = CHARTS[kind](name)
    assert svg.startswith("<svg")


@pytest.mark.parametrize("name", ["$$", "$x^$", "A$1 team $", "$\\frac{", "$x^2$"])
@pytest.mark.parametrize("kind", list(CHARTS))
def test_every_chart_draws_names_mathtext_cannot_parse(kind: str, name: str) -> None:
    assert CHARTS[kind](name).startswith("<svg")


def _glyphs(svg: str, label: str) -> list[str]:
    """The glyphs drawn for one label (matplotlib writes each label as a comment, then glyphs)."""
    start = svg.index(f"<!-- {label} -->")
    return re.findall(r'<use xlink:href="#([^"]+)"', svg[start : svg.index("</g>", start)])


def test_a_dollar_label_is_drawn_character_by_character() -> None:
    svg = charts.bar_chart(["B"], {"n": [3]}, title="$x^2$")
    glyphs = _glyphs(svg, "$x^2$")
    # Five characters, five glyphs, in the upright face; mathtext would draw an italic x and a
    # raised 2, and no dollar sign.
    assert len(glyphs) == 5
    assert glyphs[0] == glyphs[4]
    assert not any("Oblique" in glyph for glyph in glyphs)


@pytest.mark.django_db
def test_a_client_dashboard_shows_a_team_whose_name_has_dollar_signs(
    world: World,
    login_as: LoginAs,
) -> None:
    world.team.name = "$x^$ team"
    world.team.save()
    today = timezone.localdate()
    scale = scale_with_domains(world.team)
    for days_ago, total in {300: 22.0, 100: 31.0}.items():
        final_review(
            world.team,
            scale,
            today - timedelta(days=days_ago),
            dict.fromkeys(DOMAIN_CODES, total / len(DOMAIN_CODES)),
        )
    for days_ago, total in {60: 80.0, 5: 91.0}.items():
        Response.objects.create(
            client=world.own_client,
            episode=world.own_client.episodes.get(),
            instrument_code="rprs",
            instrument_version="1",
            scores={"total": total, "total_0_100": 50.0},
            entered_via=EnteredVia.WORKER,
            completed_at=timezone.make_aware(
                datetime.combine(today - timedelta(days=days_ago), time(10))
            ),
        )
    response = login_as(world.case_manager).get(
        reverse("dashboards:client_dashboard", args=[world.own_client.pk])
    )
    assert response.status_code == 200
    assert "<!-- $x^$ team: daily total -->" in response.content.decode()


def test_table_cells_follow_the_readers_number_format() -> None:
    from django.utils import translation

    from tandem.dashboards.templatetags.dashboard_panels import cell

    with translation.override("fr"):
        assert cell(70.8) == "70,8"
        assert cell(4.0) == "4"
        assert cell(None) == "—"
        assert cell("<5") == "<5"
    with translation.override("en"):
        assert cell(70.84) == "70.8"
