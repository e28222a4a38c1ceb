"""``tandem qda import|export|agreement ...``: qualitative projects at the command line.

Each subcommand keeps its code in its own module (``tandem.qualitative.cli_exchange``,
``tandem.qualitative.cli_agreement``) and uses the pages' services; this command only
dispatches to them.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from typing_extensions import override

from tandem.qualitative import cli_agreement, cli_exchange


class Command(BaseCommand):
    help = (
        "Qualitative projects: 'import FILE.qdpx --agency SLUG' starts a project from a "
        "REFI-QDA file; 'export PROJECT OUT.qdpx' writes one; 'agreement PROJECT' prints the "
        "agreement between coders."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        cli_exchange.add_import_arguments(subcommands.add_parser("import", help="import a .qdpx"))
        cli_exchange.add_export_arguments(subcommands.add_parser("export", help="export a .qdpx"))
        cli_agreement.add_arguments(
            subcommands.add_parser(
                "agreement", help="Cohen's kappa per code and overall, Krippendorff's alpha"
            )
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            cli_exchange.run_import(self, options)
        elif options["subcommand"] == "export":
            cli_exchange.run_export(self, options)
        elif options["subcommand"] == "agreement":
            cli_agreement.run(self, options)
