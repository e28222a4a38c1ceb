"""Forms to correct or void a contact, a goal or a step; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.practice.models import CommunityResource, ContactMode, ContactWith, LifeDomain

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CorrectionForm(forms.Form):
    """The version read, and the reason the history keeps."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the client's history with your name, for example: wrong date."),
    )


class VoidForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: entered for the wrong client. The entry stays in the history."),
    )


class ContactCorrectionForm(CorrectionForm):
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=720)
    mode = forms.ChoiceField(label=_("Mode"), choices=ContactMode.choices, widget=forms.RadioSelect)
    with_whom = forms.ChoiceField(
        label=_("With"), choices=ContactWith.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Short note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["occurred_on", "minutes", "mode", "with_whom", "note", "reason", "version"]

    def clean_occurred_on(self) -> Any:
        occurred = self.cleaned_data["occurred_on"]
        if occurred > timezone.localdate():
            raise forms.ValidationError(_("A contact cannot be in the future."))
        return occurred


class GoalCorrectionForm(CorrectionForm):
    domain = forms.ChoiceField(label=_("Life domain"), choices=LifeDomain.choices)
    own_words = forms.CharField(
        label=_("Goal, in the person's words"), widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["domain", "own_words", "reason", "version"]


class StepCorrectionForm(CorrectionForm):
    # Not "action": that name tells the page which of its forms was sent.
    what = forms.CharField(label=_("What"), max_length=300)
    responsible = forms.CharField(label=_("Who"), max_length=100)
    due_on = forms.DateField(label=_("By when"), widget=DATE_INPUT)
    resource = forms.ModelChoiceField(
        queryset=CommunityResource.objects.none(),
        label=_("Community resource"),
        required=False,
    )
    field_order = ["what", "responsible", "due_on", "resource", "reason", "version"]

    def __init__(self, *args: Any, resources: QuerySet[CommunityResource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources  # type: ignore[attr-defined]  # ModelChoiceField
