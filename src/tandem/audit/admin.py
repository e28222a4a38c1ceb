from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from typing_extensions import override

from tandem.audit.models import AuditEvent
from tandem.core.admin_scoping import AgencyScopedAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(AgencyScopedAdmin):
    """Read-only: the audit log can be searched, never changed from the admin."""

    list_display = (
        "pk",
        "occurred_at",
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "outcome",
    )
    list_filter = ("action", "outcome", "object_type")
    search_fields = ("object_id", "request_id")
    date_hierarchy = "occurred_at"

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
