"""The shared list of errors to correct writes "label: error" as the reader's language does."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from tandem.core.typography import NBSP, french_typography


class AskForm(forms.Form):
    name = forms.CharField(label="Name")
    said = forms.CharField(label="What did they say?")
    note = forms.CharField(label="Note:")


def _summary(language: str) -> str:
    with translation.override(language):
        form = AskForm(data={})
        assert not form.is_valid()
        return render_to_string("_form_errors.html", {"form": form})


def test_english_puts_a_colon_after_the_label_unless_it_ends_in_one() -> None:
    html = _summary("en")
    assert '<a href="#id_name">Name</a>: This field is required.' in html
    assert '<a href="#id_said">What did they say?</a> This field is required.' in html
    assert '<a href="#id_note">Note:</a> This field is required.' in html
    assert "?:" not in html
    assert "::" not in html
    assert "Please correct the following:" in html


@pytest.mark.parametrize("typeset", [False, True])
def test_french_puts_a_non_breaking_space_before_the_colon_and_doubles_nothing(
    typeset: bool,
) -> None:
    html = _summary("fr")
    # The page's French typography pass spaces the labels' own marks and adds nothing more.
    if typeset:
        html = french_typography(html)
    assert f'<a href="#id_name">Name</a>{NBSP}: Ce champ est obligatoire.' in html
    assert html.count(f"</a>{NBSP}: Ce champ") == 1
    assert html.count("</a> Ce champ") == 2
    assert f"Veuillez corriger ce qui suit{NBSP}:" in html
    for doubled in ("?:", f"?{NBSP}:", "::", f":{NBSP}:", "? :"):
        assert doubled not in html
