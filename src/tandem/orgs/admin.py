from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from typing_extensions import override

from tandem.core.admin_scoping import AgencyScopedAdmin
from tandem.orgs.models import Agency, Programme, Team


@admin.register(Agency)
class AgencyAdmin(AgencyScopedAdmin):
    agency_field = "pk"
    list_display = ("name", "slug")
    search_fields = ("name",)

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(Programme)
class ProgrammeAdmin(AgencyScopedAdmin):
    list_display = ("name", "agency", "model", "caseload_target", "time_limit_days")
    list_filter = ("model",)
    list_select_related = ("agency",)

    foreign_key_scopes = {"agency": "pk"}


@admin.register(Team)
class TeamAdmin(AgencyScopedAdmin):
    agency_field = "programme__agency_id"
    list_display = ("name", "programme")
    list_select_related = ("programme",)

    foreign_key_scopes = {"programme": "agency_id"}
