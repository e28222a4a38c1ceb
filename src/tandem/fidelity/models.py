"""Fidelity scales, team reviews rated by two assessors, and indicators from routine data.

A scale (the Strengths Model fidelity scale, or a programme's own draft) has domains of items
rated 1-5. The agency writes each item's label and anchor text; Tandem ships structure only.
A review of a team is rated by two assessors independently, then reconciled item by item into
a consensus; its scores (domain means, total = sum of domain means, agreement) are stored when
the review is finalised, so that dashboards and exposure read them without recomputing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.fidelity.labels import localised
from tandem.orgs.models import Agency, Programme, Team

RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
# The ratings 1-5 as text: the keys of ``FidelityItem.anchors`` and the values of rating fields.
RATING_KEYS = ("1", "2", "3", "4", "5")


class ScaleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In use")
    RETIRED = "retired", _("Retired")


class FidelityScale(models.Model):
    """A fidelity scale of an agency, optionally drafted for one programme."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="fidelity_scales")
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fidelity_scales",
        verbose_name=_("programme"),
        help_text=_("Leave empty for a scale every programme of the agency may use."),
    )
    code = models.SlugField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=20, default="1")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ScaleStatus.choices, default=ScaleStatus.DRAFT
    )
    high_fidelity_threshold = models.DecimalField(
        _("high fidelity at or above"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Total score from which a review counts as high fidelity."),
    )
    # The SMCM cut-off (32) was set on 8 domains; with another number of rated domains the
    # total is on another range and the cut-off does not apply, so no high/low is given.
    high_fidelity_domain_count = models.PositiveSmallIntegerField(
        _("number of domains the threshold was set for"),
        null=True,
        blank=True,
        help_text=_(
            "A review is classed high or low only when it rates this many domains. "
            "Leave empty to apply the threshold whatever the number of domains."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Every edit of a draft (settings, domains, items, activation) bumps it; the editor's forms
    # carry the revision they were drawn from, so two people editing one draft cannot overwrite
    # each other unseen.
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("fidelity scale")
        verbose_name_plural = _("fidelity scales")
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "code", "version"], name="fidelity_scale_unique_version"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.display_name} ({self.version})"

    @property
    def display_name(self) -> str:
        """The name in the reader's language when it is the built-in scale's own."""
        return localised(self.name)

    @property
    def display_description(self) -> str:
        return localised(self.description)

    @override
    def clean(self) -> None:
        programme = self.programme
        if programme is not None and programme.agency_id != self.agency_id:
            raise ValidationError({"programme": _("This programme belongs to another agency.")})


class FidelityDomain(models.Model):
    scale = models.ForeignKey(FidelityScale, on_delete=models.CASCADE, related_name="domains")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("fidelity domain")
        verbose_name_plural = _("fidelity domains")
        ordering = ["scale", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="fidelity_domain_unique_code")
        ]

    @override
    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language when it is the built-in scale's own."""
        return localised(self.name)


class FidelityItem(models.Model):
    """One item rated 1-5. ``anchors`` maps "1".."5" to the agency's own anchor text."""

    domain = models.ForeignKey(FidelityDomain, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=300)
    anchors = models.JSONField(_("anchor text by rating"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("fidelity item")
        verbose_name_plural = _("fidelity items")
        ordering = ["domain__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "code"], name="fidelity_item_unique_code")
        ]

    @override
    def __str__(self) -> str:
        return self.label

    @override
    def clean(self) -> None:
        unknown = set(self.anchors) - set(RATING_KEYS)
        if unknown:
            raise ValidationError({"anchors": _("Anchors are given for ratings 1 to 5 only.")})


class ReviewStatus(models.TextChoices):
    RATING = "rating", _("Assessors rating")
    RECONCILING = "reconciling", _("Reconciling")
    FINAL = "final", _("Final")


class FidelityReview(models.Model):
    """A review of one team on one date. ``version`` detects concurrent edits."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="fidelity_reviews")
    scale = models.ForeignKey(FidelityScale, on_delete=models.PROTECT, related_name="reviews")
    review_date = models.DateField(_("review date"))
    excluded_domains = models.ManyToManyField(
        FidelityDomain,
        blank=True,
        related_name="+",
        verbose_name=_("domains left out"),
        help_text=_("Domains not rated in this review; the total is the sum of the others."),
    )
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ReviewAssessor",
        related_name="fidelity_reviews",
        verbose_name=_("assessors"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.RATING
    )
    # Stored at finalisation: {"domains": {code: mean}, "total": float, "is_high": bool|None,
    # "agreement": {...}}. Dashboards and exposure read these; nothing is recomputed on request.
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.FloatField(_("total"), null=True, blank=True)
    is_high_fidelity = models.BooleanField(_("high fidelity"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("fidelity review")
        verbose_name_plural = _("fidelity reviews")
        ordering = ["-review_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scale", "review_date"], name="one_review_per_team_scale_day"
            )
        ]
        indexes = [models.Index(fields=["team", "status", "review_date"])]

    @override
    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.review_date:%Y-%m-%d}"


class ReviewAssessor(models.Model):
    review = models.ForeignKey(FidelityReview, on_delete=models.CASCADE, related_name="panel")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("ratings submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("review assessor")
        verbose_name_plural = _("review assessors")
        constraints = [
            models.UniqueConstraint(fields=["review", "assessor"], name="assess_review_once")
        ]

    @override
    def __str__(self) -> str:
        return f"{_('Assessor')} {self.assessor_id}"


class AssessorRating(models.Model):
    """One assessor's independent rating of one item; hidden from the other until both submit."""

    review = models.ForeignKey(FidelityReview, on_delete=models.CASCADE, related_name="ratings")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(FidelityItem, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), validators=RATING_VALIDATORS)
    note = models.TextField(_("evidence and note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessor rating")
        verbose_name_plural = _("assessor ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "assessor", "item"], name="rate_item_once_per_assessor"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="assessor_rating_1_to_5"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{_('Rating')} {self.pk}"


class ConsensusRating(models.Model):
    """The rating the two assessors agreed, with a note on how they reconciled a difference."""

    review = models.ForeignKey(FidelityReview, on_delete=models.CASCADE, related_name="consensus")
    item = models.ForeignKey(FidelityItem, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("agreed rating"), validators=RATING_VALIDATORS)
    note = models.TextField(_("how it was agreed"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("agreed"), auto_now=True)

    class Meta:
        verbose_name = _("consensus rating")
        verbose_name_plural = _("consensus ratings")
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="one_consensus_per_item"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="consensus_rating_1_to_5"
            ),
        ]

    @override
    def __str__(self) -> str:
        return f"{_('Consensus')} {self.pk}"


class IndicatorValue(models.Model):
    """One continuous fidelity indicator of a team (or one of its workers) on one day.

    Computed nightly from routine data by ``fidelity.tasks.nightly_indicators``. ``domain_code``
    names the review domain the indicator predicts, so drift shows before the next review.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="indicator_values")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
    )
    day = models.DateField(_("day"))
    code = models.CharField(_("indicator"), max_length=40)
    domain_code = models.CharField(_("review domain"), max_length=40, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["team", "code", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "day", "code"],
                condition=Q(worker__isnull=True),
                name="one_team_indicator_per_day",
            ),
            models.UniqueConstraint(
                fields=["team", "worker", "day", "code"],
                condition=Q(worker__isnull=False),
                name="one_worker_indicator_per_day",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "code", "day"]),
            models.Index(fields=["worker", "day"]),
        ]

    @override
    def __str__(self) -> str:
        return f"{self.code} {self.day:%Y-%m-%d}"
