"""``tandem measures nightly|import FILE``: the nightly measurement run and CSV imports.

``nightly`` enqueues the task that moves statuses (due, overdue, missed) and sends or cancels
reminders; run it once a night from cron or a systemd timer. ``import FILE --instrument CODE
--programme ID --user EMAIL`` stores a CSV of responses all or nothing and prints a report of
every bad row.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.accounts.models import User
from tandem.measures.importing import import_csv
from tandem.measures.registry import UnknownInstrumentError, get_instrument
from tandem.measures.tasks import nightly_measures
from tandem.orgs.models import Programme


class Command(BaseCommand):
    help = (
        "Measurement: 'nightly' enqueues the status and reminder run; 'import FILE --instrument "
        "CODE --programme ID --user EMAIL' imports a CSV of responses, all rows or none."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("subcommand", choices=["nightly", "import"])
        parser.add_argument("file", nargs="?", type=Path, help="CSV of responses (import)")
        parser.add_argument("--instrument", help="instrument code, e.g. rprs (import)")
        parser.add_argument("--programme", type=int, help="programme id (import)")
        parser.add_argument("--user", help="e-mail of the programme manager importing (import)")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "nightly":
            result = nightly_measures.enqueue()
            self.stdout.write(f"enqueued nightly measures run {result.id}")
            return
        self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path | None = options["file"]
        if path is None or not options["instrument"] or not options["programme"]:
            raise CommandError("import needs FILE, --instrument and --programme")
        try:
            instrument = get_instrument(options["instrument"])
        except UnknownInstrumentError as exc:
            raise CommandError(str(exc)) from None
        programme = Programme.objects.filter(pk=options["programme"]).first()
        if programme is None:
            raise CommandError(f"no programme with id {options['programme']}")
        actor = User.objects.filter(email__iexact=options["user"] or "").first()
        if actor is None:
            raise CommandError("--user must be the e-mail of a programme manager")
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise CommandError(f"{path.name}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path.name}: not UTF-8 text") from None
        try:
            result = import_csv(actor=actor, programme=programme, instrument=instrument, text=text)
        except PermissionDenied:
            raise CommandError("this user does not manage the programme") from None
        if not result.is_ok:
            for error in result.errors:
                self.stderr.write(f"line {error.line}, {error.column or '-'}: {error.problem}")
            raise CommandError(f"{result.total_errors} problem(s); nothing was imported")
        self.stdout.write(f"imported and scored {result.created} responses")
