"""Training cohorts: trainers and participants from member agencies, weekly sessions with their
materials and attendance, the presentation rota with its swaps, and case consultation notes.

Nothing here refers to a client: consultation notes are de-identified, checked on save against
the identifying details of every client of the cohort's agencies (``services.notes``).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import User
from tandem.orgs.models import Agency

DEFAULT_PRINCIPLES = (
    _("Interpersonal therapy"),
    _("Motivational interviewing"),
    _("Mentalizing"),
    _("Dialectical behaviour therapy"),
    _("Cognitive behavioural therapy"),
)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Voidable(models.Model):
    """A row entered in error is voided with a reason; it stays, out of the lists."""

    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("why it was voided"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class Cohort(Voidable):
    name = models.CharField(_("name"), max_length=200)
    host_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("host agency")
    )
    agencies = models.ManyToManyField(
        Agency, related_name="training_cohorts", verbose_name=_("member agencies")
    )
    trainers = models.ManyToManyField(
        User, related_name="cohorts_trained", verbose_name=_("trainers")
    )
    starts_on = models.DateField(_("first session"))
    ends_on = models.DateField(_("last session on or before"))
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    presenters_per_session = models.PositiveSmallIntegerField(
        _("presenters per session"), default=1
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The qualitative project of the end-of-programme interviews, once a trainer opened it.
    interview_project = models.OneToOneField(
        "qualitative.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_cohort",
        verbose_name=_("interview project"),
    )

    class Meta:
        verbose_name = _("training cohort")
        verbose_name_plural = _("training cohorts")
        ordering: ClassVar[list[str]] = ["-starts_on", "name"]

    @override
    def __str__(self) -> str:
        return self.name

    @override
    def clean(self) -> None:
        if self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end cannot be before the start.")})
        if not 1 <= self.presenters_per_session <= 5:
            raise ValidationError(
                {"presenters_per_session": _("Choose between 1 and 5 presenters per session.")}
            )


class Principle(models.Model):
    """A principle the cohort covers (configurable per cohort)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="principles")
    name = models.CharField(_("principle"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["cohort", "name"], name="principle_unique_per_cohort")
        ]

    @override
    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """A seeded principle reads in the reader's language, whichever language the cohort was
        started in; a principle the cohort added reads as typed."""
        seeded = _seeded_principles().get(self.name.casefold())
        return str(seeded) if seeded is not None else self.name


@cache
def _seeded_principles() -> dict[str, Promise]:
    """Each seeded principle's name in every language of the site, to its translatable text."""
    names: dict[str, Promise] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.update({str(p).casefold(): p for p in DEFAULT_PRINCIPLES})
    return names


class Participant(models.Model):
    """A member of staff taking part in a cohort, with their place in the presentation queue."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="training_places")
    rota_position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # The participant's case in the cohort's interview project.
    interview_case = models.OneToOneField(
        "qualitative.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_participant",
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["rota_position", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["cohort", "user"], name="participant_unique")
        ]

    @override
    def __str__(self) -> str:
        return self.user.full_name


class TrainingSession(Voidable):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    principles = models.ManyToManyField(
        Principle, blank=True, related_name="sessions", verbose_name=_("principles")
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["held_on", "pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["cohort", "held_on"])]

    @override
    def __str__(self) -> str:
        return f"{self.cohort} {self.held_on}"


class MaterialKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class Material(Voidable):
    """A file or a link for a session. Files live in the database, so that every app process
    and worker reads the same bytes without a shared disk."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(max_length=8, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    size_bytes = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["added_at", "pk"]

    @override
    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["session", "participant"], name="attendance_unique")
        ]

    @override
    def __str__(self) -> str:
        return f"{self.participant} {self.session}: {self.status}"


class PresentationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    GIVEN = "given", _("Given")
    MISSED = "missed", _("Missed (moved on)")


