"""Responses: the answers to one administration of an instrument, and their scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import Language
from tandem.clients.models import Client, Episode
from tandem.measures.models.schedules import Administration


class EnteredVia(models.TextChoices):
    WORKER = "worker", _("Entered by a worker")
    SELF_REPORT_LINK = "link", _("Answered by the client on a link")
    IMPORT = "import", _("Imported")


class Response(models.Model):
    """Answers to one instrument, and their scores once complete.

    A response with ``completed_at`` empty is a self-report in progress: each answer is saved
    as the client gives it, so a closed tab loses nothing.
    """

    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("administration"),
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="responses", verbose_name=_("client")
    )
    episode = models.ForeignKey(
        Episode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("episode"),
    )
    instrument_code = models.CharField(_("instrument"), max_length=40)
    instrument_version = models.CharField(_("instrument version"), max_length=20)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    answers = models.JSONField(_("answers"), default=dict)
    scores = models.JSONField(_("scores"), default=dict)
    entered_via = models.CharField(_("entered via"), max_length=8, choices=EnteredVia.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, db_index=True)
    sent_incomplete = models.BooleanField(
        _("sent with unanswered items"),
        default=False,
        help_text=_("The client was shown the unanswered items and chose to send as is."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["completed_at", "pk"]
        indexes = [models.Index(fields=["client", "instrument_code", "completed_at"])]

    @override
    def __str__(self) -> str:
        return f"{self.instrument_code} #{self.pk}"


class ResponseCorrection(models.Model):
    """One correction of a completed response by a worker: the answers and scores before and
    after, and why. The response holds the newest revision; these rows keep every earlier one."""

    response = models.ForeignKey(
        Response, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("response")
    )
    revision = models.PositiveIntegerField(_("revision"))
    answers_before = models.JSONField(_("answers before"))
    answers_after = models.JSONField(_("answers after"))
    scores_before = models.JSONField(_("scores before"))
    scores_after = models.JSONField(_("scores after"))
    completed_at_before = models.DateTimeField(_("completed before"), null=True)
    completed_at_after = models.DateTimeField(_("completed after"), null=True)
    reason = models.TextField(_("reason"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    corrected_at = models.DateTimeField(_("corrected"), auto_now_add=True)

    class Meta:
        verbose_name = _("response correction")
        verbose_name_plural = _("response corrections")
        ordering = ["response", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "revision"], name="measures_correction_unique_revision"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"correction {self.revision} of response #{self.response_id}"
