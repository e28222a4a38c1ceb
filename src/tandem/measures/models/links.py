"""Self-report links a client answers on, the refused guesses at them, and invitations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.measures.models.responses import Response
from tandem.measures.models.schedules import Administration


class SelfReportLink(models.Model):
    """A one-time link for a client. Only the SHA-256 of its token is kept."""

    administration = models.ForeignKey(
        Administration,
        on_delete=models.CASCADE,
        related_name="links",
        verbose_name=_("administration"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    response = models.OneToOneField(
        Response,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="link",
        verbose_name=_("response in progress"),
    )

    class Meta:
        verbose_name = _("self-report link")
        verbose_name_plural = _("self-report links")
        ordering = ["-created_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"link #{self.pk}"


class RefusedLinkAttempts(models.Model):
    """Refused requests for self-report links from one address in one rate-limit window.

    Guessing tokens must not write one audit event per guess (the chain would grow without
    bound and every guess would wait on its lock): the first refusal of a window is audited,
    naming this row, and the later ones only add to its counts. The address is kept as a keyed
    digest, the same for the same address but unreadable without the secret key.
    """

    address_digest = models.CharField(_("address digest"), max_length=64)
    window_start = models.DateTimeField(_("window start"))
    refused = models.PositiveIntegerField(
        _("refused tokens"), default=0, help_text=_("Tokens that open no link.")
    )
    throttled = models.PositiveIntegerField(
        _("throttled requests"),
        default=0,
        help_text=_("Requests answered 'too many requests' before any lookup."),
    )
    last_at = models.DateTimeField(_("last refused"))

    class Meta:
        verbose_name = _("refused link attempts")
        verbose_name_plural = _("refused link attempts")
        ordering = ["-window_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["address_digest", "window_start"], name="refused_link_attempts_once"
            )
        ]

    @override
    def __str__(self) -> str:
        return f"refused link attempts #{self.pk}"


class InvitationKind(models.TextChoices):
    LINK = "link", _("Link")
    REMINDER = "reminder", _("Reminder")


class InvitationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("Shown in person (QR code)")
    CASELOAD_NOTE = "caseload_note", _("Note on the caseload")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Invitation(models.Model):
    """One entry of the invitation log: a link handed over or a reminder, sent or to come."""

    link = models.ForeignKey(
        SelfReportLink,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("link"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InvitationKind.choices)
    channel = models.CharField(_("channel"), max_length=14, choices=InvitationChannel.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    send_after = models.DateTimeField(_("send after"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["send_after", "pk"]
        indexes = [models.Index(fields=["status", "send_after"])]

    @override
    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
