"""The community resource directory, tidied by agency administrators."""

from __future__ import annotations

from django.contrib import admin

from tandem.core.admin_scoping import AgencyScopedAdmin
from tandem.practice.models import CommunityResource


@admin.register(CommunityResource)
class CommunityResourceAdmin(AgencyScopedAdmin):
    list_display = ("name", "kind", "agency", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("agency",)
    search_fields = ("name",)

    foreign_key_scopes = {"agency": "pk"}
