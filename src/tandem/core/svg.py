"""Inline SVG charts that live under a Content-Security-Policy without ``'unsafe-inline'`` styles.

Matplotlib writes its colours and strokes as ``style="..."`` attributes and one ``<style>``
element; a policy of ``style-src 'self'`` blocks both, and the charts would lose their colours.
Every property matplotlib uses is also an SVG presentation attribute (``fill="..."``), which
no policy governs, so the styles are moved there. The one stylesheet rule, ``*{...}``, becomes
attributes of the root element, which its children inherit.

Presentation attributes yield to any CSS rule, whereas a ``style`` attribute beats them: a page's
stylesheet must therefore not style the inside of a chart.
"""

from __future__ import annotations

import re

_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(?P<rules>.*?)</style>", re.DOTALL)
_UNIVERSAL_RULE = re.compile(r"\s*\*\s*\{(?P<declarations>[^{}]*)\}\s*")
_OPENING_TAG = re.compile(
    r'<(?P<name>[A-Za-z][\w:.-]*)(?P<attributes>(?:\s+[\w:.-]+="[^"]*")*)\s*(?P<end>/?)>'
)
_ATTRIBUTE = re.compile(r'\s+(?P<name>[\w:.-]+)="(?P<value>[^"]*)"')
_PROPERTY = re.compile(r"^[a-z][a-z-]*$")


def _declarations(css: str) -> dict[str, str]:
    """``"fill: none; stroke: #000"`` as ``{"fill": "none", "stroke": "#000"}``."""
    found = {}
    for declaration in css.split(";"):
        if not declaration.strip():
            continue
        name, _colon, value = declaration.partition(":")
        name = name.strip()
        if not _PROPERTY.match(name) or not value.strip():
            raise ValueError(f"unexpected style declaration in a chart: {declaration!r}")
        found[name] = value.strip()
    return found


def without_inline_styles(svg: str) -> str:
    """``svg`` (as matplotlib writes it) with every style as a presentation attribute."""
    inherited: dict[str, str] = {}

    def drop_stylesheet(match: re.Match[str]) -> str:
        rules = _UNIVERSAL_RULE.fullmatch(match["rules"])
        if rules is None:
            raise ValueError(f"unexpected stylesheet in a chart: {match['rules']!r}")
        inherited.update(_declarations(rules["declarations"]))
        return ""

    def move_style(match: re.Match[str]) -> str:
        attributes = [(a["name"], a["value"]) for a in _ATTRIBUTE.finditer(match["attributes"])]
        styles = _declarations(dict(attributes).get("style", ""))
        if match["name"] == "svg":
            styles = {**inherited, **styles}
        if not styles:
            return match.group(0)
        # A style outranks a presentation attribute of the same name: the style's value wins.
        kept = [(name, value) for name, value in attributes if name != "style"]
        kept = [(name, value) for name, value in kept if name not in styles]
        written = "".join(f' {name}="{value}"' for name, value in [*kept, *styles.items()])
        return f"<{match['name']}{written}{match['end']}>"

    svg = _STYLE_ELEMENT.sub(drop_stylesheet, svg)
    return _OPENING_TAG.sub(move_style, svg)
