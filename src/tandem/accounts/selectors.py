"""Reads of people's accounts for agency administrators, narrowed to the agencies they run."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.accounts.access import agency_ids_administered_by
from tandem.accounts.models import RoleChange, User


def role_changes_visible_to(actor: User) -> QuerySet[RoleChange]:
    """Role changes in the agencies the actor administers, newest first."""
    return (
        RoleChange.objects.filter(agency_id__in=agency_ids_administered_by(actor))
        .select_related("agency", "user", "changed_by", "programme", "team")
        .order_by("-occurred_at", "-pk")
    )
