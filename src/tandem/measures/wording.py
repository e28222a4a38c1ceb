"""Licensed wording files: read and validate an agency's item texts for an instrument.

A wording file is YAML or JSON::

    instrument: rprs          # code of a registered instrument
    version: "1"              # must equal the definition's version
    wording:
      en: {q1: "...", q2: "..."}
      fr: {q1: "...", q2: "..."}

Keys are item ids of the definition (scored items and free-text fields); every text is a
non-empty string. A file may give one language or both. Nothing here touches the database:
``services.load_wording`` stores a validated document (a new revision per language, all or
nothing, audited) and ``selectors.wording_for`` returns the newest one, falling back to the
neutral label for any item without text.
Wording belongs to a definition version: after a definition is replaced with a new version (for
example a licensed COSE key), its wording is uploaded again for that version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tandem.measures.registry import (
    DefinitionError,
    Instrument,
    UnknownInstrumentError,
    get_instrument,
    read_document,
)

MAX_TEXT_LENGTH = 2000
LANGUAGES = ("en", "fr")


class WordingError(ValueError):
    """A wording document does not fit its instrument; ``problems`` lists every fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True, slots=True)
class WordingDocument:
    """A validated wording file: texts by language for one instrument version."""

    instrument: Instrument
    texts: dict[str, dict[str, str]]


def _instrument(code: str) -> Instrument:
    try:
        return get_instrument(code)
    except UnknownInstrumentError:
        raise WordingError([f"instrument: unknown instrument {code!r}"]) from None


def check_texts(code: str, version: str, language: str, texts: object) -> Instrument:
    """Check one language's texts against the definition; raise ``WordingError`` listing faults."""
    instrument = _instrument(code)
    problems = []
    if str(version) != instrument.version:
        problems.append(f"version: {code} is at version {instrument.version}, not {version!r}")
    if language not in LANGUAGES or language not in instrument.languages:
        problems.append(f"wording: language {language!r} is not offered by {code}")
    if not isinstance(texts, Mapping) or not texts:
        problems.append(f"wording.{language}: expected a mapping of item ids to texts")
        raise WordingError(problems)
    known = set(instrument.item_ids) | {item.id for item in instrument.text_items}
    for item_id, text in texts.items():
        if item_id not in known:
            problems.append(f"wording.{language}.{item_id}: not an item of {code}")
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"wording.{language}.{item_id}: expected a non-empty text")
        elif len(text) > MAX_TEXT_LENGTH:
            problems.append(f"wording.{language}.{item_id}: longer than {MAX_TEXT_LENGTH}")
    if problems:
        raise WordingError(problems)
    return instrument


def parse_wording(document: object) -> WordingDocument:
    """Validate a parsed wording file; raise ``WordingError`` listing every fault."""
    if not isinstance(document, Mapping):
        raise WordingError(["expected a mapping with instrument, version and wording"])
    missing = [key for key in ("instrument", "version", "wording") if key not in document]
    if missing:
        raise WordingError([f"{key}: required" for key in missing])
    extra = sorted(set(document) - {"instrument", "version", "wording"})
    if extra:
        raise WordingError([f"{key}: unexpected key" for key in extra])
    code, version, wording = document["instrument"], document["version"], document["wording"]
    instrument = _instrument(str(code))
    if not isinstance(wording, Mapping) or not wording:
        raise WordingError(["wording: expected texts by language (en, fr)"])
    problems: list[str] = []
    texts: dict[str, dict[str, str]] = {}
    for language, items in wording.items():
        try:
            check_texts(instrument.code, str(version), str(language), items)
        except WordingError as exc:
            problems += exc.problems
        else:
            texts[str(language)] = {str(k): str(v).strip() for k, v in items.items()}
    if problems:
        raise WordingError(list(dict.fromkeys(problems)))
    return WordingDocument(instrument, texts)


def read_wording_file(path: Path | str) -> WordingDocument:
    """Read and validate a wording file (YAML or JSON)."""
    try:
        document = read_document(Path(path))
    except DefinitionError as exc:
        raise WordingError([str(exc)]) from None
    return parse_wording(document)


def neutral_labels(instrument: Instrument) -> dict[str, str]:
    """Item id -> neutral label ("Item 7") for every scored item and free-text field."""
    labels = {item.id: item.label for item in instrument.items}
    labels.update({item.id: item.label for item in instrument.text_items})
    return labels
