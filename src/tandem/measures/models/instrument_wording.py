"""Licensed item wording that an agency uploads for an instrument."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import Language
from tandem.measures.wording import WordingError, check_texts
from tandem.orgs.models import Agency


class InstrumentWording(models.Model):
    """One uploaded revision of an agency's wording of an instrument in one language.

    Rows are never edited: each upload adds the next ``revision`` and the newest one is used, so
    the wording a client saw on a given day can always be found again.
    """

    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="instrument_wordings",
        verbose_name=_("agency"),
    )
    instrument_code = models.CharField(_("instrument"), max_length=40)
    instrument_version = models.CharField(_("instrument version"), max_length=20)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    texts = models.JSONField(_("item texts"), default=dict)
    is_demo = models.BooleanField(
        _("demo wording"),
        default=False,
        help_text=_(
            "Invented statements for the demonstration, not the instrument's text; every page "
            "that shows them says so."
        ),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("instrument wording")
        verbose_name_plural = _("instrument wordings")
        ordering = ["agency", "instrument_code", "language", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "instrument_code", "instrument_version", "language", "revision"],
                name="measures_wording_unique_revision",
            )
        ]

    @override
    def __str__(self) -> str:
        return f"{self.instrument_code} v{self.instrument_version} {self.language} r{self.revision}"

    @override
    def clean(self) -> None:
        try:
            check_texts(self.instrument_code, self.instrument_version, self.language, self.texts)
        except WordingError as exc:
            raise ValidationError({"texts": exc.problems}) from None
