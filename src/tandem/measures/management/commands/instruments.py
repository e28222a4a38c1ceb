"""``tandem instruments list|load|validate|fhir|from-fhir``: instruments and licensed wording.

``list`` prints every registered instrument. ``validate FILE`` checks a wording file, or an
instrument definition (a file with ``items``), without writing anything. ``load FILE --agency
SLUG`` stores a wording file as the agency's newest revision, all or nothing, audited.
``fhir CODE [--agency SLUG] [--language fr]`` prints the definition as a FHIR R4 Questionnaire
(with the agency's licensed wording when given; audited as an export); ``from-fhir FILE`` prints
the definition read from a Questionnaire as YAML, ready for ``TANDEM_INSTRUMENTS_DIR``.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError
from typing_extensions import override

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.measures.fhir import FhirError, definition_from_questionnaire, questionnaire
from tandem.measures.registry import (
    DefinitionError,
    UnknownInstrumentError,
    all_instruments,
    definition_document,
    get_instrument,
    parse_definition,
    read_document,
)
from tandem.measures.selectors import wording_for
from tandem.measures.services import load_wording
from tandem.measures.wording import WordingDocument, WordingError, parse_wording
from tandem.orgs.models import Agency


class Command(BaseCommand):
    help = (
        "Instrument registry and licensed wording. 'list' shows the instruments; 'validate FILE' "
        "checks a wording or definition file; 'load FILE --agency SLUG' stores a wording file; "
        "'fhir CODE' prints a FHIR Questionnaire; 'from-fhir FILE' reads one into a definition."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("subcommand", choices=["list", "load", "validate", "fhir", "from-fhir"])
        parser.add_argument(
            "file", nargs="?", help="wording, definition or Questionnaire file; instrument code"
        )
        parser.add_argument("--language", choices=["en", "fr"], default="en")
        parser.add_argument("--agency", help="short name (slug) of the agency; required by load")
        parser.add_argument("--user", help="e-mail of the user recorded as the uploader (load)")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "list":
            self._list()
            return
        if options["file"] is None:
            what = "an instrument CODE" if subcommand == "fhir" else "a FILE"
            raise CommandError(f"instruments {subcommand}: {what} is required")
        if subcommand == "fhir":
            self._fhir(options["file"], options["agency"], options["language"])
            return
        path = Path(options["file"])
        if subcommand == "from-fhir":
            self._from_fhir(path)
        elif subcommand == "validate":
            self._validate(path)
        else:
            self._load(path, options["agency"], options["user"])

    def _agency(self, slug: str) -> Agency:
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            raise CommandError(f"unknown agency {slug!r}")
        return agency

    def _fhir(self, code: str, slug: str | None, language: str) -> None:
        try:
            instrument = get_instrument(code)
        except UnknownInstrumentError as exc:
            raise CommandError(str(exc)) from None
        agency = self._agency(slug) if slug else None
        wording = wording_for(instrument, language, agency) if agency else None
        resource = questionnaire(instrument, wording, language if agency else None)
        record_event(
            actor=None,
            action=Action.EXPORT,
            object_type="measures.instrument",
            object_id=instrument.code,
            agency_id=agency.pk if agency else None,
        )
        self.stdout.write(json.dumps(resource, indent=1, ensure_ascii=False))

    def _from_fhir(self, path: Path) -> None:
        try:
            instrument = definition_from_questionnaire(path.read_bytes())
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        except FhirError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        document = definition_document(instrument)
        self.stdout.write(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))

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
        agency = self._agency(slug)
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
