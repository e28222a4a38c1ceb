"""Turning an uploaded or pasted text into a document's text: decoding, Word files, line endings.

Pure functions (no database): the services call them once, on import, and store the result.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _


class ImportRefusedError(ValueError):
    """The file cannot become a document; the message says why, for the person uploading it."""


@dataclass(frozen=True, slots=True)
class ImportedText:
    text: str
    encoding: str


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalise_line_endings(text: str) -> str:
    """Windows (CRLF) and old Mac (CR) line endings become ``\\n``; done once, on import."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 without a byte order mark: mostly-Latin text has a zero in every other byte."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    even_zeros = raw[0::2].count(0) / (len(raw) / 2)
    odd_zeros = raw[1::2].count(0) / (len(raw) / 2)
    for zeros, other, encoding in (
        (odd_zeros, even_zeros, "utf-16-le"),
        (even_zeros, odd_zeros, "utf-16-be"),
    ):
        if zeros > 0.5 and other < 0.1:
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _is_text(text: str) -> bool:
    """No control characters but tabs, line and page breaks: what binary data decodes to."""
    return not any(unicodedata.category(char) == "Cc" and char not in "\t\n\r\f" for char in text)


def _checked(found: ImportedText) -> ImportedText:
    if not _is_text(found.text):
        raise ImportRefusedError(_("This file is not text (it holds binary data)."))
    return found


def decode_text(raw: bytes) -> ImportedText:
    """Decode a text file in any common encoding and say which one was found.

    A byte order mark decides first (UTF-8, UTF-16, UTF-32); then UTF-16 without a mark, told
    by its zero bytes; then strict UTF-8, which almost never accepts text in another encoding
    by chance; then Windows-1252, which covers ISO-8859-1 text in practice (they differ only
    in characters ISO-8859-1 leaves as control codes).
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(ImportedText(raw.decode(encoding), encoding))
            except UnicodeDecodeError:
                raise ImportRefusedError(
                    _("The file starts as %(encoding)s text but is not valid %(encoding)s.")
                    % {"encoding": encoding.upper()}
                ) from None
    utf16 = _utf16_without_bom(raw)
    if utf16 is not None:
        return _checked(ImportedText(utf16, "utf-16"))
    try:
        return _checked(ImportedText(raw.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        return _checked(ImportedText(raw.decode("cp1252"), "windows-1252"))
    except UnicodeDecodeError:
        return _checked(ImportedText(raw.decode("latin-1"), "iso-8859-1"))


# A Word file is a zip: its parts unpacked may not exceed this, whatever the upload's size, so
# that a small crafted file cannot fill the memory when its XML is read.
MAX_DOCX_UNPACKED_BYTES = 50 * 1024 * 1024


def docx_text(raw: bytes) -> str:
    """The paragraphs of a Word (.docx) file, one per line, tables' cells after them."""
    import docx  # python-docx, imported here: only Word uploads need it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportRefusedError(_("This file is not a Word (.docx) document.")) from None
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise ImportRefusedError(
            _("This Word document unpacks to more than %(max)s MB.")
            % {"max": MAX_DOCX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise ImportRefusedError(_("This file is not a Word (.docx) document.")) from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)
