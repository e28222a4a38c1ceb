"""Forms of the alert pages; they validate and convert, the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tandem.alerts.models import POLICY_FIELDS, AlertPolicy, AlertStatus
from tandem.practice.models import SupervisionKind, SupervisionSession


class AlertStepForm(forms.Form):
    """Move an alert one step forward; ``version`` detects a concurrent move."""

    ACTIONS = {
        "discussed": AlertStatus.DISCUSSED,
        "agreed": AlertStatus.ACTION_AGREED,
        "resolved": AlertStatus.RESOLVED,
    }

    step = forms.ChoiceField(
        label=_("Step"),
        choices=[
            ("discussed", _("Discussed")),
            ("agreed", _("Action agreed")),
            ("resolved", _("Resolved")),
        ],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For an agreed action, say what was agreed. No more than the work needs."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def status(self) -> AlertStatus:
        return self.ACTIONS[self.cleaned_data["step"]]


class AgendaForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Put on the agenda of the next"),
        choices=SupervisionKind.choices,
        initial=SupervisionKind.GROUP,
    )


class AgendaDecisionForm(forms.Form):
    """What supervision decided about one agenda item."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.CharField(
        label=_("What was decided"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(
        label=_("The alert is now"),
        choices=[
            (AlertStatus.ACTION_AGREED.value, _("Action agreed")),
            (AlertStatus.DISCUSSED.value, _("Discussed")),
        ],
        initial=AlertStatus.ACTION_AGREED,
    )
    session = forms.ModelChoiceField(
        queryset=SupervisionSession.objects.none(),
        label=_("Decided in (supervision session)"),
        required=False,
    )

    def __init__(self, *args: Any, sessions: QuerySet[SupervisionSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions  # type: ignore[attr-defined]  # ModelChoiceField


class AlertPolicyForm(forms.ModelForm):  # type: ignore[type-arg]  # django-stubs generic
    class Meta:
        model = AlertPolicy
        fields = POLICY_FIELDS
