"""The form of an analysis run: the study's defaults, changed for this run."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.research.analysis.settings import AnalysisSettings
from tandem.research.models import (
    COVARIATE_COLUMNS,
    COVARIATE_LABELS,
    Bootstrap,
    ExposureDays,
    Study,
)


class RunForm(forms.Form):
    exposure_days = forms.TypedChoiceField(
        label=_("Exposure window"), choices=ExposureDays.choices, coerce=int
    )
    outcome_instrument = forms.ChoiceField(label=_("Outcome instrument"))
    outcome_score = forms.CharField(
        label=_("Outcome score"),
        max_length=40,
        help_text=_("total, or the name of one of the instrument's subscales."),
    )
    outcome_wave = forms.ChoiceField(label=_("Outcome wave"))
    mediator_instrument = forms.ChoiceField(label=_("Mediator instrument"))
    mediator_wave = forms.ChoiceField(label=_("Mediator wave"))
    baseline_wave = forms.ChoiceField(
        label=_("Baseline wave (optional)"),
        required=False,
        help_text=_("The outcome's score at this wave is added as a covariate."),
    )
    covariates = forms.MultipleChoiceField(
        label=_("Covariates"),
        required=False,
        choices=[(c, COVARIATE_LABELS[c]) for c in COVARIATE_COLUMNS if c != "exposure"],
        widget=forms.CheckboxSelectMultiple,
    )
    imputations = forms.IntegerField(
        label=_("Imputations"),
        min_value=0,
        max_value=100,
        help_text=_("0 keeps complete cases only."),
    )
    resamples = forms.IntegerField(label=_("Bootstrap resamples"), min_value=100, max_value=100_000)
    bootstrap = forms.ChoiceField(label=_("Bootstrap interval"), choices=Bootstrap.choices)
    cluster_by_team = forms.BooleanField(label=_("Resample whole teams"), required=False)
    seed = forms.IntegerField(label=_("Random seed"), min_value=0, max_value=2**62)

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        waves = [(w.code, f"{w.label} ({w.code})") for w in study.waves.order_by("order", "pk")]
        instruments = sorted(set(study.measures.values_list("instrument_code", flat=True)))
        codes = [(c, c) for c in instruments]
        self.fields["outcome_instrument"].choices = codes  # type: ignore[attr-defined]
        self.fields["mediator_instrument"].choices = codes  # type: ignore[attr-defined]
        self.fields["outcome_wave"].choices = waves  # type: ignore[attr-defined]
        self.fields["mediator_wave"].choices = waves  # type: ignore[attr-defined]
        self.fields["baseline_wave"].choices = [("", "—"), *waves]  # type: ignore[attr-defined]
        self.settings: AnalysisSettings | None = None

    @override
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.settings = AnalysisSettings(
                exposure_days=data["exposure_days"],
                mediator_instrument=data["mediator_instrument"],
                mediator_wave=data["mediator_wave"],
                outcome_instrument=data["outcome_instrument"],
                outcome_score=data["outcome_score"].strip() or "total",
                outcome_wave=data["outcome_wave"],
                baseline_wave=data["baseline_wave"] or None,
                covariates=tuple(data["covariates"]),
                imputations=data["imputations"],
                resamples=data["resamples"],
                bootstrap=data["bootstrap"],
                cluster_by_team=data["cluster_by_team"],
                seed=data["seed"],
            )
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                _("These settings cannot be run: %(problem)s"), params={"problem": str(exc)}
            ) from None
        return data


def run_initial(study: Study) -> dict[str, Any]:
    """The study's default analysis as the form's first values."""
    return {
        "exposure_days": study.exposure_days,
        "outcome_instrument": study.outcome_instrument,
        "outcome_score": study.outcome_score or "total",
        "outcome_wave": study.outcome_wave,
        "mediator_instrument": study.mediator_instrument,
        "mediator_wave": study.mediator_wave,
        "baseline_wave": study.baseline_wave or "",
        "covariates": [c for c in study.covariates if c != "exposure"],
        "imputations": study.imputations,
        "resamples": study.resamples,
        "bootstrap": study.bootstrap,
        "cluster_by_team": study.cluster_by_team,
        "seed": study.seed,
    }
