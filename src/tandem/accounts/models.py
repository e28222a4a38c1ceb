"""Users (login by email), their role memberships at an agency, programme or team, and the
durable record of every role granted or removed."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.orgs.models import Agency, Programme, Team


class Language(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    @override
    def get_by_natural_key(self, username: str | None) -> User:
        # Emails are stored lower-cased; people type them in any case.
        return self.get(email__iexact=(username or "").strip())

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("agency"),
        help_text=_("The agency that employs this person and administers their account."),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("can use the administration site"),
        default=False,
        help_text=_("Agency administrators need this to reach the administration site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    must_change_password = models.BooleanField(
        _("must change password at next sign-in"),
        default=False,
        help_text=_(
            "Set when someone else sets this person's password; cleared when they choose their own."
        ),
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name"]

    @override
    def __str__(self) -> str:
        return self.full_name or self.email

    @override
    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    CASE_MANAGER = "case_manager", _("Case manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    ASSESSOR = "assessor", _("Fidelity assessor")
    RESEARCHER = "researcher", _("Researcher")
    TRAINER = "trainer", _("Trainer")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")


class Membership(models.Model):
    """A role held by a user at one level: a whole agency, one programme, or one team.

    ``agency`` is always set; ``programme`` narrows it; ``team`` narrows it further.
    Only ``tandem.accounts.services`` grants and removes memberships, so that every change is
    checked, audited and kept as a ``RoleChange``: deleting a person, agency, programme or team
    that still holds a membership is refused rather than silently removing the role.
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("programme"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("team"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__full_name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "agency", "programme", "team"],
                name="membership_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(team__isnull=True) | models.Q(programme__isnull=False),
                name="membership_team_needs_programme",
            ),
        ]

    @override
    def __str__(self) -> str:
        scope = self.team or self.programme or self.agency
        return f"{self.get_role_display()} — {scope}"

    @override
    def clean(self) -> None:
        team, programme = self.team, self.programme
        if team is not None and programme is None:
            self.programme = programme = team.programme
        if team is not None and team.programme_id != self.programme_id:
            raise ValidationError({"team": _("This team belongs to another programme.")})
        if programme is not None and programme.agency_id != self.agency_id:
            raise ValidationError({"programme": _("This programme belongs to another agency.")})


class RoleChange(models.Model):
    """One role granted to or removed from a person: by whom, in which scope, and when.

    Written by ``tandem.accounts.services`` in the transaction that changes the membership, and
    never edited. It holds references only (people, agency, programme, team), protected from
    deletion so that the history stays whole; ``changed_by`` is empty for set-up done from the
    command line (the demo loader).
    """

    class Kind(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REVOKED = "revoked", _("Removed")

    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_changes", verbose_name=_("person")
    )
    changed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    kind = models.CharField(_("change"), max_length=8, choices=Kind.choices)

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["agency", "-occurred_at"], name="rolechange_agency_when")]

    @override
    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_role_display()} — {self.user_id}"
