"""``tandem research export ...``: research at the command line.

Each subcommand keeps its code in its own module (``tandem.research.cli_export``) and uses the
pages' services; this command only dispatches to them.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from typing_extensions import override

from tandem.research import cli_export


class Command(BaseCommand):
    help = (
        "Research studies: 'export STUDY --format csv|sav|parquet --out DIR [--as EMAIL]' "
        "writes the study's de-identified data set."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        cli_export.add_arguments(
            subcommands.add_parser("export", help="export a study's de-identified data set")
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "export":
            cli_export.run(self, options)
