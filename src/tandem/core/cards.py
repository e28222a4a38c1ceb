"""Tables that become stacked cards on a phone.

On a narrow screen a table with class ``cards`` shows each row as a card and each cell with its
column's header beside it (the CSS in ``tandem.css`` reads the header from the cell's
``data-label``). ``label_cells`` adds that attribute from the header row, so a template only wraps
its table in ``{% cards %}...{% endcards %}`` and never repeats a header by hand.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from typing_extensions import override

CARDS_CLASS = "cards"
_CLASS_ATTR = re.compile(r"""\sclass\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"\s+")


@dataclass
class _Table:
    headers: list[str] = field(default_factory=list)
    in_head: bool = False
    row_is_header: bool = False
    column: int = 0
    header_text: list[str] | None = None
    header_span: int = 1


def _span(attrs: list[tuple[str, str | None]]) -> int:
    value = dict(attrs).get("colspan") or "1"
    try:
        return max(1, int(value))
    except ValueError:
        return 1


def _with_attribute(start_tag: str, name: str, value: str) -> str:
    end = -2 if start_tag.endswith("/>") else -1
    return f'{start_tag[:end]} {name}="{html.escape(value, quote=True)}"{start_tag[end:]}'


def _with_cards_class(start_tag: str) -> str:
    found = _CLASS_ATTR.search(start_tag)
    if found is None:
        return _with_attribute(start_tag, "class", CARDS_CLASS)
    classes = found.group(2).split()
    if CARDS_CLASS in classes:
        return start_tag
    quote = found.group(1)
    joined = " ".join([*classes, CARDS_CLASS])
    return f"{start_tag[: found.start()]} class={quote}{joined}{quote}{start_tag[found.end() :]}"


class _Labeller(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.tables: list[_Table] = []

    def _raw(self) -> str:
        return self.get_starttag_text() or ""

    @override
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self._raw()
        table = self.tables[-1] if self.tables else None
        if tag == "table":
            self.tables.append(_Table())
            raw = _with_cards_class(raw)
        elif table is None:
            pass
        elif tag == "thead":
            table.in_head = True
        elif tag == "tr":
            table.column = 0
            table.row_is_header = table.in_head
        elif tag in ("th", "td"):
            span = _span(attrs)
            if table.row_is_header:
                table.header_text = []
                table.header_span = span
            else:
                spans_the_row = table.column == 0 and span >= len(table.headers) > 1
                # An action column has no header to repeat; a header over several columns
                # names each of them once.
                label = " / ".join(
                    dict.fromkeys(
                        text for text in table.headers[table.column : table.column + span] if text
                    )
                )
                if label and not spans_the_row and "data-label" not in dict(attrs):
                    raw = _with_attribute(raw, "data-label", label)
                table.column += span
        self.out.append(raw)

    @override
    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._raw())

    @override
    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "table":
            self.tables.pop()
        elif tag == "thead":
            table.in_head = False
        elif tag in ("th", "td") and table.header_text is not None:
            text = _SPACES.sub(" ", html.unescape("".join(table.header_text))).strip()
            table.headers.extend([text] * table.header_span)
            table.header_text = None

    def _text(self, raw: str) -> None:
        self.out.append(raw)
        if self.tables and self.tables[-1].header_text is not None:
            self.tables[-1].header_text.append(raw)

    @override
    def handle_data(self, data: str) -> None:
        self._text(data)

    @override
    def handle_entityref(self, name: str) -> None:
        self._text(f"&{name};")

    @override
    def handle_charref(self, name: str) -> None:
        self._text(f"&#{name};")

    @override
    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    @override
    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    @override
    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    @override
    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def label_cells(markup: str) -> str:
    """Give every table in ``markup`` the ``cards`` class and every body cell its header.

    A body cell gets ``data-label`` with the text of the header cell above it (headers spanning
    columns count for each); a cell that spans the whole row (an empty-state sentence) and a cell
    under an empty header (a column of buttons) get none, and a label written by hand is kept.
    """
    labeller = _Labeller()
    labeller.feed(markup)
    labeller.close()
    return "".join(labeller.out)
