"""Rows the foundation keeps for every app: claimed one-time form tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class FormSubmission(models.Model):
    """A one-time form token that a submission has claimed, and where that submission went.

    Only a hash of the token is kept. The unique index is what makes a concurrent duplicate
    wait for the first submission and then find the token taken (``tandem.core.form_tokens``).
    """

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), db_index=True)
    redirect_to = models.CharField(_("sent on to"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    @override
    def __str__(self) -> str:
        return f"{self.user_id} {self.claimed_at:%Y-%m-%d %H:%M}"
