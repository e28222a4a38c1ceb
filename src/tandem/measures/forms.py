"""Forms of the measurement pages: answers to an instrument, and how to hand over a link."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from typing_extensions import override

from tandem.measures.labels import localised
from tandem.measures.models import InvitationChannel, Schedule, ScheduleRule
from tandem.measures.registry import Instrument, ResponseScale, all_instruments


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """One item as a page shows it: neutral label, its options or a free range, its answer."""

    id: str
    number: int
    options: tuple[Option, ...]
    low: float
    high: float
    continuous: bool
    is_text: bool
    answer: str
    error: str
    text: str = ""  # the agency's licensed wording of the item, when it has uploaded one
    allowed: str = ""  # exactly what validation accepts, e.g. "1 to 8" or "0, 1, 2 or 9"
    legend: str = ""  # the options whose label is more than their number: "0 = no need, ..."
    is_missing: bool = False  # unanswered when the client tried to send


def _value_text(value: float) -> str:
    return f"{value:g}"


def _answer_text(given: object) -> str:
    """A stored number as the page shows it; anything typed is kept exactly as typed."""
    if given is None:
        return ""
    if isinstance(given, int | float):
        return _value_text(float(given))
    return str(given)


def _number(value: float) -> str:
    """A scale value in the reader's locale: "3", or "2,5" in French; never "3.0"."""
    return number_format(int(value) if float(value).is_integer() else value)


def _allowed_text(scale: ResponseScale) -> str:
    """Exactly the answers validation accepts, as the paper form's hint shows them."""
    if scale.continuous:
        return _("any number from %(low)s to %(high)s") % {
            "low": _number(scale.min),
            "high": _number(scale.max),
        }
    values = sorted(scale.values)
    consecutive = all(float(v).is_integer() for v in values) and len(values) == int(
        values[-1] - values[0] + 1
    )
    if consecutive:
        return f"{_number(values[0])}\N{EN DASH}{_number(values[-1])}"
    shown = [_number(v) for v in values]
    return _("%(values)s or %(last)s") % {"values": ", ".join(shown[:-1]), "last": shown[-1]}


def _option_label(value: float, label: str) -> str:
    """An option's label in the reader's language; a bare number is shown as the number."""
    text = localised(label)
    return text if text != _value_text(value) else _number(value)


