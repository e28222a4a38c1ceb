"""Strengths Model practice: assessments, recovery plans, contacts, resources and supervision."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from typing_extensions import override

from tandem.clients.models import Client, Episode
from tandem.orgs.models import Agency, Team


class LifeDomain(models.TextChoices):
    """The life domains of the Strengths Assessment."""

    DAILY_LIVING = "daily_living", _("Daily living situation")
    FINANCES = "finances", _("Finances")
    VOCATIONAL = "vocational", _("Vocational and educational")
    SOCIAL = "social", _("Social supports")
    HEALTH = "health", _("Health")
    LEISURE = "leisure", _("Leisure and recreation")
    SPIRITUALITY = "spirituality", _("Spirituality and culture")


class StrengthsAssessment(models.Model):
    """One dated version of a client's Strengths Assessment; a new version never edits an old."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="strengths_assessments"
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="strengths_assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Strengths Assessment")
        verbose_name_plural = _("Strengths Assessments")
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["client", "-assessed_on"])]

    @override
    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.assessed_on:%Y-%m-%d}"


class DomainEntry(models.Model):
    """One life domain of an assessment, with the client's own words kept as they said them."""

    assessment = models.ForeignKey(
        StrengthsAssessment, on_delete=models.CASCADE, related_name="entries"
    )
    domain = models.CharField(_("life domain"), max_length=16, choices=LifeDomain.choices)
    current_status = models.TextField(_("current status: what is going on now"), blank=True)
    wants = models.TextField(_("what the person wants"), blank=True)
    past_resources = models.TextField(_("resources used in the past"), blank=True)
    own_words = models.TextField(_("in the person's own words"), blank=True)

    class Meta:
        verbose_name = _("domain entry")
        verbose_name_plural = _("domain entries")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"], name="one_entry_per_domain")
        ]

    @override
    def __str__(self) -> str:
        return self.get_domain_display()


class RecoveryPlan(models.Model):
    """The Personal Recovery Plan of an episode. ``version`` detects concurrent edits."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="recovery_plans")
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="recovery_plan")
    vision = models.TextField(_("what recovery means to the person, in their words"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("Personal Recovery Plan")
        verbose_name_plural = _("Personal Recovery Plans")

    @override
    def __str__(self) -> str:
        return str(self._meta.verbose_name)


_V = TypeVar("_V", bound=models.Model)


# ---- voiding: a record entered in error is voided with a reason, never deleted ------------------
class NotVoidedManager(models.Manager[_V]):
    """The default manager of voidable records: voided rows are left out of every list.

    It is the default manager so that related managers (``plan.goals``), prefetches and form
    choices leave voided rows out too. Joins in other queries (``contacts__occurred_on``) do not
    go through managers: they filter ``voided_at__isnull=True`` themselves. ``all_objects`` reads
    voided rows as well, for history and the "show voided" lists.
    """

    @override
    def get_queryset(self) -> models.QuerySet[_V]:
        return super().get_queryset().filter(voided_at__isnull=True)


class AllRecordsManager(models.Manager[_V]):
    """Every row, voided or not: for history, corrections and the "show voided" lists."""


class Voidable(models.Model):
    """Fields of a record that can be voided: when, by whom and why."""

    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voided by"),
    )
    void_reason = models.TextField(_("reason voided"), blank=True)

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Working on it")
    ACHIEVED = "achieved", _("Achieved")
    SET_ASIDE = "set_aside", _("Set aside")


class Goal(Voidable):
    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("life domain"), max_length=16, choices=LifeDomain.choices)
    own_words = models.TextField(_("goal, in the person's words"))
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.ACTIVE
    )
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = NotVoidedManager()
    all_objects = AllRecordsManager()

    class Meta:
        base_manager_name = "all_objects"
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["created_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{_('Goal')} {self.pk}"

    @override
    def clean(self) -> None:
        if self.status == GoalStatus.ACHIEVED and self.achieved_on is None:
            raise ValidationError({"achieved_on": _("An achieved goal needs the date.")})


class ResourceKind(models.TextChoices):
    CLUB = "club", _("Club or group")
    LIBRARY = "library", _("Library")
    EMPLOYER = "employer", _("Employer")
    FAITH = "faith", _("Faith community")
    EDUCATION = "education", _("School or course")
    SPORT = "sport", _("Sport or recreation")
    VOLUNTEER = "volunteer", _("Volunteering")
    OTHER = "other", _("Other")


class CommunityResource(models.Model):
    """A natural, non-mental-health resource of the community, shared by an agency's teams."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact = models.CharField(_("phone, email or website"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("still available"), default=True)

    class Meta:
        verbose_name = _("community resource")
        verbose_name_plural = _("community resources")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="resource_unique_name")
        ]

    @override
    def __str__(self) -> str:
        return self.name


class StepStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


