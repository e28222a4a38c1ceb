"""Forms for correcting demographics and handing an episode over; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.clients.models import Client
from tandem.core.forms import DATE_INPUT
from tandem.orgs.models import Team

REASON_HELP = _("Kept in the record's history with your name, for example: spelling corrected.")


class ClientEditForm(forms.ModelForm[Client]):
    """The client's demographics, the version read, and why they are corrected."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Client
        fields = [
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "gender",
            "preferred_language",
            "phone",
            "email",
            "address",
        ]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "address": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def demographics(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class HandoverForm(forms.Form):
    assignee = forms.ChoiceField(label=_("New case manager and team"))
    reason = forms.CharField(
        label=_("Reason for the hand-over"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: case manager on leave, client moved to the north team."),
    )

    def __init__(self, *args: Any, choices: list[tuple[Team, User]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pairs = {f"{team.pk}:{user.pk}": (team, user) for team, user in choices}
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)  # noqa: S101 - declared above
        assignee.choices = [
            ("", "—"),
            *((key, f"{user.full_name} — {team.name}") for key, (team, user) in self.pairs.items()),
        ]

    def clean_assignee(self) -> tuple[Team, User]:
        return self.pairs[self.cleaned_data["assignee"]]