def item_rows(
    instrument: Instrument,
    answers: dict[str, Any],
    errors: dict[str, str] | None = None,
    wording: dict[str, str] | None = None,
    missing: Collection[str] = (),
) -> list[QuestionRow]:
    """The instrument's items in order with the answers given so far (and licensed wording)."""
    errors = errors or {}
    wording = wording or {}
    rows = []
    for number, item in enumerate(instrument.items, start=1):
        scale = instrument.scale_of(item)
        options = tuple(
            Option(value=_value_text(option.value), label=_option_label(option.value, option.label))
            for option in sorted(scale.options, key=lambda option: option.value)
        )
        worded = [
            f"{option.value} = {option.label}"
            for option in options
            if option.label != _number(float(option.value))
            and not option.label.startswith(_number(float(option.value)) + " ")
        ]
        given = answers.get(item.id)
        rows.append(
            QuestionRow(
                id=item.id,
                number=number,
                options=() if scale.continuous else options,
                low=scale.min,
                high=scale.max,
                continuous=scale.continuous,
                is_text=False,
                answer=_answer_text(given),
                error=errors.get(item.id, ""),
                text=wording.get(item.id, ""),
                allowed=_allowed_text(scale),
                legend=", ".join(worded),
                is_missing=item.id in missing,
            )
        )
    for number, text_item in enumerate(instrument.text_items, start=len(rows) + 1):
        rows.append(
            QuestionRow(
                id=text_item.id,
                number=number,
                options=(),
                low=0,
                high=0,
                continuous=False,
                is_text=True,
                answer=str(answers.get(text_item.id, "")),
                error=errors.get(text_item.id, ""),
                text=wording.get(text_item.id, ""),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One given answer as staff read it back: the item, the value and the option's label."""

    id: str
    number: int
    text: str
    value: str
    label: str


def answer_rows(
    instrument: Instrument, answers: dict[str, Any], wording: dict[str, str] | None = None
) -> list[AnswerRow]:
    """Every item with the client's answer and its scale label ("" where none was given)."""
    wording = wording or {}
    rows = []
    for number, item in enumerate(instrument.items, start=1):
        given = answers.get(item.id)
        value = label = ""
        if isinstance(given, int | float):
            value = _number(float(given))
            option = instrument.scale_of(item).label_of(float(given))
            label = _option_label(float(given), option) if option else ""
            if label == value:
                label = ""
        rows.append(AnswerRow(item.id, number, wording.get(item.id, ""), value, label))
    for number, text_item in enumerate(instrument.text_items, start=len(rows) + 1):
        text = str(answers.get(text_item.id, ""))
        rows.append(AnswerRow(text_item.id, number, wording.get(text_item.id, ""), text, ""))
    return rows


@dataclass(frozen=True, slots=True)
class ScoreRow:
    name: str
    label: str
    value: float | None


def score_rows(instrument: Instrument, scores: dict[str, Any]) -> list[ScoreRow]:
    """The instrument's scores in output order with their labels in the reader's language."""
    return [
        ScoreRow(score.name, localised(score.label), scores.get(score.name))
        for score in instrument.scores
    ]


def answers_from_post(instrument: Instrument, data: Any) -> dict[str, str]:
    """The raw answers in a POST, keyed by item id (only the instrument's own items)."""
    ids = [*instrument.item_ids, *(item.id for item in instrument.text_items)]
    return {item_id: data[item_id] for item_id in ids if item_id in data}


class LinkForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Hand the link over"),
        choices=[
            (InvitationChannel.IN_PERSON.value, gettext_lazy("Show a QR code now")),
            (InvitationChannel.EMAIL.value, gettext_lazy("Send it by email")),
        ],
        initial=InvitationChannel.IN_PERSON.value,
    )

    @override
    def clean(self) -> dict[str, Any]:
        return super().clean() or {}


def _instrument_choices() -> list[tuple[str, str]]:
    return [(i.code, f"{localised(i.title)} ({i.code})") for i in all_instruments()]


class ExportForm(forms.Form):
    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"), choices=_instrument_choices)
    study = forms.ChoiceField(label=gettext_lazy("Responses"), required=False)
    format = forms.ChoiceField(
        label=gettext_lazy("File format"),
        choices=[("csv", "CSV"), ("sav", gettext_lazy("SPSS (.sav)"))],
        initial="csv",
    )

    def __init__(self, *args: Any, studies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["study"])
        field.choices = [("", _("All of the programme")), *((name, name) for name in studies)]


MAX_IMPORT_BYTES = 50 * 1024 * 1024


class ImportForm(forms.Form):
    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"), choices=_instrument_choices)
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns episode_id, completed_on (YYYY-MM-DD) and one per item (q1, q2, ...)."
        ),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."), code="too_large")
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text."), code="encoding") from None


# ---- schedules, set by programme managers and agency administrators -----------------------------
def _scheduled_instrument_choices() -> list[tuple[str, str]]:
    return [(i.code, localised(i.title)) for i in all_instruments()]


