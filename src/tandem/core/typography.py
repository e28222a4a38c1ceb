"""French typography on rendered pages: a no-break space before ``:`` and ``;``, ``?``, ``!``.

Translators and people typing notes write these marks as English does; French sets them apart
(a no-break space before the colon, a narrow one before ``;``, ``?`` and ``!``). Like the
typographic filters of French publishing systems, Tandem applies the rule once, to the text of a
French page as it leaves the server, never to markup, scripts, styles, code, or the text of a
field being edited (a ``<textarea>`` would otherwise save the change back).
"""

from __future__ import annotations

import re

# Elements whose content is not running text.
_RAW = re.compile(r"<(script|style|pre|code|textarea|svg)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
# A mark right after a word (or a closing bracket, quote or per cent), ending its phrase.
_TIGHT = re.compile(r"(?<=[\w)\]»%])([:;?!])(?=\s|$|&nbsp;|<)")
# The same mark right after an inline element that ends in a word: "<a>Label</a>: text".
_AFTER_INLINE = re.compile(
    r"(?<=[\w)\]»%])(</(?:a|strong|em|b|i|span|abbr|time)>)([:;?!])(?=\s|$|<)", re.I
)
# A character reference ("&lt;", "&#60;") ends in a semicolon that is no punctuation mark.
_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


def _space_before(mark: str) -> str:
    return (NBSP if mark == ":" else NARROW_NBSP) + mark


def _spaced(match: re.Match[str]) -> str:
    return _space_before(match.group(1))


def _spaced_after_inline(match: re.Match[str]) -> str:
    return match.group(1) + _space_before(match.group(2))


def _text(chunk: str) -> str:
    out: list[str] = []
    position = 0
    for reference in _REFERENCE.finditer(chunk):
        out.append(_TIGHT.sub(_spaced, chunk[position : reference.start()]))
        out.append(reference.group(0))
        position = reference.end()
    out.append(_TIGHT.sub(_spaced, chunk[position:]))
    return "".join(out)


def french_typography(html: str) -> str:
    """``html`` with French spacing in its text; markup and raw elements left as they are."""
    out: list[str] = []
    position = 0
    for raw in _RAW.finditer(html):
        out.append(_outside_raw(html[position : raw.start()]))
        out.append(raw.group(0))
        position = raw.end()
    out.append(_outside_raw(html[position:]))
    return "".join(out)


def _outside_raw(html: str) -> str:
    html = _AFTER_INLINE.sub(_spaced_after_inline, html)
    out: list[str] = []
    position = 0
    for tag in _TAG.finditer(html):
        out.append(_text(html[position : tag.start()]))
        out.append(tag.group(0))
        position = tag.end()
    out.append(_text(html[position:]))
    return "".join(out)
