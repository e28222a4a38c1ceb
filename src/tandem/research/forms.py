"""Forms of the research pages; the services validate again and have the last word."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import User
from tandem.core.forms import DATE_INPUT
from tandem.measures.labels import localised
from tandem.measures.registry import all_instruments
from tandem.orgs.models import Agency, Programme, Team
from tandem.research.models import (
    COVARIATE_COLUMNS,
    COVARIATE_LABELS,
    Bootstrap,
    DateMode,
    DiagnosisGroup,
    ExposureDays,
    MemberRole,
    Study,
    StudyStatus,
)
from tandem.research.services import AnalysisDefaults, WaveInput


class _UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs: generic field
    @override
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})"


class _ProgrammeChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # stubs
    @override
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.agency.name})"


class _TeamChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # stubs
    @override
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.programme.name})"


def _instrument_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(i.code, f"{i.code} — {localised(i.title)}") for i in all_instruments()]


class StudyForm(forms.Form):
    """Start a study: its agency, title, programmes and, optionally, its lead."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label=pgettext_lazy("organisation", "Agency")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.CharField(
        label=_("Short name"),
        max_length=40,
        help_text=_("Lower-case letters, digits and underscores, e.g. alliance_2026."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    programmes = _ProgrammeChoice(
        queryset=Programme.objects.none(),
        label=_("Programmes"),
        widget=forms.CheckboxSelectMultiple,
    )
    teams = _TeamChoice(
        queryset=Team.objects.none(),
        label=_("Only these teams (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exposure_days = forms.TypedChoiceField(
        label=_("Exposure window"),
        choices=ExposureDays.choices,
        coerce=int,
        initial=ExposureDays.DAYS_180,
    )
    date_mode = forms.ChoiceField(
        label=_("Dates in the data set"), choices=DateMode.choices, initial=DateMode.DAYS
    )
    lead = _UserChoice(
        queryset=User.objects.none(),
        label=_("Lead researcher (optional)"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Agency],
        programmes: QuerySet[Programme],
        teams: QuerySet[Team],
        leads: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["programmes"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]
        self.fields["lead"].queryset = leads  # type: ignore[attr-defined]
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first()


WAVES_HELP = _(
    "One wave a line: code; label; target day since enrolment; days before; days after. "
    "For example: m4_5; Month 4.5; 135; 30; 30"
)
MEASURES_HELP = _(
    "One wave a line: the wave's code, a colon, then the instrument codes. For example: "
    "m4_5: rprs, wai_sr"
)


def _parse_waves(text: str) -> list[WaveInput]:
    waves = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        try:
            code, label, target, before, after = parts
            waves.append(WaveInput(code, label, int(target), int(before), int(after)))
        except ValueError:
            raise ValidationError(
                _("Line %(number)d: write code; label; target day; days before; days after.")
                % {"number": number}
            ) from None
    return waves


def _parse_measures(text: str) -> list[tuple[str, str]]:
    measures = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        wave, sep, codes = line.partition(":")
        if not sep or not wave.strip():
            raise ValidationError(
                _("Line %(number)d: write the wave's code, a colon, then instrument codes.")
                % {"number": number}
            )
        measures += [(wave.strip(), c.strip()) for c in codes.split(",") if c.strip()]
    return measures


def _spaced() -> str:
    """French typography puts a space before ; and : (the parser ignores spaces either way)."""
    return " " if (get_language() or "").startswith("fr") else ""


def waves_text(study: Study) -> str:
    semicolon = f"{_spaced()}; "
    return "\n".join(
        semicolon.join(str(v) for v in (w.code, w.label, w.target_day, w.before_days, w.after_days))
        for w in study.waves.all()
    )


def measures_text(study: Study) -> str:
    by_wave: dict[str, list[str]] = {}
    for measure in study.measures.select_related("wave").order_by("wave__order", "pk"):
        by_wave.setdefault(measure.wave.code, []).append(measure.instrument_code)
    colon = f"{_spaced()}: "
    return "\n".join(f"{code}{colon}{', '.join(codes)}" for code, codes in by_wave.items())


class StudyEditForm(forms.Form):
    """A study's details, protocol and analysis defaults, in one form."""

    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.CharField(label=_("Short name"), max_length=40)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("Status"), choices=StudyStatus.choices)
    programmes = _ProgrammeChoice(
        queryset=Programme.objects.none(),
        label=_("Programmes"),
        widget=forms.CheckboxSelectMultiple,
    )
    teams = _TeamChoice(
        queryset=Team.objects.none(),
        label=_("Only these teams (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exposure_days = forms.TypedChoiceField(
        label=_("Exposure window"), choices=ExposureDays.choices, coerce=int
    )
    date_mode = forms.ChoiceField(label=_("Dates in the data set"), choices=DateMode.choices)
    waves = forms.CharField(
        label=_("Waves"),
        required=False,
        help_text=WAVES_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    measures = forms.CharField(
        label=_("Measures"),
        required=False,
        help_text=MEASURES_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    mediator_instrument = forms.ChoiceField(label=_("Mediator instrument"), required=False)
    mediator_wave = forms.CharField(label=_("Mediator wave"), required=False, max_length=40)
    outcome_instrument = forms.ChoiceField(label=_("Outcome instrument"), required=False)
    outcome_score = forms.CharField(
        label=_("Outcome score"),
        max_length=40,
        initial="total",
        help_text=_("total, or the name of one of the instrument's subscales."),
    )
    outcome_wave = forms.CharField(label=_("Outcome wave"), required=False, max_length=40)
    baseline_wave = forms.CharField(
        label=_("Baseline wave (optional)"),
        required=False,
        max_length=40,
        help_text=_("The outcome's score at this wave is added as a covariate."),
    )
    covariates = forms.MultipleChoiceField(
        label=_("Covariates"),
        required=False,
        choices=[(c, COVARIATE_LABELS[c]) for c in COVARIATE_COLUMNS],
        widget=forms.CheckboxSelectMultiple,
    )
    imputations = forms.IntegerField(
        label=_("Imputations"),
        min_value=0,
        max_value=200,
        help_text=_("0 keeps complete cases only."),
    )
    resamples = forms.IntegerField(label=_("Bootstrap resamples"), min_value=100, max_value=100_000)
    bootstrap = forms.ChoiceField(label=_("Bootstrap interval"), choices=Bootstrap.choices)
    cluster_by_team = forms.BooleanField(label=_("Resample whole teams"), required=False)
    seed = forms.IntegerField(label=_("Random seed"), min_value=0)
    run_quarterly = forms.BooleanField(
        label=_("Run the analysis every quarter"),
        required=False,
        help_text=_("The nightly job queues a run of these defaults once a quarter."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, programmes: QuerySet[Programme], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]
        choices = _instrument_choices()
        self.fields["mediator_instrument"].choices = choices  # type: ignore[attr-defined]
        self.fields["outcome_instrument"].choices = choices  # type: ignore[attr-defined]

    def clean_waves(self) -> list[WaveInput]:
        return _parse_waves(self.cleaned_data["waves"])

    def clean_measures(self) -> list[tuple[str, str]]:
        return _parse_measures(self.cleaned_data["measures"])

    def analysis(self) -> AnalysisDefaults:
        data = self.cleaned_data
        return AnalysisDefaults(
            mediator_instrument=data["mediator_instrument"],
            mediator_wave=data["mediator_wave"].strip(),
            outcome_instrument=data["outcome_instrument"],
            outcome_score=data["outcome_score"].strip() or "total",
            outcome_wave=data["outcome_wave"].strip(),
            baseline_wave=data["baseline_wave"].strip() or None,
            covariates=tuple(data["covariates"]),
            imputations=data["imputations"],
            resamples=data["resamples"],
            bootstrap=data["bootstrap"],
            cluster_by_team=data["cluster_by_team"],
            seed=data["seed"],
            run_quarterly=data["run_quarterly"],
        )


def study_initial(study: Study) -> dict[str, Any]:
    return {
        "title": study.title,
        "slug": study.slug,
        "description": study.description,
        "status": study.status,
        "programmes": list(study.programmes.all()),
        "teams": list(study.teams.all()),
        "exposure_days": study.exposure_days,
        "date_mode": study.date_mode,
        "waves": waves_text(study),
        "measures": measures_text(study),
        "mediator_instrument": study.mediator_instrument,
        "mediator_wave": study.mediator_wave,
        "outcome_instrument": study.outcome_instrument,
        "outcome_score": study.outcome_score,
        "outcome_wave": study.outcome_wave,
        "baseline_wave": study.baseline_wave or "",
        "covariates": list(study.covariates),
        "imputations": study.imputations,
        "resamples": study.resamples,
        "bootstrap": study.bootstrap,
        "cluster_by_team": study.cluster_by_team,
        "seed": study.seed,
        "run_quarterly": study.run_quarterly,
        "version": study.version,
    }


class MemberForm(forms.Form):
    user = _UserChoice(queryset=User.objects.none(), label=_("Person"))
    role = forms.ChoiceField(
        label=_("Role in the study"), choices=MemberRole.choices, initial=MemberRole.RESEARCHER
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people  # type: ignore[attr-defined]


class ConsentForm(forms.Form):
    study = forms.TypedChoiceField(label=_("Study"), coerce=int)
    consented_on = forms.DateField(label=_("Consent given on"), widget=DATE_INPUT)
    form_version = forms.CharField(
        label=_("Version of the consent form"),
        max_length=40,
        help_text=_("As printed on the signed form, e.g. 2.1."),
    )
    diagnosis_group = forms.ChoiceField(
        label=_("Diagnosis group"),
        choices=DiagnosisGroup.choices,
        initial=DiagnosisGroup.NOT_RECORDED,
    )

    def __init__(self, *args: Any, studies: list[Study], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["study"].choices = [(s.pk, s.title) for s in studies]  # type: ignore[attr-defined]


class ConsentCorrectionForm(forms.Form):
    consented_on = forms.DateField(label=_("Consent given on"), widget=DATE_INPUT)
    form_version = forms.CharField(label=_("Version of the consent form"), max_length=40)
    diagnosis_group = forms.ChoiceField(label=_("Diagnosis group"), choices=DiagnosisGroup.choices)
    reason = forms.CharField(label=_("Why is it corrected?"), max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Consent withdrawn on"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=500,
        help_text=_('Only what is needed, e.g. "asked to leave the study".'),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Why is it voided?"), max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)