class ScheduleForm(forms.ModelForm[Schedule]):
    """When one instrument falls due in a programme: at intake, at discharge or in waves."""

    instrument_code = forms.ChoiceField(
        label=gettext_lazy("Instrument"), choices=_scheduled_instrument_choices
    )
    rule = forms.ChoiceField(
        label=gettext_lazy("When"),
        choices=[
            (ScheduleRule.INTAKE.value, gettext_lazy("At intake (episode start)")),
            (ScheduleRule.DISCHARGE.value, gettext_lazy("At discharge")),
            (ScheduleRule.WAVES.value, gettext_lazy("In waves from the episode start")),
            (ScheduleRule.EVERY_NTH_CONTACT.value, gettext_lazy("Every Nth contact")),
        ],
        widget=forms.RadioSelect,
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Schedule
        fields = [
            "instrument_code",
            "rule",
            "include_baseline",
            "interval_months",
            "interval_days",
            "span_months",
            "every_n_contacts",
            "window_before_days",
            "window_after_days",
            "reminder_after_days",
        ]
        labels = {
            "include_baseline": gettext_lazy("Waves: a baseline wave at the episode start"),
            "interval_months": gettext_lazy("Waves: every ... months"),
            "interval_days": gettext_lazy("Waves: or every ... days"),
            "span_months": gettext_lazy("Waves: for ... months"),
            "every_n_contacts": gettext_lazy("Every Nth contact: N"),
        }
        help_texts = {
            "interval_months": gettext_lazy(
                "For example 4.5 for every four and a half months (137 days)."
            ),
            "interval_days": gettext_lazy("Leave empty when the interval is in months."),
        }

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["reason"]
            del self.fields["fingerprint"]
        for name in ("interval_months", "span_months"):
            self.fields[name].widget.attrs.update({"step": "0.25", "inputmode": "decimal"})
        self.fields["include_baseline"].required = False


class DeactivateScheduleForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say why the schedule stops.")},
    )


class PaperEntryForm(forms.Form):
    """The day a paper or clinician-rated form was filled in (the answers are read apart)."""

    completed_on = forms.DateField(
        label=gettext_lazy("Completed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The day the form was filled in (today if left empty)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].initial = timezone.localdate()

    def clean_completed_on(self) -> date:
        day: date | None = self.cleaned_data["completed_on"]
        if day is None:
            return timezone.localdate()
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        return day


def limit_completion_date(form: forms.Form, *, window_opens: date) -> None:
    """Let the browser's date picker offer only what the service accepts."""
    today = timezone.localdate()
    attrs = form.fields["completed_on"].widget.attrs
    # Today is always accepted: a form filled in early for a wave not yet open is dated today.
    attrs["min"] = min(window_opens, today).isoformat()
    attrs["max"] = today.isoformat()


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why was it not collected?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReopenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CorrectionForm(forms.Form):
    """Why a completed response is corrected, and the day it was filled in."""

    completed_on = forms.DateField(
        label=gettext_lazy("Completed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Left empty, the date stays as it was."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why are the answers corrected?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_completed_on(self) -> date | None:
        day: date | None = self.cleaned_data["completed_on"]
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        return day


class ScheduleOneForm(forms.Form):
    """One questionnaire scheduled by hand in one of the client's open episodes."""

    episode_id = forms.TypedChoiceField(label=gettext_lazy("Episode"), coerce=int)
    instrument_code = forms.ChoiceField(label=gettext_lazy("Questionnaire"))
    due_date = forms.DateField(
        label=gettext_lazy("Due on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    send_invitation = forms.BooleanField(
        label=gettext_lazy("Email the client a link now"),
        required=False,
        help_text=gettext_lazy(
            "Only for questionnaires the client answers, and a client with an email address."
        ),
    )

    def __init__(
        self,
        *args: Any,
        episodes: list[tuple[int, str]],
        instruments: list[Instrument],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        episode_field = cast(forms.TypedChoiceField, self.fields["episode_id"])
        episode_field.choices = episodes
        if len(episodes) == 1:
            episode_field.widget = forms.HiddenInput()
            self.initial.setdefault("episode_id", episodes[0][0])
        instrument_field = cast(forms.ChoiceField, self.fields["instrument_code"])
        instrument_field.choices = [
            (i.code, f"{localised(i.title)} ({i.code.upper()})") for i in instruments
        ]
