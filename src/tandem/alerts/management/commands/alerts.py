"""``tandem alerts evaluate [--enqueue]``: evaluate the alert rules for every team.

Without ``--enqueue`` the run happens now and prints what it did; with it, the nightly task is
handed to the background worker. Run it once a night after ``tandem measures nightly``.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from typing_extensions import override

from tandem.alerts.services import evaluate_alerts
from tandem.alerts.tasks import nightly_alerts


class Command(BaseCommand):
    help = (
        "Alerts: 'evaluate' opens, resolves and escalates alerts now; with --enqueue it hands the "
        "run to the background worker."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("subcommand", choices=["evaluate"])
        parser.add_argument(
            "--enqueue", action="store_true", help="run in the background worker instead of now"
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = nightly_alerts.enqueue()
            self.stdout.write(f"enqueued nightly alerts run {result.id}")
            return
        counts = evaluate_alerts()
        self.stdout.write(" ".join(f"{name}={value}" for name, value in counts.items()))
