"""Agencies, their programmes and the teams that deliver them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    @override
    def __str__(self) -> str:
        return self.name


class ProgrammeModel(models.TextChoices):
    SMCM = "SMCM", _("Strengths Model case management")
    STCM = "STCM", _("Short-term case management")
    ICM = "ICM", _("Intensive case management")
    OTHER = "OTHER", _("Other")


class Programme(models.Model):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=200)
    model = models.CharField(_("practice model"), max_length=8, choices=ProgrammeModel.choices)
    caseload_target = models.PositiveSmallIntegerField(
        _("caseload target per worker"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )
    time_limit_days = models.PositiveSmallIntegerField(
        _("time limit (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Leave empty for ongoing care; short-term programmes default to 84 days."),
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="programme_unique_name"),
        ]

    @override
    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="teams", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["programme__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="team_unique_name"),
        ]

    @override
    def __str__(self) -> str:
        return self.name

    @property
    def agency_id(self) -> int:
        return self.programme.agency_id

    @override
    def clean(self) -> None:
        if not self.name.strip():
            raise ValidationError({"name": _("A team needs a name.")})


class ConfigurationKind(models.TextChoices):
    SCHEDULE_ADDED = "schedule_added", _("Measurement schedule added")
    SCHEDULE_CHANGED = "schedule_changed", _("Measurement schedule changed")
    SCHEDULE_DEACTIVATED = "schedule_deactivated", _("Measurement schedule deactivated")
    SCHEDULE_REACTIVATED = "schedule_reactivated", _("Measurement schedule reactivated")
    INTAKE_CHANGED = "intake_changed", _("Referral fields and eligibility questions changed")
    TARGETS_CHANGED = "targets_changed", _("Indicator targets changed")
    THRESHOLDS_CHANGED = "thresholds_changed", _("Alert thresholds changed")


class ConfigurationChange(models.Model):
    """One change to a programme's configuration: who made it, when, what was before and after.

    Written only by ``tandem.orgs.services.record_configuration_change``, in the transaction of
    the change, and never edited. ``kind`` says what changed and ``subject`` what about (kept
    untranslated, shown in the reader's language). ``before`` and ``after`` hold the changed
    settings by field name (configuration, never personal data); ``object_type`` and
    ``object_id`` name the row changed (a schedule, an intake policy, the programme for its
    targets), so the history of one row can be read back. ``changed_by`` is empty for set-up
    from the command line (the demo).
    """

    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="configuration_changes",
        verbose_name=_("programme"),
    )
    changed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    kind = models.CharField(_("what"), max_length=32, choices=ConfigurationKind.choices)
    # What the change is about, untranslated (an instrument's title); pages translate it.
    subject = models.CharField(_("about"), max_length=200, blank=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("configuration change")
        verbose_name_plural = _("configuration changes")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["programme", "-occurred_at"])]

    @override
    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}".strip()

    @override
    def clean(self) -> None:
        if self.programme is not None and self.programme.agency_id != self.agency_id:
            raise ValidationError({"programme": _("This programme belongs to another agency.")})
