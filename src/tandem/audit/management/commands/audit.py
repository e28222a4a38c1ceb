"""``tandem audit verify`` and ``tandem audit checkpoint``: check the HMAC chain, and keep a
signed copy of its head outside the database for later checks to compare with."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.audit.chain import CheckpointError
from tandem.audit.checkpoints import (
    latest_checkpoint,
    take_checkpoint,
    write_checkpoint,
)
from tandem.audit.services import AuditKeyError, verify_chain

# Exit codes: 1 the chain (or a checkpoint) does not hold; 2 the command cannot judge it
# (no key, another key, nowhere to write, unreadable file).
BROKEN = 1
CANNOT_RUN = 2


class Command(BaseCommand):
    help = (
        "Audit log tools. 'verify' checks that no event was edited or removed; 'checkpoint' "
        "appends a signed copy of the chain head to AUDIT_CHECKPOINT_FILE and/or the log."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("subcommand", choices=["verify", "checkpoint"])
        parser.add_argument(
            "--checkpoint",
            metavar="PATH",
            help="verify: compare with the newest checkpoint in PATH "
            "(default: AUDIT_CHECKPOINT_FILE)",
        )
        parser.add_argument(
            "--file",
            metavar="PATH",
            help="checkpoint: append to PATH (default: AUDIT_CHECKPOINT_FILE)",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "checkpoint":
                self._checkpoint(options["file"] or settings.AUDIT_CHECKPOINT_FILE)
            else:
                self._verify(options["checkpoint"])
        except AuditKeyError as exc:
            raise CommandError(str(exc), returncode=CANNOT_RUN) from None
        except OSError as exc:
            raise CommandError(
                f"audit checkpoint file {exc.filename}: {exc.strerror}", returncode=CANNOT_RUN
            ) from None

    def _verify(self, named_path: str | None) -> None:
        path = named_path or settings.AUDIT_CHECKPOINT_FILE
        try:
            checkpoint = latest_checkpoint(Path(path)) if path else None
        except CheckpointError as exc:
            raise CommandError(f"audit checkpoint: {exc}", returncode=BROKEN) from None
        if named_path and checkpoint is None:
            raise CommandError(f"no audit checkpoint in {named_path}", returncode=CANNOT_RUN)
        result = verify_chain(checkpoint=checkpoint)
        if not result.is_intact:
            where = f" at event {result.first_broken_id}" if result.first_broken_id else ""
            raise CommandError(
                f"audit chain broken{where}: {result.problem} ({result.checked} events checked)",
                returncode=BROKEN,
            )
        line = f"audit chain intact: {result.checked} events verified"
        if checkpoint is not None:
            line += f", consistent with the checkpoint of {checkpoint.at}"
        elif path:
            line += f", no checkpoint yet in {path}"
        self.stdout.write(line)

    def _checkpoint(self, path: str) -> None:
        log = bool(settings.AUDIT_CHECKPOINT_LOG)
        if not path and not log:
            raise CommandError(
                "nowhere to write the audit checkpoint: set AUDIT_CHECKPOINT_FILE or "
                "AUDIT_CHECKPOINT_LOG=1, or pass --file PATH",
                returncode=CANNOT_RUN,
            )
        try:
            checkpoint = take_checkpoint()
        except CheckpointError as exc:
            raise CommandError(
                f"audit chain head does not hold, no checkpoint written: {exc}",
                returncode=BROKEN,
            ) from None
        write_checkpoint(checkpoint, path=Path(path) if path else None, log=log)
        places = " and ".join(filter(None, [path, "the log" if log else ""]))
        self.stdout.write(
            f"audit checkpoint: {checkpoint.event_count} events, position "
            f"{checkpoint.position}, written to {places}"
        )
