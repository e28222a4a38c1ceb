"""Reads of people's accounts for agency administrators, narrowed to the agencies they run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone

from tandem.accounts.access import agency_ids_administered_by
from tandem.accounts.models import RoleChange, User
from tandem.core.access import deny_read


def accounts_administered_by(actor: User) -> QuerySet[User]:
    """People whose sign-in the actor manages: their agencies' people, never a superuser."""
    if actor.is_superuser:
        return User.objects.all()
    return User.objects.filter(agency_id__in=agency_ids_administered_by(actor), is_superuser=False)


def get_account_for(actor: User, pk: int) -> User:
    """One person the actor manages; 404 (audited) for anyone else, existing or not."""
    user = accounts_administered_by(actor).filter(pk=pk).first()
    if user is None:
        deny_read(actor, "accounts.user", pk)
    return user


def role_changes_visible_to(actor: User) -> QuerySet[RoleChange]:
    """Role changes in the agencies the actor administers, newest first."""
    return (
        RoleChange.objects.filter(agency_id__in=agency_ids_administered_by(actor))
        .select_related("agency", "user", "changed_by", "programme", "team")
        .order_by("-occurred_at", "-pk")
    )


@dataclass(frozen=True, slots=True)
class LockedAccount:
    user: User
    failures: int
    unlocks_at: datetime


def locked_accounts_for(actor: User) -> list[LockedAccount]:
    """People of the actor's agencies who cannot sign in now because of failed attempts.

    Counts as django-axes does for the account: the failures recorded under the person's
    address within the cool-off, whichever address they came from. The lock lifts by itself at
    the latest when the newest of those failures is a cool-off old.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    since = timezone.now() - cool_off
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since, username__isnull=False)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    by_email = {row["username"]: row for row in rows}
    if not by_email:
        return []
    people = accounts_administered_by(actor).filter(email__in=by_email).order_by("full_name")
    return [
        LockedAccount(
            user=person,
            failures=by_email[person.email]["failures"],
            unlocks_at=by_email[person.email]["last"] + cool_off,
        )
        for person in people
    ]
