"""``tandem fidelity indicators [--day YYYY-MM-DD] [--backfill-days N] [--enqueue]``.

Computes every team's continuous fidelity indicators for the day (today by default) now, or
with ``--enqueue`` hands the same run to the background worker. ``--backfill-days N`` also
recomputes the N days before the day, one week apart, for the twelve-week history.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.fidelity.tasks import nightly_indicators


def _iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--day must be a date as YYYY-MM-DD, got {text!r}") from None


class Command(BaseCommand):
    help = (
        "Fidelity: 'indicators' computes every team's indicators for --day (default today), "
        "with --backfill-days N the weeks before it too; --enqueue hands it to the worker."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("subcommand", choices=["indicators"])
        parser.add_argument("--day", help="the day to compute, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--backfill-days",
            type=int,
            default=0,
            help="also recompute this many days before the day, one week apart",
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="enqueue the run for the background worker"
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        day = None if options["day"] is None else _iso_day(options["day"]).isoformat()
        backfill_days: int = options["backfill_days"]
        if backfill_days < 0:
            raise CommandError(f"--backfill-days must be 0 or more, got {backfill_days}")
        if options["enqueue"]:
            result = nightly_indicators.enqueue(day=day, backfill_days=backfill_days)
            self.stdout.write(f"enqueued fidelity indicators run {result.id}")
            return
        outcome = nightly_indicators.call(day=day, backfill_days=backfill_days)
        self.stdout.write(
            f"fidelity indicators for {outcome['day']}: {outcome['rows_written']} values written"
        )
