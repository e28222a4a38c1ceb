"""The nightly indicators task and ``tandem fidelity indicators``."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tandem.cli import main
from tandem.fidelity.indicators import INDICATORS
from tandem.fidelity.models import IndicatorValue
from tandem.fidelity.tasks import nightly_indicators
from tests.factories import EpisodeFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams() -> None:
    EpisodeFactory.create()
    TeamFactory.create()


def test_the_nightly_task_computes_today_for_every_team(two_teams: None) -> None:
    result = nightly_indicators.enqueue()
    today = timezone.localdate()
    # Two teams x every indicator, plus the one worker's caseload and supervision rows.
    assert result.return_value == {
        "day": today.isoformat(),
        "rows_written": 2 * len(INDICATORS) + 2,
    }
    assert set(IndicatorValue.objects.values_list("day", flat=True)) == {today}


def test_the_nightly_task_backfills_weekly_before_the_day(two_teams: None) -> None:
    day = timezone.localdate() - timedelta(days=1)
    nightly_indicators.enqueue(day=day.isoformat(), backfill_days=14)
    days = set(IndicatorValue.objects.values_list("day", flat=True))
    assert days == {day - timedelta(days=14), day - timedelta(days=7), day}


def test_the_command_computes_the_given_day_now(two_teams: None) -> None:
    out = StringIO()
    call_command("fidelity", "indicators", "--day", "2026-01-31", stdout=out)
    assert "2026-01-31" in out.getvalue()
    assert set(IndicatorValue.objects.values_list("day", flat=True)) == {date(2026, 1, 31)}


def test_the_command_backfills_weeks(two_teams: None) -> None:
    call_command(
        "fidelity", "indicators", "--day", "2026-01-31", "--backfill-days", "7", stdout=StringIO()
    )
    assert IndicatorValue.objects.values("day").distinct().count() == 2


def test_the_command_enqueues_the_task(two_teams: None) -> None:
    out = StringIO()
    call_command("fidelity", "indicators", "--enqueue", stdout=out)
    assert out.getvalue().startswith("enqueued fidelity indicators run")
    # The test settings run enqueued tasks at once.
    assert IndicatorValue.objects.filter(day=timezone.localdate()).exists()


def test_the_command_names_a_malformed_day() -> None:
    with pytest.raises(CommandError, match="--day"):
        call_command("fidelity", "indicators", "--day", "31/01/2026")


def test_the_command_refuses_negative_backfill() -> None:
    with pytest.raises(CommandError, match="--backfill-days"):
        call_command("fidelity", "indicators", "--backfill-days", "-3")


def test_the_tandem_console_script_runs_the_command(
    two_teams: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fidelity", "indicators", "--day", "2026-01-31"]) == 0
    assert "values written" in capsys.readouterr().out
