"""Forms of the measurement pages: answers to an instrument, and how to hand over a link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from typing_extensions import override

from tandem.measures.labels import localised
from tandem.measures.models import InvitationChannel, Schedule, ScheduleRule
from tandem.measures.registry import Instrument, all_instruments


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


def _value_text(value: float) -> str:
    return f"{value:g}"


def _answer_text(given: object) -> str:
    """A stored number as the page shows it; anything typed is kept exactly as typed."""
    if given is None:
        return ""
    if isinstance(given, int | float):
        return _value_text(float(given))
    return str(given)


def item_rows(
    instrument: Instrument,
    answers: dict[str, Any],
    errors: dict[str, str] | None = None,
    wording: dict[str, str] | None = None,
) -> list[QuestionRow]:
    """The instrument's items in order with the answers given so far (and licensed wording)."""
    errors = errors or {}
    wording = wording or {}
    rows = []
    for number, item in enumerate(instrument.items, start=1):
        scale = instrument.scale_of(item)
        values = sorted(scale.values)
        options = tuple(
            Option(
                value=_value_text(value),
                label=_value_text(value)
                + (" (" + _("lowest") + ")" if value == values[0] else "")
                + (" (" + _("highest") + ")" if value == values[-1] else ""),
            )
            for value in values
        )
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
    return [(i.code, f"{i.title} ({i.code})") for i in all_instruments()]


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
