"""Tamper-evident audit log: who did what to which object, never the personal data itself."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.audit import chain


class Action(models.TextChoices):
    VIEW = "view", _("Viewed")
    LIST = "list", _("Listed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    LOGOUT = "logout", _("Logged out")
    PASSWORD_CHANGE = "password_change", _("Changed password")
    DENIED = "denied", _("Denied")


class Outcome(models.TextChoices):
    OK = "ok", _("Allowed")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class AuditEvent(models.Model):
    """One link in the HMAC chain.

    ``digest`` = HMAC(key, previous digest ‖ canonical fields). Editing or deleting any row
    breaks the link that follows it, which ``tandem audit verify`` reports.
    ``seq`` is the event's position, 1, 2, 3... without gaps: it is given under the lock of the
    chain head, so a rolled-back write leaves no hole (unlike the database id).
    Actor and agency are stored as plain ids so that the chain survives the deletion of a user.
    """

    seq = models.PositiveBigIntegerField(_("position"), unique=True)
    chain_version = models.PositiveSmallIntegerField(default=chain.CURRENT_VERSION)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    agency_id = models.BigIntegerField(_("agency id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.OK
    )
    previous_digest = models.CharField(_("previous digest"), max_length=64)
    digest = models.CharField(_("digest"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    @override
    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row naming the end of the chain; locking it serialises appends to the chain.

    ``mac`` signs the event count, the last event and its digest, so that removing events at
    the end and rewriting these fields is detected. ``key_check`` names the key the chain is
    written with, so that verifying with another key is refused rather than reported as a break.
    """

    last_digest = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField(null=True)
    event_count = models.PositiveBigIntegerField(default=0)
    key_check = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain head")

    @override
    def __str__(self) -> str:
        return f"head at event {self.last_event_id}"
