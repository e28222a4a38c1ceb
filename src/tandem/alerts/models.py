"""Alerts tracked to closure, their supervision agenda, and per-programme thresholds.

An alert is casework: it carries a reason a person can act on (the rule and the numbers that
fired it), moves open -> discussed -> action agreed -> resolved with who and when at each step,
can be put on the agenda of the next supervision, and goes to the supervisor when left open too
long. Reasons hold identifiers and numbers only, never personal text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.clients.models import Client, Episode
from tandem.measures.registry import UnknownInstrumentError, get_instrument
from tandem.orgs.models import Programme, Team
from tandem.practice.models import SupervisionKind, SupervisionSession

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


# The seed study's measures: the RPRS is its working-alliance measure, the MCAS (community
# functioning, higher = better) one of its outcomes and the one the demo programmes collect.
DEFAULT_ALLIANCE_INSTRUMENT = "rprs"
DEFAULT_OUTCOME_INSTRUMENT = "mcas"

DAY_FIELDS = (
    "time_limit_warning_days",
    "no_contact_days",
    "supervision_gap_days",
    "escalate_after_days",
)
# What a programme manager sets on its AlertPolicy (the form's fields, the service's writes).
POLICY_FIELDS = (
    "alliance_instrument",
    "alliance_sd",
    "alliance_reliability",
    "outcome_instrument",
    "outcome_sd",
    "outcome_reliability",
    *DAY_FIELDS,
)


class AlertPolicy(models.Model):
    """A programme's alert thresholds. A programme without a row uses the field defaults."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="alert_policy"
    )
    alliance_instrument = models.CharField(
        _("alliance instrument"), max_length=40, default=DEFAULT_ALLIANCE_INSTRUMENT
    )
    alliance_sd = models.FloatField(
        _("alliance reference SD"),
        null=True,
        blank=True,
        help_text=_("With the reliability, sets the reliable-change amount of the alliance."),
    )
    alliance_reliability = models.FloatField(
        _("alliance reference reliability"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.999)],
    )
    outcome_instrument = models.CharField(
        _("outcome instrument"), max_length=40, default=DEFAULT_OUTCOME_INSTRUMENT
    )
    outcome_sd = models.FloatField(_("outcome reference SD"), null=True, blank=True)
    outcome_reliability = models.FloatField(
        _("outcome reference reliability"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.999)],
    )
    time_limit_warning_days = models.PositiveSmallIntegerField(
        _("warn this many days before the time limit"), default=14
    )
    no_contact_days = models.PositiveSmallIntegerField(
        _("alert after this many days without contact"), default=21
    )
    supervision_gap_days = models.PositiveSmallIntegerField(
        _("alert when supervision not held for this many days"), default=14
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("send an open alert to the supervisor after this many days"), default=14
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("alert thresholds")
        verbose_name_plural = _("alert thresholds")

    @override
    def __str__(self) -> str:
        return f"{self._meta.verbose_name}: {self.programme}"

    @override
    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        for prefix in ("alliance", "outcome"):
            code = getattr(self, f"{prefix}_instrument")
            try:
                get_instrument(code)
            except UnknownInstrumentError:
                errors[f"{prefix}_instrument"] = _("No instrument has this code.")
            sd = getattr(self, f"{prefix}_sd")
            reliability = getattr(self, f"{prefix}_reliability")
            if sd is not None and not sd > 0:
                errors[f"{prefix}_sd"] = _("The reference SD must be above zero.")
            elif (sd is None) != (reliability is None):
                missing = f"{prefix}_reliability" if reliability is None else f"{prefix}_sd"
                errors.setdefault(
                    missing, _("Give both the reference SD and the reliability, or neither.")
                )
        for name in DAY_FIELDS:
            if getattr(self, name) is not None and not 1 <= getattr(self, name) <= 365:
                errors[name] = _("Give a number of days from 1 to 365.")
        if errors:
            raise ValidationError(errors)


class AlertRule(models.TextChoices):
    ALLIANCE_DROP = "alliance_drop", _("Alliance dropped reliably")
    OUTCOME_DETERIORATED = "outcome_deteriorated", _("Outcome deteriorated reliably")
    NOT_ON_TRACK = "not_on_track", _("Not on track at mid-episode")
    MEASURE_OVERDUE = "measure_overdue", _("Measure overdue")
    TIME_LIMIT_NEAR = "time_limit_near", _("Time limit within two weeks")
    NO_RECENT_CONTACT = "no_recent_contact", _("No contact in 21 days")
    CASELOAD_ABOVE_TARGET = "caseload_above_target", _("Caseload above target")
    SUPERVISION_NOT_HELD = "supervision_not_held", _("Supervision not held")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISCUSSED = "discussed", _("Discussed")
    ACTION_AGREED = "action_agreed", _("Action agreed")
    RESOLVED = "resolved", _("Resolved")


class Alert(models.Model):
    """One alert about a client's episode, or about a worker or team (``episode`` empty)."""

    rule = models.CharField(_("rule"), max_length=32, choices=AlertRule.choices)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alerts")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("case manager"),
    )
    # Identifies what the alert is about within its rule and team ("episode:12", "episode:12:
    # administration:40", "worker:7"), so that one condition opens one alert, not one a night.
    subject_key = models.CharField(max_length=64)
    reason = models.JSONField(_("reason"), default=dict)
    status = models.CharField(
        _("status"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    escalated_at = models.DateTimeField(_("sent to the supervisor"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "team", "subject_key"],
                condition=~Q(status="resolved"),
                name="one_unresolved_alert_per_condition",
            )
        ]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["worker", "status"]),
            models.Index(fields=["episode", "status"]),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.get_rule_display()} ({self.pk})"

    @property
    def is_resolved(self) -> bool:
        return self.status == AlertStatus.RESOLVED


class AlertStep(models.Model):
    """One step of an alert's history: who moved it to which status, when, and why."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("status"), max_length=14, choices=AlertStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert step")
        verbose_name_plural = _("alert steps")
        ordering = ["at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.at:%Y-%m-%d}"


class AgendaItem(models.Model):
    """An alert put on the agenda of the next group or individual supervision."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="agenda_items")
    kind = models.CharField(_("supervision"), max_length=10, choices=SupervisionKind.choices)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    session = models.ForeignKey(
        SupervisionSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("discussed in"),
    )
    decision = models.TextField(_("what was decided"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "kind"],
                condition=Q(decided_at__isnull=True),
                name="one_pending_agenda_item_per_kind",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{_('Agenda item')} {self.pk}"