class Presentation(models.Model):
    """A participant's turn to present a case at a session."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="presentations"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="presentations"
    )
    status = models.CharField(
        max_length=8, choices=PresentationStatus.choices, default=PresentationStatus.PLANNED
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["session__held_on", "participant__rota_position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["session", "participant"], name="presentation_unique")
        ]

    @override
    def __str__(self) -> str:
        return f"{self.participant} {self.session}"


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Withdrawn")
    UNDONE = "undone", _("Undone")


class SwapRequest(models.Model):
    """One participant asks another to exchange presentation turns; both must agree."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="swaps")
    requester = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=SwapStatus.choices, default=SwapStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.requester} / {self.partner}"


class ConsultationNote(Voidable):
    """The de-identified record of one case presentation and the group's suggestions."""

    presentation = models.OneToOneField(Presentation, on_delete=models.PROTECT, related_name="note")
    presenting_question = models.TextField(_("presenting question"), max_length=2000)
    case_summary = models.TextField(_("de-identified case summary"), max_length=5000)
    principles = models.ManyToManyField(
        Principle, blank=True, related_name="notes", verbose_name=_("principles applied")
    )
    suggestions = models.TextField(_("the group's suggestions"), max_length=5000, blank=True)
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-written_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.presentation}"


class FollowUp(Voidable):
    """What the presenter tried after the consultation, and what happened, at a later session."""

    note = models.ForeignKey(ConsultationNote, on_delete=models.PROTECT, related_name="follow_ups")
    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="+")
    what_i_tried = models.TextField(_("what I tried"), max_length=3000)
    what_happened = models.TextField(_("what happened"), max_length=3000)
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["written_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.note} {self.session}"


class WaveKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    MIDPOINT = "midpoint", _("Mid-point")
    END = "end", _("End of the programme")


class EfficacyWave(Voidable):
    """A round of the self-efficacy questionnaire (the COSE) for every participant of a cohort,
    answered signed in while its window is open.

    Participants are staff, not clients: their answers are kept here, not as the measurement
    module's administrations, which belong to a client's episode. The instrument's structure,
    validation and scoring are the measurement module's (``tandem.measures``). A wave opened in
    error is voided: it takes no more answers and leaves the report; its kind can be opened again.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="efficacy_waves")
    kind = models.CharField(_("wave"), max_length=10, choices=WaveKind.choices)
    instrument_code = models.CharField(max_length=40, default="cose")
    instrument_version = models.CharField(max_length=20)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["opens_on", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["cohort", "kind"],
                condition=models.Q(voided_at__isnull=True),
                name="efficacy_wave_unique",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.cohort} {self.kind}"

    @override
    def clean(self) -> None:
        if self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The window cannot close before it opens.")})

    def is_open_on(self, day: date) -> bool:
        return not self.is_voided and self.opens_on <= day <= self.closes_on


class EfficacyResponse(models.Model):
    """One participant's answers to a wave, with their scores (total and subscales)."""

    wave = models.ForeignKey(EfficacyWave, on_delete=models.CASCADE, related_name="responses")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="efficacy_responses"
    )
    answers = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    n_missing = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    correction_reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering: ClassVar[list[str]] = ["wave", "participant"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["wave", "participant"], name="efficacy_response_unique")
        ]

    @override
    def __str__(self) -> str:
        return f"{self.participant} {self.wave}"


class ChangeKind(models.TextChoices):
    CORRECTED = "corrected", _("Corrected")
    VOIDED = "voided", _("Voided")
    UNDONE = "undone", _("Undone")


class CorrectionRecord(models.Model):
    """One correction, void or undoing of a training record: who, when, why, and the values
    the record held before (field name -> value as shown), so that its page shows its history.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="changes")
    object_type = models.CharField(max_length=20)
    object_id = models.PositiveIntegerField()
    kind = models.CharField(_("change"), max_length=10, choices=ChangeKind.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    previous = models.JSONField(default=dict)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-changed_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["object_type", "object_id"])]

    @override
    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}: {self.kind}"
