"""Each programme's intake rules, edited by its agency's administrators."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tandem.clients.models import CONFIGURABLE_REQUIRED_FIELDS, IntakePolicy, Referral
from tandem.core.admin_scoping import AgencyScopedAdmin


class IntakePolicyForm(forms.ModelForm):  # type: ignore[type-arg]  # admin form, untyped base
    required_fields = forms.MultipleChoiceField(
        label=_("Required referral fields"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (name, Referral._meta.get_field(name).verbose_name)  # type: ignore[union-attr]  # concrete fields
            for name in CONFIGURABLE_REQUIRED_FIELDS
        ],
    )

    class Meta:
        model = IntakePolicy
        fields = ["programme", "required_fields", "criteria"]
        help_texts = {
            "criteria": _(
                'A list such as [{"code": "motivated", "label": "Motivated to work on goals", '
                '"expected": true}]. Leave empty for the defaults of the programme\'s model.'
            )
        }

    def clean_required_fields(self) -> list[str]:
        return list(self.cleaned_data["required_fields"])


@admin.register(IntakePolicy)
class IntakePolicyAdmin(AgencyScopedAdmin):
    form = IntakePolicyForm
    agency_field = "programme__agency_id"
    list_display = ("programme",)
    list_select_related = ("programme",)

    foreign_key_scopes = {"programme": "agency_id"}
