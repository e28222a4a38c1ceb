"""Forms of the export pages: ask for an export, re-enter the password, void with a reason."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.research.models import ExportFormat


class ExportRequestForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.CSV
    )


class ReauthForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ExportVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this export voided?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
