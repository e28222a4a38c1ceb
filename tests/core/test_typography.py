"""French pages get French punctuation spacing; markup, scripts and edited text do not."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tandem.core.middleware import FrenchTypographyMiddleware
from tandem.core.typography import NARROW_NBSP, NBSP, french_typography


def test_marks_after_a_word_get_the_french_space() -> None:
    html = "<p>Note: ready; why? now!</p>"
    assert french_typography(html) == (
        f"<p>Note{NBSP}: ready{NARROW_NBSP}; why{NARROW_NBSP}? now{NARROW_NBSP}!</p>"
    )


def test_character_references_keep_their_semicolon() -> None:
    html = "<td>p &lt; 0,001; r &#60; 1 &amp;&#x3c;</td>"
    assert french_typography(html) == f"<td>p &lt; 0,001{NARROW_NBSP}; r &#60; 1 &amp;&#x3c;</td>"


def test_markup_times_addresses_and_raw_elements_are_left_alone() -> None:
    html = (
        '<a href="/x?y=1" title="a:b">10:30 https://example.org</a>'
        "<script>var a = {b: 1};</script><textarea>Typed: as is</textarea>"
        "<code>key: value</code>"
    )
    assert french_typography(html) == html


def test_a_label_before_a_tag_is_spaced() -> None:
    assert french_typography("<dt>Total:</dt>") == f"<dt>Total{NBSP}:</dt>"


def test_a_mark_after_an_inline_element_is_spaced() -> None:
    html = '<li><a href="/a/1/">Baisse</a>: texte; <strong>Note</strong>? oui</li>'
    assert french_typography(html) == (
        f'<li><a href="/a/1/">Baisse</a>{NBSP}: texte{NARROW_NBSP}; '
        f"<strong>Note</strong>{NARROW_NBSP}? oui</li>"
    )


def _respond(body: str, content_type: str = "text/html; charset=utf-8") -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Length"] = str(len(response.content))
    return response


def test_the_middleware_follows_the_pages_declared_language() -> None:
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "en"

    def french_page(_request: HttpRequest) -> HttpResponse:
        return _respond('<html lang="fr"><p>Question: oui?</p></html>')

    def english_page(_request: HttpRequest) -> HttpResponse:
        return _respond('<html lang="en"><p>Question: yes?</p></html>')

    french = FrenchTypographyMiddleware(french_page)(request)
    assert f"Question{NBSP}: oui{NARROW_NBSP}?" in french.content.decode()
    assert french["Content-Length"] == str(len(french.content))
    english = FrenchTypographyMiddleware(english_page)(request)
    assert b"Question: yes?" in english.content


def test_fragments_follow_the_request_and_downloads_are_untouched() -> None:
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "fr"

    def fragment(_request: HttpRequest) -> HttpResponse:
        return _respond("<p>Statut: ouvert</p>")

    def download(_request: HttpRequest) -> HttpResponse:
        response = _respond("a: b", content_type="text/csv")
        return response

    assert f"Statut{NBSP}:" in FrenchTypographyMiddleware(fragment)(request).content.decode()
    assert FrenchTypographyMiddleware(download)(request).content == b"a: b"
