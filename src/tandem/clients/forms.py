"""Forms for intake and discharge; they validate, the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import User
from tandem.clients import eligibility
from tandem.clients.models import (
    CONFIGURABLE_REQUIRED_FIELDS,
    DeclineReason,
    DischargeReason,
    QuestionType,
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
    """One field per question of the programme's eligibility screen, in its order."""
    form = forms.Form(data)
    for criterion in eligibility.criteria_for(programme):
        field: forms.Field
        if criterion.type == QuestionType.CHOICE:
            field = forms.ChoiceField(
                choices=[(option, option) for option in criterion.options],
                widget=forms.RadioSelect,
            )
        elif criterion.type == QuestionType.NUMBER:
            field = forms.FloatField(localize=True)
            # The question is the fieldset's legend; the lone input carries it as its name.
            field.widget.attrs.update({"inputmode": "decimal", "aria-label": criterion.label})
        else:
            field = forms.TypedChoiceField(
                choices=[("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
            )
        field.label = criterion.label
        field.required = criterion.required
        form.fields[criterion.code] = field
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


# ---- intake configuration: required fields and the eligibility questions -----------------------
def _lines(text: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


class IntakeRulesForm(forms.Form):
    required_fields = forms.MultipleChoiceField(
        label=_("Referral fields the programme requires"),
        help_text=_(
            "The reason for referral, the names and the date of birth are always required."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason for the change (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["required_fields"]
        field.choices = [  # type: ignore[attr-defined]  # MultipleChoiceField
            (name, str(Referral._meta.get_field(name).verbose_name).capitalize())  # type: ignore[union-attr]  # concrete fields
            for name in CONFIGURABLE_REQUIRED_FIELDS
        ]


class QuestionForm(forms.Form):
    """One eligibility question: its wording, how it is answered and which answers fit."""

    code = forms.CharField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(label=_("Question"), max_length=300, required=False)
    # Initial values as the browser sends an untouched blank row, so that it counts as unchanged.
    type = forms.ChoiceField(
        label=_("Answered with"), choices=QuestionType.choices, initial=QuestionType.YES_NO
    )
    expected = forms.ChoiceField(
        label=_("Yes or no: the answer that fits the programme"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        required=False,
        initial="yes",
    )
    options = forms.CharField(
        label=_("Several answers: the answers offered, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accepted = forms.CharField(
        label=_("Several answers: those that fit the programme, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    low = forms.FloatField(label=_("A number: the lowest that fits"), required=False, localize=True)
    high = forms.FloatField(
        label=_("A number: the highest that fits"), required=False, localize=True
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)

    @override
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("label") or "").strip():
            if self.has_changed() and not data.get("DELETE"):
                self.add_error("label", _("Write the question."))
            return data
        kind = data.get("type")
        if kind == QuestionType.CHOICE:
            options = _lines(data.get("options") or "")
            accepted = _lines(data.get("accepted") or "")
            if len(options) < 2:
                self.add_error("options", _("Offer at least two answers, one per line."))
            elif not accepted:
                self.add_error("accepted", _("Name at least one answer that fits."))
            elif not set(accepted) <= set(options):
                self.add_error("accepted", _("Each answer that fits must be one of those offered."))
        elif kind == QuestionType.NUMBER:
            low, high = data.get("low"), data.get("high")
            if low is not None and high is not None and low > high:
                self.add_error("high", _("The highest number is below the lowest."))
        elif not data.get("expected"):
            self.add_error("expected", _("Say which answer fits the programme."))
        return data

    def criterion(self, code: str) -> eligibility.Criterion | None:
        """The question as the screen uses it; ``None`` for an empty row."""
        data = self.cleaned_data
        label = (data.get("label") or "").strip()
        if not label:
            return None
        kind = data["type"]
        return eligibility.Criterion(
            code=code,
            label=label,
            type=kind,
            required=bool(data.get("required")),
            expected=data.get("expected") != "no",
            options=tuple(_lines(data.get("options") or "")) if kind == QuestionType.CHOICE else (),
            accepted=tuple(_lines(data.get("accepted") or ""))
            if kind == QuestionType.CHOICE
            else (),
            low=data.get("low") if kind == QuestionType.NUMBER else None,
            high=data.get("high") if kind == QuestionType.NUMBER else None,
        )


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=1, can_order=True, can_delete=True, max_num=40, validate_max=True
)


def question_initial(criterion: eligibility.Criterion) -> dict[str, Any]:
    return {
        "code": criterion.code,
        "label": criterion.label,
        "type": criterion.type,
        "expected": "yes" if criterion.expected else "no",
        "options": "\n".join(criterion.options),
        "accepted": "\n".join(criterion.accepted),
        "low": criterion.low,
        "high": criterion.high,
        "required": criterion.required,
    }


def questions_from(formset: Any) -> list[eligibility.Criterion]:
    """The questions of a valid formset in the order asked, removed ones left out.

    A new question gets a code from its wording, unique within the screen; an existing one
    keeps its code, so that earlier screens still read their answers.
    """
    taken: set[str] = set()
    found: list[eligibility.Criterion] = []
    for form in formset.ordered_forms if formset.can_order else formset.forms:
        if form.cleaned_data.get("DELETE"):
            continue
        code = (form.cleaned_data.get("code") or "").strip()
        if not code:
            base = slugify(form.cleaned_data.get("label") or "")[:32].replace("-", "_") or "q"
            code, n = base, 2
            while code in taken or code in {f.cleaned_data.get("code") for f in formset.forms}:
                code, n = f"{base}_{n}", n + 1
        taken.add(code)
        criterion = form.criterion(code)
        if criterion is not None:
            found.append(criterion)
    return found
