"""Admin pages of the measures app: agency administrators upload licensed instrument wording."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import Max, Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.core.admin_scoping import AgencyScopedAdmin
from tandem.measures.models import InstrumentWording, Schedule
from tandem.measures.registry import DefinitionError, all_instruments, get_instrument
from tandem.measures.wording import WordingError, check_texts, parse_wording

MAX_UPLOAD_BYTES = 512 * 1024


def _texts_from_document(document: dict[str, Any], code: str, language: str) -> dict[str, str]:
    """The texts of one language from a whole wording file (as ``tandem instruments load``)."""
    parsed = parse_wording(document)
    if parsed.instrument.code != code:
        raise WordingError([f"instrument: the file is for {parsed.instrument.code}, not {code}"])
    if language not in parsed.texts:
        raise WordingError([f"wording: the file has no {language} texts"])
    return parsed.texts[language]


class InstrumentWordingForm(forms.ModelForm):  # type: ignore[type-arg]  # admin form, untyped base
    """Upload one language's texts: a YAML or JSON file mapping item ids to texts."""

    instrument_code = forms.ChoiceField(label=_("instrument"), choices=())
    wording_file = forms.FileField(
        label=_("wording file"),
        help_text=_(
            "YAML or JSON mapping item ids (q1, q2, ...) to the licensed texts, or a whole "
            "wording file as loaded by 'tandem instruments load'."
        ),
    )

    class Meta:
        model = InstrumentWording
        fields = ("agency", "instrument_code", "language")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "instrument_code" in self.fields:  # absent on the read-only page of a stored row
            field = cast(forms.ChoiceField, self.fields["instrument_code"])
            field.choices = [(i.code, f"{i.title} v{i.version}") for i in all_instruments()]

    def _post_clean(self) -> None:
        # The model's own check repeats the texts check on an instance the form could not fill
        # in; once the form has errors it would only add confusing duplicates.
        if self.errors:
            return
        super()._post_clean()  # type: ignore[misc]  # private ModelForm hook missing from stubs

    def clean_wording_file(self) -> dict[str, str]:
        import yaml

        upload = self.cleaned_data["wording_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."), code="too_large")
        try:
            texts = yaml.safe_load(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError):
            raise forms.ValidationError(
                _("The file is not valid YAML or JSON."), code="invalid"
            ) from None
        if not isinstance(texts, dict):
            raise forms.ValidationError(_("The file must map item ids to texts."), code="invalid")
        return {str(key): value for key, value in texts.items()}

    @override
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        code, language, texts = (
            cleaned.get("instrument_code"),
            cleaned.get("language"),
            cleaned.get("wording_file"),
        )
        if code and language and texts is not None:
            try:
                instrument = get_instrument(code)
                if "wording" in texts:
                    texts = _texts_from_document(texts, code, language)
                check_texts(code, instrument.version, language, texts)
            except (WordingError, DefinitionError) as exc:
                problems = getattr(exc, "problems", [str(exc)])
                raise forms.ValidationError(problems, code="invalid") from None
            self.instance.instrument_version = instrument.version
            self.instance.texts = {key: str(value).strip() for key, value in texts.items()}
        return cleaned


@admin.register(InstrumentWording)
class InstrumentWordingAdmin(AgencyScopedAdmin):
    """Versioned uploads: a row is never edited; a new upload adds the next revision."""

    form = InstrumentWordingForm
    list_display = (
        "instrument_code",
        "instrument_version",
        "language",
        "revision",
        "is_demo",
        "agency",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("instrument_code", "language")
    list_select_related = ("agency", "uploaded_by")
    readonly_fields = (
        "instrument_version",
        "revision",
        "is_demo",
        "texts",
        "uploaded_by",
        "uploaded_at",
    )
    foreign_key_scopes = {"agency": "pk"}

    @override
    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Revisions are kept so that the wording a client saw can be found again.
        return bool(request.user.is_superuser)

    @override
    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("agency", "instrument_code", "language", "wording_file")
        return ("agency", "instrument_code", "language", *self.readonly_fields)

    @override
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("agency", "instrument_code", "language", *self.readonly_fields)

    @override
    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        wording = cast(InstrumentWording, obj)
        latest = InstrumentWording.objects.filter(
            agency_id=wording.agency_id,
            instrument_code=wording.instrument_code,
            instrument_version=wording.instrument_version,
            language=wording.language,
        ).aggregate(latest=Max("revision"))["latest"]
        wording.revision = (latest or 0) + 1
        wording.uploaded_by = request.user  # type: ignore[assignment]  # staff user in the admin
        wording.full_clean()
        super().save_model(request, wording, form, change)


class ScheduleForm(forms.ModelForm):  # type: ignore[type-arg]  # admin form, untyped base
    """A schedule names its instrument from the registry."""

    instrument_code = forms.ChoiceField(label=_("instrument"), choices=())

    class Meta:
        model = Schedule
        fields = (
            "programme",
            "scope",
            "study_name",
            "instrument_code",
            "rule",
            "include_baseline",
            "interval_months",
            "span_months",
            "every_n_contacts",
            "window_before_days",
            "window_after_days",
            "reminder_after_days",
            "is_active",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["instrument_code"])
        field.choices = [(i.code, f"{i.title} ({i.code})") for i in all_instruments()]


@admin.register(Schedule)
class ScheduleAdmin(AgencyScopedAdmin):
    """Programme and study schedules: which instrument falls due when, and its window."""

    form = ScheduleForm
    agency_field = "programme__agency_id"
    list_display = ("instrument_code", "programme", "rule", "scope", "study_name", "is_active")
    list_filter = ("rule", "scope", "is_active")
    list_select_related = ("programme",)
    foreign_key_scopes = {"programme": "agency_id"}
