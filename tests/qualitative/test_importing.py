"""Decoding uploaded text files, reading Word files, and normalising line endings."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from tandem.qualitative.importing import (
    MAX_DOCX_UNPACKED_BYTES,
    ImportRefusedError,
    decode_text,
    docx_text,
    normalise_line_endings,
)

FRENCH = "Ça m\u2019a aidé : être écouté, « vraiment » — même à l\u2019hôpital. Œuvre, naïve, 20 €."
CP1252_TEXT = "Ça m\u2019a aidé : être écouté, « vraiment » — même à l\u2019hôpital. 20 €."


def test_windows_1252_text_is_decoded_and_named() -> None:
    found = decode_text(CP1252_TEXT.encode("cp1252"))
    assert found.text == CP1252_TEXT
    assert found.encoding == "windows-1252"


@pytest.mark.parametrize(("encoding", "named"), [("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig")])
def test_text_with_a_byte_order_mark_is_decoded_by_it(encoding: str, named: str) -> None:
    found = decode_text(FRENCH.encode(encoding))
    assert found.text == FRENCH
    assert found.encoding == named


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_recognised(encoding: str) -> None:
    found = decode_text(FRENCH.encode(encoding))
    assert found.text == FRENCH
    assert found.encoding == "utf-16"


def test_plain_utf8_is_read_as_utf8() -> None:
    found = decode_text((FRENCH + " 😀").encode("utf-8"))
    assert found.text == FRENCH + " 😀"
    assert found.encoding == "utf-8"


def test_binary_data_is_refused() -> None:
    with pytest.raises(ImportRefusedError):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")


def test_line_endings_of_every_kind_become_newlines() -> None:
    assert normalise_line_endings("a\r\nb\rc\nd\r\n") == "a\nb\nc\nd\n"


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_word_paragraphs_become_lines() -> None:
    paragraphs = ["Intervieweuse : qu\u2019est-ce qui aide ?", "P07 : être écouté.", "", "Fin."]
    assert docx_text(_docx(paragraphs)) == "\n".join(paragraphs)


def test_a_file_that_is_not_a_word_document_is_refused() -> None:
    with pytest.raises(ImportRefusedError):
        docx_text(b"PK\x03\x04 not really a zip")


def test_a_word_file_that_unpacks_too_large_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (MAX_DOCX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < 1024 * 1024  # small on the wire
    with pytest.raises(ImportRefusedError, match="unpacks"):
        docx_text(buffer.getvalue())
