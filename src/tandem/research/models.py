"""Studies, their protocol (waves and measures), their members, and research consent.

A study belongs to one agency and runs over some of its programmes (optionally narrowed to some
teams). Its members are researchers: they read the study's protocol and aggregates, never an
identified record. Research consent (an ``Enrolment``) is recorded on the client's record by the
people who may open it; a withdrawal or a void removes the person from every later data set.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import User
from tandem.clients.models import Client
from tandem.orgs.models import Agency, Programme, Team

CODE_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    _("Use lower-case letters, digits and underscores, starting with a letter."),
)

# Columns of the study's data set that may serve as covariates of an analysis (see the research
# contract: the data set's columns, in their order).
COVARIATE_COLUMNS: tuple[str, ...] = (
    "age_years",
    "age_band",
    "gender",
    "diagnosis_group",
    "years_in_service",
    "episode_days",
    "discharged",
    "team",
    "programme",
    "exposure",
)
COVARIATE_LABELS = {
    "age_years": _("Age in years"),
    "age_band": _("Age band"),
    "gender": _("Gender"),
    "diagnosis_group": _("Diagnosis group"),
    "years_in_service": _("Years in service"),
    "episode_days": _("Days in the episode"),
    "discharged": _("Discharged"),
    "team": _("Team"),
    "programme": _("Programme"),
    "exposure": _("Exposure to fidelity"),
}


class StudyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class ExposureDays(models.IntegerChoices):
    DAYS_90 = 90, _("90 days")
    DAYS_180 = 180, _("180 days")
    DAYS_270 = 270, _("270 days")


class DateMode(models.TextChoices):
    DAYS = "days", _("Days since enrolment")
    SHIFT = "shift", _("Dates shifted per person")


class Bootstrap(models.TextChoices):
    PERCENTILE = "percentile", _("Percentile")
    BC = "bc", _("Bias-corrected")
    BCA = "bca", _("Bias-corrected and accelerated")


class DiagnosisGroup(models.TextChoices):
    PSYCHOTIC = "psychotic", _("Psychotic disorder")
    BIPOLAR = "bipolar", _("Bipolar disorder")
    DEPRESSIVE = "depressive", _("Depressive disorder")
    ANXIETY = "anxiety", _("Anxiety disorder")
    PERSONALITY = "personality", _("Personality disorder")
    SUBSTANCE = "substance", _("Substance use disorder")
    OTHER = "other", _("Other")
    NOT_RECORDED = "not_recorded", _("Not recorded")


class MemberRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    RESEARCHER = "researcher", _("Researcher")


class Study(models.Model):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="studies", verbose_name=_("agency")
    )
    slug = models.CharField(_("short name"), max_length=40, validators=[CODE_VALIDATOR])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=StudyStatus.choices, default=StudyStatus.DRAFT
    )
    exposure_days = models.PositiveSmallIntegerField(
        _("exposure window"), choices=ExposureDays.choices, default=ExposureDays.DAYS_180
    )
    date_mode = models.CharField(
        _("dates in the data set"), max_length=10, choices=DateMode.choices, default=DateMode.DAYS
    )
    programmes = models.ManyToManyField(
        Programme, related_name="studies", verbose_name=_("programmes")
    )
    teams = models.ManyToManyField(
        Team, related_name="studies", blank=True, verbose_name=_("teams")
    )
    # The analysis's default settings (an analysis run stores its own copy).
    mediator_instrument = models.CharField(_("mediator instrument"), max_length=40, blank=True)
    mediator_wave = models.CharField(_("mediator wave"), max_length=40, blank=True)
    outcome_instrument = models.CharField(_("outcome instrument"), max_length=40, blank=True)
    outcome_score = models.CharField(_("outcome score"), max_length=40, default="total")
    outcome_wave = models.CharField(_("outcome wave"), max_length=40, blank=True)
    # None (not "") when no baseline: AnalysisSettings.baseline_wave is ``str | None``.
    baseline_wave = models.CharField(  # noqa: DJ001
        _("baseline wave"), max_length=40, null=True, blank=True
    )
    covariates = models.JSONField(_("covariates"), default=list, blank=True)
    imputations = models.PositiveSmallIntegerField(
        _("imputations"), default=20, validators=[MaxValueValidator(200)]
    )
    resamples = models.PositiveIntegerField(
        _("bootstrap resamples"),
        default=5000,
        validators=[MinValueValidator(100), MaxValueValidator(100_000)],
    )
    bootstrap = models.CharField(
        _("bootstrap interval"),
        max_length=10,
        choices=Bootstrap.choices,
        default=Bootstrap.PERCENTILE,
    )
    cluster_by_team = models.BooleanField(_("resample whole teams"), default=False)
    seed = models.PositiveIntegerField(_("random seed"), default=1)
    # Bumped by every withdrawal, void or correction of a consent, so that a run made before
    # can say that the data set has changed since.
    data_version = models.PositiveIntegerField(default=1)
    # The nightly job queues a run of the default analysis once a quarter when this is set.
    run_quarterly = models.BooleanField(_("run the analysis every quarter"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        ordering: ClassVar[list[str]] = ["title", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["agency", "slug"], name="study_slug_unique")
        ]

    @override
    def __str__(self) -> str:
        return self.title


class StudyWave(models.Model):
    """A measurement occasion: a target day since enrolment and a window around it."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="waves")
    code = models.CharField(_("code"), max_length=40, validators=[CODE_VALIDATOR])
    label = models.CharField(_("label"), max_length=120)
    target_day = models.PositiveIntegerField(_("target day"))
    before_days = models.PositiveIntegerField(_("days before"))
    after_days = models.PositiveIntegerField(_("days after"))
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering: ClassVar[list[str]] = ["order", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["study", "code"], name="studywave_code_unique")
        ]

    @override
    def __str__(self) -> str:
        return self.label