class Step(Voidable):
    """A small, specific, measurable step towards a goal: who does what by when."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("what"), max_length=300)
    responsible = models.CharField(_("who"), max_length=100)
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.PLANNED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    resource = models.ForeignKey(
        CommunityResource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="steps",
        verbose_name=_("community resource"),
    )

    objects = NotVoidedManager()
    all_objects = AllRecordsManager()

    class Meta:
        base_manager_name = "all_objects"
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["due_on", "pk"]
        # Per goal, not global: a status-first index would tempt the planner to walk every
        # planned step of the agency when the caseload asks for a few plans' next steps.
        indexes = [models.Index(fields=["goal", "status", "due_on"])]

    @override
    def __str__(self) -> str:
        return f"{_('Step')} {self.pk}"

    @override
    def clean(self) -> None:
        if self.status == StepStatus.DONE and self.completed_on is None:
            raise ValidationError({"completed_on": _("A done step needs its completion date.")})


class ContactMode(models.TextChoices):
    COMMUNITY = "community", _("In person, in the community")
    OFFICE = "office", _("In person, at the office")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    TEXT = "text", _("Text message")


class ContactWith(models.TextChoices):
    CLIENT = "client", _("The client")
    COLLATERAL = "collateral", _("A collateral (family, landlord, other service)")


class Contact(Voidable):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="contacts")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts"
    )
    occurred_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    mode = models.CharField(_("mode"), max_length=10, choices=ContactMode.choices)
    with_whom = models.CharField(
        _("with"), max_length=10, choices=ContactWith.choices, default=ContactWith.CLIENT
    )
    goals = models.ManyToManyField(
        Goal, blank=True, related_name="contacts", verbose_name=_("goals worked on")
    )
    steps = models.ManyToManyField(
        Step, blank=True, related_name="contacts", verbose_name=_("steps worked on")
    )
    note = models.TextField(_("short note"), max_length=1000, blank=True)
    # Bumped by every correction: a save that read an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = NotVoidedManager()
    all_objects = AllRecordsManager()

    class Meta:
        base_manager_name = "all_objects"
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["client", "-occurred_on"]),
            models.Index(fields=["worker", "occurred_on"]),
            # The nightly fidelity indicators read every team's contacts of the last 28 days;
            # covering the columns they group by keeps that a range scan of the index.
            models.Index(
                fields=["occurred_on", "episode", "with_whom", "mode"], name="contact_window_idx"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{_('Contact')} {self.pk}"

    @override
    def clean(self) -> None:
        occurred: date | None = self.occurred_on  # None when the field failed validation
        if occurred is not None and occurred > timezone.localdate():
            raise ValidationError({"occurred_on": _("A contact cannot be in the future.")})


class SupervisionKind(models.TextChoices):
    GROUP = "group", _("Group supervision")
    INDIVIDUAL = "individual", _("Individual supervision")


class SupervisionSession(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="supervision_sessions")
    kind = models.CharField(_("kind"), max_length=10, choices=SupervisionKind.choices)
    held_on = models.DateField(_("date"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="supervision_sessions", verbose_name=_("attendees")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        ordering = ["-held_on", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"


class ClientPresentation(models.Model):
    """A client presented in group supervision with the strengths-based presentation."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="presentations"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="presentations")
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("what the worker asks the group"), blank=True)
    suggestions = models.TextField(_("suggestions from the group"))

    class Meta:
        verbose_name = _("client presentation")
        verbose_name_plural = _("client presentations")
        constraints = [
            models.UniqueConstraint(fields=["session", "client"], name="present_client_once")
        ]

    @override
    def __str__(self) -> str:
        return f"{_('Presentation')} {self.pk}"


class AgreedActionStatus(models.TextChoices):
    # A context of their own: "open", "done" and "voided" agree in gender with the noun in French.
    OPEN = "open", pgettext_lazy("agreed action", "Open")
    DONE = "done", pgettext_lazy("agreed action", "Done")
    VOIDED = "voided", pgettext_lazy("agreed action", "Voided")


class AgreedAction(models.Model):
    """What a supervision session agreed someone does for a presented client, and by when.

    ``version`` detects concurrent edits; every change leaves an ``AgreedActionChange`` row, so
    the state before and after each correction stays readable.
    """

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.PROTECT, related_name="agreed_actions"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="agreed_actions")
    text = models.TextField(_("what was agreed"), max_length=1000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agreed_actions",
        verbose_name=_("who does it"),
    )
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=AgreedActionStatus.choices,
        default=AgreedActionStatus.OPEN,
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    void_reason = models.TextField(_("why it was voided"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        ordering = ["due_on", "pk"]
        indexes = [
            # The case manager's home lists their open actions by due date; the client page
            # reads one client's open actions.
            models.Index(fields=["owner", "status", "due_on"], name="agreed_action_owner_idx"),
            models.Index(fields=["client", "status", "due_on"], name="agreed_action_client_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(done_on__isnull=False),
                name="agreed_action_done_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="voided") | ~models.Q(void_reason=""),
                name="agreed_action_void_has_reason",
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{_('Agreed action')} {self.pk}"

    @override
    def clean(self) -> None:
        if self.status == AgreedActionStatus.DONE and self.done_on is None:
            raise ValidationError({"done_on": _("A done action needs the date it was done.")})
        if self.status == AgreedActionStatus.VOIDED and not self.void_reason.strip():
            raise ValidationError({"void_reason": _("Say why the action is voided.")})

    @property
    def is_open(self) -> bool:
        return self.status == AgreedActionStatus.OPEN

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on < today


class AgreedActionChangeKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("agreed action", "Agreed")
    EDITED = "edited", pgettext_lazy("agreed action", "Corrected")
    DONE = "done", pgettext_lazy("agreed action", "Marked done")
    REOPENED = "reopened", pgettext_lazy("agreed action", "Reopened")
    VOIDED = "voided", pgettext_lazy("agreed action", "Voided")


class AgreedActionChange(models.Model):
    """The state of an agreed action after one change: the row before it is the state before."""

    action = models.ForeignKey(AgreedAction, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("change"), max_length=8, choices=AgreedActionChangeKind.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    text = models.TextField(_("what was agreed"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("by when"))
    status = models.CharField(_("status"), max_length=8, choices=AgreedActionStatus.choices)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("agreed action change")
        verbose_name_plural = _("agreed action changes")
        ordering = ["changed_at", "pk"]

    @override
    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"
