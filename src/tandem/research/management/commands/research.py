"""``tandem research export|run ...``: research at the command line.

``export STUDY --format csv|sav|parquet --out DIR [--as EMAIL]`` writes the study's de-identified
data set; ``run STUDY [--seed N] [--json] [--as EMAIL]`` runs the study's analysis now. Each
subcommand keeps its code in its own module and uses the pages' services; this command only
dispatches to them.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.research import cli_export
from tandem.research.runs.cli import add_run_arguments, run_command


class Command(BaseCommand):
    help = (
        "Research studies: 'export STUDY --format csv|sav|parquet --out DIR [--as EMAIL]' "
        "writes the study's de-identified data set; 'run STUDY [--seed N] [--json]' runs the "
        "study's analysis now and prints its summary."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        cli_export.add_arguments(
            subcommands.add_parser("export", help="export a study's de-identified data set")
        )
        add_run_arguments(subcommands.add_parser("run", help="run the study's analysis now"))

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "export":
            cli_export.run(self, options)
            return
        if options["subcommand"] == "run":
            run_command(options, self.stdout)
            return
        raise CommandError(f"unknown subcommand {options['subcommand']}")
