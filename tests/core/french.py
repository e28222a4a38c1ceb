"""What a page shown in French must not contain: the catalogues' English, ISO dates, decimal points.

The English source strings come from every French catalogue of the project (``msgid`` entries
whose translation differs from them). A visible text node that is such a string, or contains a
source sentence of three words or more, is a string the page forgot to translate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
from typing_extensions import override

import tandem

PACKAGE = Path(tandem.__file__).parent

# Elements whose text a reader does not see as page text.
HIDDEN = {"script", "style", "template", "code", "pre", "kbd", "samp", "svg", "title"}
# Attributes read aloud or shown as a tooltip or hint.
SPOKEN = ("aria-label", "title", "placeholder", "alt")
# Text that is the same in both languages or is not language at all.
NEUTRAL = re.compile(r"^[\W\d_]*$")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# A number with a decimal point; an item's section number ("Item 2.1") is not a decimal.
DECIMAL_POINT = re.compile(r"(?<![\w.])(?<!Item )(?<!item )\d+\.\d+(?![\w.])")
# French puts a (narrow) space before : ; ? ! — a letter, digit or closing mark right before one,
# followed by a space or the end, is English typography.
TIGHT_PUNCTUATION = re.compile(r"[A-Za-zÀ-ÿ0-9)»%Ω][:;?!](?=\s|$)")
# What people typed, blanked out of a text before it is checked.
TYPED = "Ω"
FRENCH_SPACE = re.compile(r"[\u00a0\u202f ](?=[:;?!])")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


@cache
def english_sources() -> tuple[frozenset[str], re.Pattern[str] | None]:
    """Source strings that French pages must not show: exact ones, and a pattern for sentences."""
    exact: set[str] = set()
    patterns: list[str] = []
    for path in sorted(PACKAGE.glob("**/locale/fr/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            sources = [entry.msgid, *([entry.msgid_plural] if entry.msgid_plural else [])]
            translations = [entry.msgstr, *entry.msgstr_plural.values()]
            for source in sources:
                text = " ".join(source.split())
                if NEUTRAL.match(text) or text in translations or "<" in text:
                    continue
                if PLACEHOLDER.search(text):
                    pieces = [re.escape(p) for p in PLACEHOLDER.split(text)]
                    if sum(len(p.split()) for p in PLACEHOLDER.split(text)) >= 3:
                        patterns.append(r"\b" + r".{1,80}?".join(pieces))
                    continue
                if len(text) < 3:
                    continue
                exact.add(text)
                if len(text.split()) >= 3:
                    patterns.append(r"\b" + re.escape(text) + r"(?!\w)")
    pattern = re.compile("|".join(sorted(patterns, key=len, reverse=True))) if patterns else None
    return frozenset(exact), pattern


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class VisibleText(HTMLParser):
    """Collect the text nodes and spoken attributes a person would see or hear.

    Text inside an element marked with another language (``lang="en"``, as the language switch
    names English in English) is that language on purpose and is left out.
    """

    texts: list[str] = field(default_factory=list)
    stack: list[tuple[str, bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    @override
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        lang = attributes.get("lang")
        skip = (
            self.skipping
            or tag in HIDDEN
            or "hidden" in attributes
            or attributes.get("aria-hidden") == "true"
            or (lang is not None and not lang.startswith("fr"))
        )
        if tag not in VOID:
            self.stack.append((tag, skip))
        if skip:
            return
        for name in SPOKEN:
            value = attributes.get(name)
            if value:
                self.texts.append(" ".join(value.split()))
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            value = attributes.get("value")
            if value:
                self.texts.append(" ".join(value.split()))

    @override
    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching open tag: browsers forgive unclosed <p> and <li>.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    @override
    def handle_data(self, data: str) -> None:
        if not self.skipping:
            text = " ".join(data.split())
            if text:
                self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def problems(html: str, *, typed: Typed | None = None) -> list[str]:
    """Every English source string, ISO date, decimal point and tight punctuation on a page.

    ``typed`` is what people typed (names, notes, goals, agency labels): it is shown as typed, in
    whatever language it was written, so it is blanked out of a text that has a problem and the
    text is checked again.
    """
    found: list[str] = []
    for text in visible_texts(html):
        text_problems = _text_problems(text)
        if text_problems and typed is not None:
            text_problems = _text_problems(typed.blank(text))
        found.extend(f"{problem}: {text!r}" for problem in text_problems)
    return found


def _text_problems(text: str) -> list[str]:
    exact, sentences = english_sources()
    found: list[str] = []
    # French typography puts a no-break space before ; : ? ! even in a forgotten English string.
    english = FRENCH_SPACE.sub("", text)
    if text in exact or english in exact:
        found.append("English")
    elif sentences is not None and (match := sentences.search(english)):
        found.append(f"English {match.group(0)!r}")
    if ISO_DATE.search(text):
        found.append("ISO date")
    if DECIMAL_POINT.search(text):
        found.append("decimal point")
    if TIGHT_PUNCTUATION.search(text):
        found.append("no space before French punctuation")
    return found


class Typed:
    """Texts people typed, found in a page's text and blanked out, longest first."""

    def __init__(self, texts: set[str]) -> None:
        kept = sorted({" ".join(t.split()) for t in texts if t and len(t.strip()) >= 2}, key=len)
        self._pattern = re.compile("|".join(re.escape(t) for t in reversed(kept))) if kept else None

    def blank(self, text: str) -> str:
        return self._pattern.sub(TYPED, text) if self._pattern else text


def typed_in_database() -> Typed:
    """What people and agencies typed into the records: every text of a person, a client, a
    team, a note or a plan, and an agency's own labels. The built-in scale's texts are product
    text (translated through ``tandem.fidelity.labels``) and stay checked."""
    from django.apps import apps
    from django.db import models

    from tandem.fidelity.labels import BUILTIN_TEXTS

    product = set(BUILTIN_TEXTS)
    texts: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("tandem."):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not isinstance(f, models.SlugField)
            and f.name not in {"password", "code", "instrument_code", "digest", "token_hash"}
        ]
        if fields:
            for row in model._default_manager.values_list(*fields):
                texts.update(v for v in row if isinstance(v, str))
    return Typed(texts - product)
