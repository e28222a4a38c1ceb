"""``tandem instruments list|load FILE|validate FILE``: instruments and licensed wording.

``list`` prints every registered instrument. ``validate FILE`` checks a wording file, or an
instrument definition (a file with ``items``), without writing anything. ``load FILE --agency
SLUG`` stores a wording file as the agency's newest revision, all or nothing, audited.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.accounts.models import User
from tandem.measures.registry import (
    DefinitionError,
    all_instruments,
    parse_definition,
    read_document,
)
from tandem.measures.wording import (
    WordingDocument,
    WordingError,
    load_wording,
    parse_wording,
)
from tandem.orgs.models import Agency


class Command(BaseCommand):
    help = (
        "Instrument registry and licensed wording. 'list' shows the instruments; 'validate FILE' "
        "checks a wording or definition file; 'load FILE --agency SLUG' stores a wording file."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("subcommand", choices=["list", "load", "validate"])
        parser.add_argument("file", nargs="?", type=Path, help="wording file (YAML or JSON)")
        parser.add_argument("--agency", help="short name (slug) of the agency; required by load")
        parser.add_argument("--user", help="e-mail of the user recorded as the uploader (load)")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "list":
            self._list()
            return
        path: Path | None = options["file"]
        if path is None:
            raise CommandError(f"instruments {subcommand}: a FILE is required")
        if subcommand == "validate":
            self._validate(path)
        else:
            self._load(path, options["agency"], options["user"])

    def _list(self) -> None:
        for instrument in all_instruments():
            scores = ", ".join(instrument.score_names)
            self.stdout.write(
                f"{instrument.code}\tv{instrument.version}\t{instrument.respondent}\t"
                f"{len(instrument.items)} items\t{instrument.title}\t[{scores}]"
            )

    def _read(self, path: Path) -> Any:
        try:
            return read_document(path)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        except DefinitionError as exc:
            raise CommandError(str(exc)) from None

    def _wording(self, path: Path, document: Any) -> WordingDocument:
        try:
            return parse_wording(document)
        except WordingError as exc:
            raise CommandError(
                f"{path.name}: not loaded:\n  " + "\n  ".join(exc.problems)
            ) from None

    def _validate(self, path: Path) -> None:
        document = self._read(path)
        if isinstance(document, dict) and "items" in document:
            try:
                instrument = parse_definition(document)
            except DefinitionError as exc:
                raise CommandError(f"{path.name}: invalid definition:\n  {exc}") from None
            self.stdout.write(
                f"{path.name}: valid definition of {instrument.code} v{instrument.version}"
            )
            return
        wording = self._wording(path, document)
        counts = ", ".join(f"{lang} {len(texts)} texts" for lang, texts in wording.texts.items())
        self.stdout.write(f"{path.name}: valid wording for {wording.instrument.code} ({counts})")

    def _load(self, path: Path, slug: str | None, username: str | None) -> None:
        if not slug:
            raise CommandError("instruments load: --agency SLUG is required")
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            raise CommandError(f"unknown agency {slug!r}")
        actor = None
        if username:
            actor = User.objects.filter(email__iexact=username).first()
            if actor is None:
                raise CommandError(f"unknown user {username!r}")
        wording = self._wording(path, self._read(path))
        rows = load_wording(actor=actor, agency=agency, document=wording)
        for row in rows:
            self.stdout.write(
                f"loaded {row.instrument_code} v{row.instrument_version} {row.language} "
                f"revision {row.revision} ({len(row.texts)} texts) for {agency.slug}"
            )
