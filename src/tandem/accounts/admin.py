from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts.models import Membership, User
from tandem.core.admin_scoping import AgencyScopedAdmin, administered_agencies, is_agency_admin
from tandem.orgs.models import Agency, Programme, Team


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]  # generic admin
    model = Membership
    extra = 0
    fields = ("role", "agency", "programme", "team")

    # Agency administrators manage memberships through the user page, whatever Django
    # permissions they hold; the rows themselves are narrowed in get_queryset.
    @override
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_agency_admin(request)

    @override
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_agency_admin(request)

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_agency_admin(request)

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_agency_admin(request)

    @override
    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if not request.user.is_superuser:
            agencies = administered_agencies(request)
            choices = {
                "agency": Agency.objects.filter(pk__in=agencies),
                "programme": Programme.objects.filter(agency_id__in=agencies),
                "team": Team.objects.filter(programme__agency_id__in=agencies),
            }
            if db_field.name in choices:
                kwargs["queryset"] = choices[db_field.name]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @override
    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(agency_id__in=administered_agencies(request))


@admin.register(User)
class UserAdmin(AgencyScopedAdmin, DjangoUserAdmin[User]):
    agency_field = "agency_id"
    ordering = ("full_name",)
    list_display = ("full_name", "email", "is_active", "is_staff")
    search_fields = ("full_name", "email")
    list_filter = ("is_active", "memberships__role")
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "preferred_language", "agency")}),
        (_("Access"), {"fields": ("is_active", "is_staff")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    @override
    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser and obj is not None:
            return (*fieldsets, (_("Superuser"), {"fields": ("is_superuser",)}))
        return fieldsets

    @override
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change and obj.agency_id is None and not request.user.is_superuser:
            # An agency administrator's new user belongs to their (first) agency.
            obj.agency_id = min(administered_agencies(request))
        super().save_model(request, obj, form, change)

    foreign_key_scopes = {"agency": "pk"}


# Tandem grants access through memberships, not Django groups.
admin.site.unregister(Group)
admin.site.site_header = _("Tandem administration")
admin.site.site_title = _("Tandem administration")
