"""Form helpers shared by every app's views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseForm

# A browser date picker: the value must be ISO whatever the page's language, or French pages
# would show an empty field for a saved date.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def show_service_error(form: BaseForm, error: ValidationError) -> None:
    """Show a service's validation error on the form, by field where it names one.

    Errors about a field the form does not have go to the top of the form, so that nothing a
    service refuses is silently lost.
    """
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
