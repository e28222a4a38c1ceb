"""Clients and their episodes of care."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import Language
from tandem.orgs.models import Agency, Programme, ProgrammeModel, Team

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    TWO_SPIRIT = "two_spirit", _("Two-Spirit")
    OTHER = "other", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


# A phone number as people write it: digits with spaces, dots, dashes, brackets, a leading + and
# an optional extension; at least seven digits so that a typo like "555" is caught.
validate_phone = RegexValidator(
    r"^\+?[\s().-]*(\d[\s().-]*){7,}(\s*(x|ext\.?|poste)\s*\d{1,6})?$",
    _("Enter a phone number with at least seven digits, for example 514 555-0123."),
    code="invalid_phone",
)


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
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    address = models.TextField(_("address"), blank=True)
    # Bumped by every edit of the demographics: a save that read an older version is refused.
    version = models.PositiveIntegerField(default=1)
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


# Time-limited episodes warn this many days before their end, to plan the transition in time.
DISCHARGE_WARNING_DAYS = 14
# Short-term case management lasts up to twelve weeks unless the programme sets its own limit.
DEFAULT_SHORT_TERM_DAYS = 84


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
    transition_plan = models.TextField(
        _("transition plan"),
        blank=True,
        help_text=_("Who the client will rely on after discharge, and how the handover happens."),
    )
    discharge_destination = models.CharField(
        _("where the client goes next"), max_length=200, blank=True
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

    @property
    def time_limit_days(self) -> int | None:
        """The programme's limit for time-limited care, or None for ongoing care.

        A short-term programme without its own limit uses the model's twelve weeks.
        """
        limit = self.programme.time_limit_days
        if limit is None and self.programme.model == ProgrammeModel.STCM:
            return DEFAULT_SHORT_TERM_DAYS
        return limit

    def weeks_used(self, today: date | None = None) -> int:
        return self.days_in_episode(today) // 7

    def weeks_remaining(self, today: date | None = None) -> int | None:
        limit = self.time_limit_days
        if limit is None:
            return None
        return max(0, (limit - self.days_in_episode(today)) // 7)

    def planned_end(self) -> date | None:
        limit = self.time_limit_days
        return None if limit is None else self.start_date + timedelta(days=limit)

    def is_near_end(self, today: date | None = None) -> bool:
        """Two weeks or less before the end of a time-limited episode (or past it)."""
        limit = self.time_limit_days
        if limit is None or not self.is_open:
            return False
        return limit - self.days_in_episode(today) <= DISCHARGE_WARNING_DAYS

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


# ---- referrals, screening and the waitlist ------------------------------------------------------
class ReferralSource(models.TextChoices):
    SELF = "self", _("Self-referral")
    FAMILY = "family", _("Family or friend")
    PRIMARY_CARE = "primary_care", _("Family doctor or primary care")
    HOSPITAL = "hospital", _("Hospital or psychiatrist")
    EMERGENCY = "emergency", _("Emergency department or crisis service")
    COMMUNITY_AGENCY = "community_agency", _("Community agency")
    OTHER = "other", _("Other")


class ReferralPriority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    ROUTINE = 3, _("Routine")


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    WAITLISTED = "waitlisted", _("On the waitlist")
    DECLINED = "declined", _("Declined")
    REDIRECTED = "redirected", _("Redirected")
    ASSIGNED = "assigned", _("Assigned")


class DeclineReason(models.TextChoices):
    """Why a referral was declined; counted for the programme report."""

    NOT_ELIGIBLE = "not_eligible", _("Does not meet the programme's criteria")
    SUBSTANCE_USE_PRIMARY = "substance_use_primary", _("Substance use is the primary need")
    NEEDS_HIGHER_INTENSITY = "needs_higher_intensity", _("Needs more intensive care")
    NEEDS_CRISIS = "needs_crisis", _("Needs crisis care first")
    NO_CONSENT = "no_consent", _("Person did not consent")
    INCOMPLETE = "incomplete", _("Referral information incomplete")
    DUPLICATE = "duplicate", _("Already referred or served")
    OTHER = "other", _("Other")


class ReferralDecision(models.TextChoices):
    WAITLIST = "waitlist", _("Accept to the waitlist")
    DECLINE = "decline", _("Decline")
    REDIRECT = "redirect", _("Redirect to another service")


# Referral fields a programme may make required (reason, names and date of birth always are).
CONFIGURABLE_REQUIRED_FIELDS = (
    "current_supports",
    "risks",
    "consent_to_share",
    "source_contact",
    "phone",
)


class IntakePolicy(models.Model):
    """A programme's intake rules: which referral fields it requires and its eligibility screen.

    ``criteria`` is a list of ``{"code", "label", "expected"}``; an answer different from
    ``expected`` flags a likely mismatch. Without a policy, the defaults of the programme's model
    apply (``clients.eligibility.default_criteria``).
    """

    programme = models.OneToOneField(
        Programme,
        on_delete=models.CASCADE,
        related_name="intake_policy",
        verbose_name=_("programme"),
    )
    required_fields = models.JSONField(_("required referral fields"), default=list, blank=True)
    criteria = models.JSONField(_("eligibility criteria"), default=list, blank=True)

    class Meta:
        verbose_name = _("intake policy")
        verbose_name_plural = _("intake policies")

    @override
    def __str__(self) -> str:
        return str(self.programme)

    @override
    def clean(self) -> None:
        unknown = set(self.required_fields) - set(CONFIGURABLE_REQUIRED_FIELDS)
        if unknown:
            raise ValidationError(
                {"required_fields": _("Unknown referral fields: %s") % ", ".join(sorted(unknown))}
            )
        for criterion in self.criteria:
            if not isinstance(criterion, dict) or not {"code", "label", "expected"} <= set(
                criterion
            ):
                raise ValidationError(
                    {"criteria": _("Each criterion needs a code, a label and an expected answer.")}
                )


class Referral(models.Model):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("agency")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("programme")
    )
    received_on = models.DateField(_("received on"))
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(
        _("gender"), max_length=16, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    reason = models.TextField(_("reason for referral"))
    current_supports = models.TextField(_("current supports"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    consent_to_share = models.BooleanField(_("consent to share information"), default=False)
    source = models.CharField(_("referral source"), max_length=20, choices=ReferralSource.choices)
    source_contact = models.CharField(_("referrer's name and contact"), max_length=200, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=ReferralPriority.choices, default=ReferralPriority.ROUTINE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    screening = models.JSONField(_("eligibility answers"), default=dict, blank=True)
    mismatch_codes = models.JSONField(_("likely mismatches"), default=list, blank=True)
    screened_on = models.DateField(_("screened on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decline_reason = models.CharField(
        _("reason declined"), max_length=24, choices=DeclineReason.choices, blank=True
    )
    redirected_to = models.CharField(_("redirected to"), max_length=200, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("client"),
    )
    episode = models.OneToOneField(
        Episode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referral",
        verbose_name=_("episode"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["priority", "received_on", "pk"]
        indexes = [models.Index(fields=["programme", "status", "priority", "received_on"])]

    @override
    def __str__(self) -> str:
        return f"{_('Referral')} {self.pk}"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def days_waiting(self, today: date | None = None) -> int:
        return ((today or timezone.localdate()) - self.received_on).days

    @override
    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.programme_id and self.agency_id and self.programme.agency_id != self.agency_id:
            errors["programme"] = _("This programme belongs to another agency.")
        # Dates are None here when the field itself failed validation.
        received: date | None = self.received_on
        born: date | None = self.date_of_birth
        if received is not None and received > timezone.localdate():
            errors["received_on"] = _("The referral cannot be received in the future.")
        if born is not None and born > timezone.localdate():
            errors["date_of_birth"] = _("The date of birth is in the future.")
        if self.status == ReferralStatus.DECLINED and not self.decline_reason:
            errors["decline_reason"] = _("A declined referral needs a reason.")
        if self.status == ReferralStatus.REDIRECTED and not self.redirected_to.strip():
            errors["redirected_to"] = _("Say where the person was redirected.")
        if errors:
            raise ValidationError(errors)


# ---- corrections and hand-overs -----------------------------------------------------------------
class ChangeKind(models.TextChoices):
    EDIT = "edit", _("Corrected")
    VOID = "void", _("Voided")
    HANDOVER = "handover", _("Handed over")


class RecordChange(models.Model):
    """One correction of a client's record: which fields changed, from what to what, and why.

    Demographics, contacts, goals, steps and hand-overs all write here, so that the client's
    history page reads one table. ``changes`` is a list of ``{"field", "label", "before",
    "after"}`` with display values; it holds personal data and stays in this table, never in the
    audit log (whose event points at the changed object).
    """

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="record_changes", verbose_name=_("client")
    )
    object_type = models.CharField(_("record type"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("record id"))
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("record change")
        verbose_name_plural = _("record changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-changed_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_type} {self.object_id}"

    @override
    def clean(self) -> None:
        if not self.reason.strip():
            raise ValidationError({"reason": _("Say why the record is changed.")})
