"""Personal API tokens (stored hashed) and the stored answers of idempotent requests."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class ApiToken(models.Model):
    """A person's credential for the JSON API, limited to scopes and never wider than their role.

    The secret is shown once when the token is made; only its SHA-256 is kept. ``prefix`` is a
    short public id, the first part of the token, by which a request's token is found before
    its secret is compared in constant time.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("public id"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    @override
    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_usable(self, now: datetime | None = None) -> bool:
        """Neither revoked nor expired."""
        moment = timezone.now() if now is None else now
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > moment


class IdempotentRequest(models.Model):
    """The answer given to one ``Idempotency-Key`` of one token, replayed for its retries.

    The unique constraint is what makes concurrent duplicates store once: the second insert
    waits for the first transaction and then fails, and its request replays the stored answer.
    """

    token = models.ForeignKey(
        ApiToken, on_delete=models.CASCADE, related_name="+", verbose_name=_("token")
    )
    key = models.CharField(_("idempotency key"), max_length=200)
    request_digest = models.CharField(_("request digest"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotent_request_unique")
        ]

    @override
    def __str__(self) -> str:
        return f"{self.token_id} {self.key}"
