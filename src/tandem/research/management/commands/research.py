"""``tandem research run STUDY [--seed N] [--json] [--as EMAIL]``: the study's analysis, now.

Each subcommand uses the same services as the pages.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.research.runs.cli import add_run_arguments, run_command


class Command(BaseCommand):
    help = "Research: 'run STUDY' runs the study's analysis now and prints its summary."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        add_run_arguments(commands.add_parser("run", help="run the study's analysis now"))

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "run":
            run_command(options, self.stdout)
            return
        raise CommandError(f"unknown subcommand {options['subcommand']}")
