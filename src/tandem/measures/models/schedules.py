"""Schedules and the due administrations they make: when each instrument falls due."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.clients.models import Client, Episode
from tandem.measures.registry import UnknownInstrumentError, get_instrument
from tandem.orgs.models import Programme

DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12: "every 4.5 months" is 137 days


class ScheduleScope(models.TextChoices):
    PROGRAMME = "programme", _("Programme (routine care)")
    STUDY = "study", _("Research study")


class ScheduleRule(models.TextChoices):
    WAVES = "waves", _("Relative waves from the episode start")
    INTAKE = "intake", _("At episode intake")
    DISCHARGE = "discharge", _("At discharge")
    EVERY_NTH_CONTACT = "every_nth_contact", _("Every Nth contact")


class Schedule(models.Model):
    """An instrument attached to a programme (or a study within it) and when it falls due."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("programme")
    )
    scope = models.CharField(
        _("scope"), max_length=12, choices=ScheduleScope.choices, default=ScheduleScope.PROGRAMME
    )
    study_name = models.CharField(_("study"), max_length=200, blank=True)
    instrument_code = models.CharField(_("instrument"), max_length=40)
    rule = models.CharField(_("rule"), max_length=20, choices=ScheduleRule.choices)
    include_baseline = models.BooleanField(_("baseline wave at intake"), default=True)
    interval_months = models.DecimalField(
        _("interval (months)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    span_months = models.DecimalField(
        _("for (months)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    every_n_contacts = models.PositiveSmallIntegerField(
        _("every N contacts"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    window_before_days = models.PositiveSmallIntegerField(
        _("window before the due date (days)"), default=7, validators=[MaxValueValidator(365)]
    )
    window_after_days = models.PositiveSmallIntegerField(
        _("window after the due date (days)"), default=14, validators=[MaxValueValidator(365)]
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Days after a link is sent before one reminder goes out."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("measurement schedule")
        verbose_name_plural = _("measurement schedules")
        ordering = ["programme", "instrument_code", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.instrument_code} ({self.get_rule_display()})"

    @override
    def clean(self) -> None:
        waves = self.rule == ScheduleRule.WAVES
        if waves and (self.interval_months is None or not self.span_months):
            raise ValidationError(
                {"interval_months": _("Relative waves need an interval and a span in months.")}
            )
        if self.rule == ScheduleRule.EVERY_NTH_CONTACT and not self.every_n_contacts:
            raise ValidationError({"every_n_contacts": _("Say after how many contacts.")})
        if self.instrument_code:
            try:
                get_instrument(self.instrument_code)
            except UnknownInstrumentError:
                raise ValidationError(
                    {
                        "instrument_code": ValidationError(
                            _("No instrument has this code."), code="unknown"
                        )
                    }
                ) from None
        if self.scope == ScheduleScope.STUDY and not self.study_name:
            raise ValidationError({"study_name": _("A study schedule names its study.")})

    def wave_offsets_days(self) -> list[tuple[str, int]]:
        """(wave label, days after the episode start) for relative waves."""
        if self.rule != ScheduleRule.WAVES or self.interval_months is None or not self.span_months:
            return []
        waves: list[tuple[str, int]] = [("baseline", 0)] if self.include_baseline else []
        months = self.interval_months
        while months <= self.span_months:
            waves.append((f"month {months.normalize():f}", round(months * DAYS_PER_MONTH)))
            months += self.interval_months
        return waves


class AdministrationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    MISSED = "missed", _("Missed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NOT_COLLECTED = "not_collected", _("Not collected")


OPEN_STATUSES = (
    AdministrationStatus.SCHEDULED,
    AdministrationStatus.DUE,
    AdministrationStatus.OVERDUE,
)


def status_on(
    today: date, *, window_opens: date, due_date: date, window_closes: date
) -> AdministrationStatus:
    """Where an unanswered administration stands on ``today``."""
    if today < window_opens:
        return AdministrationStatus.SCHEDULED
    if today <= due_date:
        return AdministrationStatus.DUE
    if today <= window_closes:
        return AdministrationStatus.OVERDUE
    return AdministrationStatus.MISSED


class Administration(models.Model):
    """One occasion on which a client should answer (or a worker rate) one instrument."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="administrations", verbose_name=_("client")
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="administrations", verbose_name=_("episode")
    )
    schedule = models.ForeignKey(
        Schedule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="administrations",
        verbose_name=_("schedule"),
    )
    instrument_code = models.CharField(_("instrument"), max_length=40)
    instrument_version = models.CharField(_("instrument version"), max_length=20)
    wave = models.CharField(_("wave"), max_length=40, blank=True)
    due_date = models.DateField(_("due date"))
    window_opens = models.DateField(_("window opens"))
    window_closes = models.DateField(_("window closes"))
    status = models.CharField(
        _("status"),
        max_length=13,
        choices=AdministrationStatus.choices,
        default=AdministrationStatus.SCHEDULED,
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    closed_reason = models.TextField(
        _("why it was not collected"),
        blank=True,
        help_text=_("Kept when the wave is reopened, until it is closed again."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["episode", "status"]),
            models.Index(fields=["status", "window_closes"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_opens__lte=models.F("due_date"))
                & models.Q(due_date__lte=models.F("window_closes")),
                name="administration_due_inside_window",
            ),
            models.UniqueConstraint(
                fields=["episode", "schedule", "wave"],
                condition=models.Q(schedule__isnull=False),
                name="administration_one_per_wave",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.instrument_code} {self.wave} ({self.due_date:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_answerable(self) -> bool:
        """Still takes answers: open, or missed (a late answer beats none; its date tells)."""
        return self.is_open or self.status == AdministrationStatus.MISSED

    @classmethod
    def window_for(cls, due_date: date, schedule: Schedule | None) -> tuple[date, date]:
        before = schedule.window_before_days if schedule else 7
        after = schedule.window_after_days if schedule else 14
        return due_date - timedelta(days=before), due_date + timedelta(days=after)


class AdministrationChangeKind(models.TextChoices):
    CLOSED = "closed", _("Closed as not collected")
    REASON_CORRECTED = "reason_corrected", _("Reason corrected")
    REOPENED = "reopened", _("Reopened")


class AdministrationChange(models.Model):
    """One hand change of a wave's status by a worker, with the state before and after.

    A wave is closed as "not collected" with a reason, its reason corrected, or reopened; the
    nightly status moves are not recorded here (they follow the calendar, not a person).
    """

    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("administration"),
    )
    kind = models.CharField(_("change"), max_length=16, choices=AdministrationChangeKind.choices)
    status_before = models.CharField(_("status before"), max_length=13)
    status_after = models.CharField(_("status after"), max_length=13)
    reason_before = models.TextField(_("reason before"), blank=True)
    reason_after = models.TextField(_("reason after"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        verbose_name = _("wave status change")
        verbose_name_plural = _("wave status changes")
        ordering = ["administration", "changed_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
