"""``tandem audit verify``: walk the HMAC chain and report the first broken link."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks that no event was edited or removed."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("subcommand", choices=["verify"])

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.is_intact:
            self.stdout.write(f"audit chain intact: {result.checked} events verified")
            return
        where = f"event {result.first_broken_id}" if result.first_broken_id else "the chain"
        raise CommandError(
            f"audit chain broken at {where}: {result.problem} ({result.checked} events checked)",
            returncode=1,
        )
