"""Forms for intake and discharge; they validate, the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import User
from tandem.clients import eligibility
from tandem.clients.models import (
    DeclineReason,
    DischargeReason,
    Referral,
    ReferralDecision,
    ReferralPriority,
)
from tandem.core.forms import DATE_INPUT
from tandem.orgs.models import Programme, Team


class ReferralForm(forms.ModelForm[Referral]):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), label=_("Programme"))
    received_on = forms.DateField(label=_("Received on"), widget=DATE_INPUT)

    class Meta:
        model = Referral
        fields = [
            "programme",
            "received_on",
            "given_name",
            "family_name",
            "date_of_birth",
            "gender",
            "preferred_language",
            "phone",
            "email",
            "reason",
            "current_supports",
            "risks",
            "consent_to_share",
            "source",
            "source_contact",
            "priority",
        ]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "reason": forms.Textarea(attrs={"rows": 3}),
            "current_supports": forms.Textarea(attrs={"rows": 3}),
            "risks": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["received_on"].initial = timezone.localdate()

    @override
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        programme = data.get("programme")
        if programme is not None:
            for name in eligibility.required_fields_for(programme):
                if not data.get(name):
                    self.add_error(name, _("This programme requires this field."))
        return data


def screening_form(programme: Programme, data: Any = None) -> forms.Form:
    """A yes/no question per criterion of the programme's eligibility screen."""
    form = forms.Form(data)
    for criterion in eligibility.criteria_for(programme):
        form.fields[criterion.code] = forms.TypedChoiceField(
            label=criterion.label,
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda v: v == "yes",
            widget=forms.RadioSelect,
        )
    return form


class ReferralDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReferralDecision.choices, widget=forms.RadioSelect
    )
    priority = forms.TypedChoiceField(
        label=_("Priority on the waitlist"),
        choices=ReferralPriority.choices,
        coerce=int,
        initial=ReferralPriority.ROUTINE,
    )
    decline_reason = forms.ChoiceField(
        label=_("Reason declined"),
        choices=[("", "—"), *DeclineReason.choices],
        required=False,
    )
    redirected_to = forms.CharField(label=_("Redirected to"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @override
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == ReferralDecision.DECLINE and not data.get("decline_reason"):
            self.add_error("decline_reason", _("Choose why the referral is declined."))
        if decision == ReferralDecision.REDIRECT and not data.get("redirected_to", "").strip():
            self.add_error("redirected_to", _("Say where the person was redirected."))
        return data


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Case manager"))
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)

    def __init__(self, *args: Any, choices: list[tuple[Team, User]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pairs = {f"{team.pk}:{user.pk}": (team, user) for team, user in choices}
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)  # noqa: S101 - declared above
        assignee.choices = [
            (key, f"{user.full_name} — {team.name}") for key, (team, user) in self.pairs.items()
        ]
        self.fields["start_date"].initial = timezone.localdate()

    def clean_assignee(self) -> tuple[Team, User]:
        return self.pairs[self.cleaned_data["assignee"]]


class TransitionPlanForm(forms.Form):
    transition_plan = forms.CharField(
        label=_("Transition plan"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who the client will rely on after discharge, and how the handover happens."),
    )


class DischargeForm(forms.Form):
    end_date = forms.DateField(label=_("Discharge date"), widget=DATE_INPUT)
    reason = forms.ChoiceField(label=_("Discharge reason"), choices=DischargeReason.choices)
    destination = forms.CharField(
        label=_("Where the client goes next"),
        max_length=200,
        help_text=_("For example: family doctor, peer support group, another programme."),
    )

    def __init__(self, *args: Any, start_date: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_date = start_date
        self.fields["end_date"].initial = timezone.localdate()

    def clean_end_date(self) -> Any:
        end = self.cleaned_data["end_date"]
        if end < self.start_date:
            raise forms.ValidationError(_("The episode cannot end before it starts."))
        if end > timezone.localdate():
            raise forms.ValidationError(_("The discharge date cannot be in the future."))
        return end
