"""``{{ label|after_label }}``: what the error summary puts between a field's label and its error.

English writes "Label: error" and French "Label : error" (a non-breaking space before the
colon). A label that already ends in a question mark, an exclamation mark or a colon takes no
colon of its own ("What helped? This field is required."), so nothing is doubled.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import pgettext

register = template.Library()

ENDING = ("?", "!", ":")


@register.filter
def after_label(label: Any) -> str:
    """The colon after ``label``, as the language writes it, or nothing if it ends in one."""
    if str(label).rstrip().endswith(ENDING):
        return ""
    # Translators: what follows a field's label before its error in the list of errors to
    # correct; French puts a non-breaking space before the colon.
    return pgettext("after a field's label", ":")
