"""Forms of the training app: they validate and convert; the views pass the data to services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import User
from tandem.core.forms import DATE_INPUT
from tandem.orgs.models import Agency
from tandem.training.models import (
    DEFAULT_PRINCIPLES,
    AttendanceStatus,
    Participant,
    Principle,
    TrainingSession,
    WaveKind,
    Weekday,
)


def _text(label: Any, rows: int = 3, *, required: bool = True, max_length: int = 5000) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PeopleField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # any model with full_name
    widget = forms.CheckboxSelectMultiple

    @override
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


def principles_text(names: list[str]) -> str:
    return "\n".join(names)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CohortFieldsMixin(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    ends_on = forms.DateField(label=_("Last session on or before"), widget=DATE_INPUT)
    presenters_per_session = forms.IntegerField(
        label=_("Presenters per session"), min_value=1, max_value=5, initial=1
    )
    trainers = PeopleField(queryset=User.objects.none(), label=_("Trainers"))
    participants = PeopleField(
        queryset=User.objects.none(), label=_("Participants"), required=False
    )
    principles = forms.CharField(
        label=_("Principles covered"),
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
    )

    def set_people(self, trainers: QuerySet[User], staff: QuerySet[User]) -> None:
        self.fields["trainers"].queryset = trainers  # type: ignore[attr-defined]  # ModelMultipleChoiceField
        self.fields["participants"].queryset = staff  # type: ignore[attr-defined]  # ModelMultipleChoiceField

    def clean_principles(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["principles"].splitlines() if line.strip()
        ]


class CohortForm(CohortFieldsMixin):
    host_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Host agency"))
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        label=_("Other member agencies"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(label=_("First session on or after"), widget=DATE_INPUT)
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), choices=Weekday.choices, coerce=int
    )
    field_order = ["name", "host_agency", "agencies", "starts_on", "ends_on", "weekday"]

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Agency],
        trainers: QuerySet[User],
        staff: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial", {"principles": principles_text([str(p) for p in DEFAULT_PRINCIPLES])}
        )
        super().__init__(*args, **kwargs)
        self.fields["host_agency"].queryset = agencies  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["agencies"].queryset = agencies  # type: ignore[attr-defined]  # ModelMultipleChoiceField
        self.set_people(trainers, staff)


class CohortCorrectionForm(CohortFieldsMixin, VersionedForm):
    reason = forms.CharField(label=_("Why it is corrected"), max_length=500)

    def __init__(
        self, *args: Any, trainers: QuerySet[User], staff: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_people(trainers, staff)


class VoidForm(VersionedForm):
    reason = _text(_("Why it is voided"), rows=2, max_length=500)


class SessionForm(VersionedForm):
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    principles = forms.ModelMultipleChoiceField(
        queryset=Principle.objects.none(),
        label=_("Principles covered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Why it is corrected"),
        max_length=500,
        required=False,
        help_text=_("Needed when you change a topic or principles already saved."),
    )

    def __init__(self, *args: Any, principles: QuerySet[Principle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["principles"].queryset = principles  # type: ignore[attr-defined]  # ModelMultipleChoiceField


class AttendanceForm(forms.Form):
    """One choice per participant, the whole list in one form."""

    def __init__(
        self, *args: Any, participants: list[Participant], current: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for place in participants:
            self.fields[f"p{place.pk}"] = forms.ChoiceField(
                label=place.user.full_name,
                choices=AttendanceStatus.choices,
                initial=current.get(place.pk, AttendanceStatus.PRESENT),
                widget=forms.RadioSelect,
            )
        if current:
            self.fields["reason"] = forms.CharField(
                label=_("Why it is corrected"),
                max_length=500,
                required=False,
                help_text=_("Needed when you change a status already saved."),
            )

    def statuses(self) -> dict[int, str]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("p") and name[1:].isdigit()
        }


class LinkForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.URLField(label=_("Link"), max_length=200, assume_scheme="https")


class FileForm(forms.Form):
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    upload = forms.FileField(
        label=_("File"), help_text=_("PDF, office document, text or image; up to 10 MB.")
    )


class MaterialVoidForm(forms.Form):
    material = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why it is removed"), max_length=500)


class SwapForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Participant.objects.none(), label=_("Swap with"))

    def __init__(self, *args: Any, partners: QuerySet[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["partner"].label_from_instance = lambda p: p.user.full_name  # type: ignore[attr-defined]  # ModelChoiceField


class NoteFields(forms.Form):
    presenting_question = _text(_("Presenting question"), rows=2, max_length=2000)
    case_summary = _text(
        _("De-identified case summary"),
        rows=6,
        max_length=5000,
    )
    principles = forms.ModelMultipleChoiceField(
        queryset=Principle.objects.none(),
        label=_("Principles applied"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    suggestions = _text(_("The group's suggestions"), rows=4, required=False)

    def __init__(self, *args: Any, principles: QuerySet[Principle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["principles"].queryset = principles  # type: ignore[attr-defined]  # ModelMultipleChoiceField
        self.fields["case_summary"].help_text = _(
            "No name, e-mail address or phone number of a client: a note that holds one is refused."
        )


class NoteCorrectionForm(NoteFields, VersionedForm):
    reason = forms.CharField(label=_("Why it is corrected"), max_length=500)


class FollowUpForm(forms.Form):
    session = forms.ModelChoiceField(queryset=TrainingSession.objects.none(), label=_("Session"))
    what_i_tried = _text(_("What I tried"), max_length=3000)
    what_happened = _text(_("What happened"), max_length=3000)

    def __init__(self, *args: Any, sessions: QuerySet[TrainingSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["session"].label_from_instance = (  # type: ignore[attr-defined]  # ModelChoiceField
            lambda s: date_format(s.held_on, "SHORT_DATE_FORMAT")
        )


class FollowUpCorrectionForm(FollowUpForm, VersionedForm):
    reason = forms.CharField(label=_("Why it is corrected"), max_length=500)


class WaveForm(forms.Form):
    """The trainer opens a self-efficacy wave: which one, and until when it stays open."""

    kind = forms.ChoiceField(label=_("Wave"), choices=WaveKind.choices)
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE_INPUT)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE_INPUT)

    @override
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The window cannot close before it opens."))
        return data


class EfficacyCorrectionForm(VersionedForm):
    """The reason a participant gives for correcting their own answers (items come apart)."""

    reason = _text(_("Why you correct your answers"), rows=2, max_length=500)


class WaveCorrectionForm(VersionedForm):
    """The trainer corrects a wave's window, with the reason."""

    opens_on = forms.DateField(label=_("Opens on"), widget=DATE_INPUT)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Why it is corrected"), max_length=500)

    @override
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The window cannot close before it opens."))
        return data


class SwapUndoForm(forms.Form):
    reason = _text(_("Why the swap is undone"), rows=2, max_length=500)
