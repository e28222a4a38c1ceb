"""``tandem qda ...``: qualitative projects from the command line, with the pages' services.

Each subcommand's code lives in its own module; this command only dispatches.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from typing_extensions import override

from tandem.qualitative import cli_agreement


class Command(BaseCommand):
    help = "Qualitative projects: 'agreement PROJECT' prints the agreement between coders."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        cli_agreement.add_arguments(
            subcommands.add_parser(
                "agreement", help="Cohen's kappa per code and overall, Krippendorff's alpha"
            )
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "agreement":
            cli_agreement.run(self, options)
