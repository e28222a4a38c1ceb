"""Forms for daily practice; they validate and convert, the services write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.orgs.models import Team
from tandem.practice.models import (
    CommunityResource,
    ContactMode,
    ContactWith,
    DomainEntry,
    Goal,
    GoalStatus,
    LifeDomain,
    ResourceKind,
    Step,
    StepStatus,
    SupervisionKind,
)
from tandem.practice.services import DOMAIN_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DOMAIN_LABELS = {
    "current_status": _("Current status: what is going on now"),
    "wants": _("What the person wants"),
    "past_resources": _("Resources used in the past"),
    "own_words": _("In the person's own words"),
}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_INPUT, initial=timezone.localdate)


class StrengthsForm(forms.Form):
    """Every life domain's four questions on one page, prefilled from the latest version."""

    assessed_on = _today_field(_("Assessed on"))

    def __init__(self, *args: Any, latest: list[DomainEntry] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        previous = {
            (e.domain, name): getattr(e, name) for e in latest or [] for name in DOMAIN_FIELDS
        }
        labels = {name: DOMAIN_LABELS[name] for name in DOMAIN_FIELDS}
        for domain in LifeDomain.values:
            for name in DOMAIN_FIELDS:
                self.fields[f"{domain}__{name}"] = forms.CharField(
                    label=labels[name],
                    required=False,
                    initial=previous.get((domain, name), ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def domains(self) -> list[tuple[StrOrPromise, list[forms.BoundField]]]:
        return [
            (label, [self[f"{domain}__{name}"] for name in DOMAIN_FIELDS])
            for domain, label in LifeDomain.choices
        ]

    def entries(self) -> dict[str, dict[str, str]]:
        return {
            domain: {name: self.cleaned_data[f"{domain}__{name}"] for name in DOMAIN_FIELDS}
            for domain in LifeDomain.values
        }


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class VisionForm(VersionedForm):
    vision = forms.CharField(
        label=_("What recovery means to the person, in their words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GoalForm(VersionedForm):
    domain = forms.ChoiceField(label=_("Life domain"), choices=LifeDomain.choices)
    own_words = forms.CharField(
        label=_("Goal, in the person's words"), widget=forms.Textarea(attrs={"rows": 2})
    )


class GoalStatusForm(VersionedForm):
    goal = forms.ModelChoiceField(queryset=Goal.objects.none(), widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=GoalStatus.choices)

    def __init__(self, *args: Any, goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]  # ModelChoiceField


class StepForm(VersionedForm):
    goal = forms.ModelChoiceField(queryset=Goal.objects.none(), label=_("Goal"))
    what = forms.CharField(label=_("What"), max_length=300)
    responsible = forms.CharField(label=_("Who"), max_length=100)
    due_on = forms.DateField(label=_("By when"), widget=DATE_INPUT)
    resource = forms.ModelChoiceField(
        queryset=CommunityResource.objects.none(),
        label=_("Community resource"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        goals: QuerySet[Goal],
        resources: QuerySet[CommunityResource],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["goal"].label_from_instance = lambda g: g.own_words  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["resource"].queryset = resources  # type: ignore[attr-defined]  # ModelChoiceField


class StepStatusForm(VersionedForm):
    step = forms.ModelChoiceField(queryset=Step.objects.none(), widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=StepStatus.choices)

    def __init__(self, *args: Any, steps: QuerySet[Step], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = steps  # type: ignore[attr-defined]  # ModelChoiceField


class ContactForm(forms.Form):
    occurred_on = _today_field(_("Date"))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=720, initial=30)
    mode = forms.ChoiceField(label=_("Mode"), choices=ContactMode.choices, widget=forms.RadioSelect)
    with_whom = forms.ChoiceField(
        label=_("With"),
        choices=ContactWith.choices,
        widget=forms.RadioSelect,
        initial=ContactWith.CLIENT,
    )
    goals = forms.ModelMultipleChoiceField(
        queryset=Goal.objects.none(),
        label=_("Goals worked on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    steps = forms.ModelMultipleChoiceField(
        queryset=Step.objects.none(),
        label=_("Steps worked on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Short note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, goals: QuerySet[Goal], steps: QuerySet[Step], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = goals  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["steps"].queryset = steps  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["goals"].label_from_instance = lambda g: g.own_words  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["steps"].label_from_instance = lambda s: s.action  # type: ignore[attr-defined]  # ModelChoiceField

    def clean_occurred_on(self) -> Any:
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A contact cannot be in the future."))
        return day


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    contact = forms.CharField(label=_("Phone, email or website"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SessionForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=SupervisionKind.choices, initial=SupervisionKind.GROUP
    )
    held_on = _today_field(_("Date"))
    attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Attendees"),
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, teams: QuerySet[Team], people: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["attendees"].queryset = people  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["attendees"].label_from_instance = lambda u: u.full_name  # type: ignore[attr-defined]  # ModelChoiceField