class StudyMeasure(models.Model):
    """An instrument given at a wave."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="measures")
    wave = models.ForeignKey(StudyWave, on_delete=models.CASCADE, related_name="measures")
    instrument_code = models.CharField(_("instrument"), max_length=40)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering: ClassVar[list[str]] = ["wave__order", "instrument_code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["study", "wave", "instrument_code"], name="studymeasure_unique"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.wave.code}:{self.instrument_code}"


class StudyMember(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="study_memberships", verbose_name=_("person")
    )
    role = models.CharField(
        _("role"), max_length=12, choices=MemberRole.choices, default=MemberRole.RESEARCHER
    )
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("study member")
        verbose_name_plural = _("study members")
        ordering: ClassVar[list[str]] = ["role", "user__full_name", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["study", "user"], name="studymember_unique")
        ]

    @override
    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Enrolment(models.Model):
    """A client's research consent for one study: recorded, corrected, withdrawn or voided."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="enrolments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="research_enrolments")
    consented_on = models.DateField(_("consent given on"))
    form_version = models.CharField(_("consent form version"), max_length=40)
    diagnosis_group = models.CharField(
        _("diagnosis group"),
        max_length=20,
        choices=DiagnosisGroup.choices,
        default=DiagnosisGroup.NOT_RECORDED,
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_voided = models.BooleanField(_("voided"), default=False)
    void_reason = models.CharField(_("why it was voided"), max_length=500, blank=True)
    voided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("research consent")
        verbose_name_plural = _("research consents")
        ordering: ClassVar[list[str]] = ["-consented_on", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["study", "client"],
                condition=models.Q(is_voided=False),
                name="enrolment_one_live_per_study",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.study} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return not self.is_voided and self.withdrawn_on is None


class EnrolmentChange(models.Model):
    """Why a consent record was corrected, withdrawn or voided, and what it said before."""

    class Kind(models.TextChoices):
        CORRECTED = "corrected", _("Corrected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        VOIDED = "voided", _("Voided")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    previous = models.JSONField(_("before the change"), default=dict)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-changed_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.kind}"


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV with a data dictionary (zip)")
    SAV = "sav", _("SPSS (.sav)")
    PARQUET = "parquet", _("Parquet")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class DatasetExport(models.Model):
    """A file of a study's de-identified data set, built in the background.

    The file lives in the default storage under a private path (nothing serves it): it is
    downloaded through a view that asks for the password again. ``data_version`` is the study's
    at build time, so the list can say when consents have changed since. A void removes the file
    and keeps the row, with its reason.
    """

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="exports")
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MaxValueValidator(100)]
    )
    message = models.CharField(_("message"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    n_enrolled = models.PositiveIntegerField(_("people"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the data file"), max_length=64, blank=True)
    data_version = models.PositiveIntegerField(_("data version"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    is_voided = models.BooleanField(_("voided"), default=False)
    void_reason = models.CharField(_("why it was voided"), max_length=500, blank=True)
    voided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data set export")
        verbose_name_plural = _("data set exports")
        ordering: ClassVar[list[str]] = ["-requested_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.study} #{self.pk} ({self.format})"

    @property
    def is_ready(self) -> bool:
        return self.status == ExportStatus.DONE and not self.is_voided and bool(self.file_name)

    @property
    def is_in_progress(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) and not self.is_voided


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AnalysisRun(models.Model):
    """One run of the study's analysis on its de-identified data set, and what it found.

    The settings (``AnalysisSettings.to_dict()``), the data set's hash, the study's
    ``data_version`` and the software version are kept with the result, so that the run can be
    repeated and a later reader sees whether the data set has changed since. The error text
    names the failure only, never a value from the data.
    """

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="runs")
    number = models.PositiveIntegerField(_("run"))
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    scheduled = models.BooleanField(_("queued by the quarterly schedule"), default=False)
    settings = models.JSONField(_("settings"))
    dataset_sha256 = models.CharField(_("data set hash"), max_length=64, blank=True)
    data_version = models.PositiveIntegerField(_("data version"), default=0)
    software_version = models.CharField(_("software version"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0)
    message = models.CharField(_("step"), max_length=200, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    is_voided = models.BooleanField(_("voided"), default=False)
    void_reason = models.CharField(_("why it was voided"), max_length=500, blank=True)
    voided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        ordering: ClassVar[list[str]] = ["-number", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["study", "number"], name="analysisrun_number_unique")
        ]

    @override
    def __str__(self) -> str:
        return f"{self.study} #{self.number}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
