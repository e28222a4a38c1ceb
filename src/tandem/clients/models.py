"""Clients and their episodes of care."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import Language
from tandem.orgs.models import Agency, Programme, Team

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    TWO_SPIRIT = "two_spirit", _("Two-Spirit")
    OTHER = "other", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class Client(models.Model):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="clients", verbose_name=_("agency")
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(
        _("gender"), max_length=16, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["family_name", "given_name", "pk"]
        indexes = [models.Index(fields=["agency", "family_name", "given_name"])]

    @override
    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @override
    def clean(self) -> None:
        if self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})
        if self.date_of_birth.year < 1900:
            raise ValidationError({"date_of_birth": _("The date of birth is before 1900.")})


class ExternalIdentifier(models.Model):
    """An identifier another system gives the client (health card, hospital record number)."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("client")
    )
    system = models.CharField(_("issuing system"), max_length=100)
    value = models.CharField(_("identifier"), max_length=100)

    class Meta:
        verbose_name = _("external identifier")
        verbose_name_plural = _("external identifiers")
        ordering = ["system"]
        constraints = [
            models.UniqueConstraint(fields=["client", "system"], name="identifier_one_per_system"),
        ]

    @override
    def __str__(self) -> str:
        return self.system


class EpisodeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DischargeReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    TIME_LIMIT = "time_limit", _("Time limit reached")
    TRANSFERRED = "transferred", _("Transferred to another service")
    CLIENT_WITHDREW = "client_withdrew", _("Client withdrew")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    MOVED = "moved", _("Moved away")
    HOSPITALISED = "hospitalised", _("Long hospital stay")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class Episode(models.Model):
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="episodes", verbose_name=_("client")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="episodes", verbose_name=_("programme")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="episodes", verbose_name=_("team")
    )
    primary_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="primary_episodes",
        verbose_name=_("primary case manager"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("discharge reason"), max_length=20, choices=DischargeReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("episode of care")
        verbose_name_plural = _("episodes of care")
        ordering = ["-start_date", "pk"]
        indexes = [
            models.Index(fields=["primary_case_manager", "status"]),
            models.Index(fields=["team", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="episode_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", end_date__isnull=True)
                | models.Q(status="closed", end_date__isnull=False),
                name="episode_closed_has_end",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.programme} ({self.start_date:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.status == EpisodeStatus.OPEN

    def days_in_episode(self, today: date | None = None) -> int:
        last = self.end_date or today or timezone.localdate()
        return (last - self.start_date).days

    @override
    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.team_id and self.programme_id and self.team.programme_id != self.programme_id:
            errors["team"] = _("This team belongs to another programme.")
        if (
            self.programme_id
            and self.client_id
            and self.programme.agency_id != self.client.agency_id
        ):
            errors["programme"] = _("This programme belongs to another agency.")
        if self.end_date is not None and self.end_date < self.start_date:
            errors["end_date"] = _("The episode cannot end before it starts.")
        if self.status == EpisodeStatus.CLOSED and not self.end_date:
            errors["end_date"] = _("A closed episode needs an end date.")
        if self.status == EpisodeStatus.CLOSED and not self.discharge_reason:
            errors["discharge_reason"] = _("A closed episode needs a discharge reason.")
        if self.status == EpisodeStatus.OPEN and self.end_date:
            errors["end_date"] = _("An open episode has no end date.")
        if errors:
            raise ValidationError(errors)
