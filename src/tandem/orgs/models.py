"""Agencies, their programmes and the teams that deliver them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
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
