"""People and their roles in the administration site.

Roles are saved through ``tandem.accounts.services`` (checked, audited, kept as role changes);
nobody edits their own roles, staff status, activity or agency; a password set here for someone
else must be changed at their next sign-in and they are told by e-mail.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.accounts import services
from tandem.accounts.models import Membership, User
from tandem.core.admin_scoping import AgencyScopedAdmin, administered_agencies, is_agency_admin
from tandem.orgs.models import Agency, Programme, Team

# What nobody changes on their own user page: they would widen or drop their own access.
OWN_ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser", "agency")


def is_own_account(request: HttpRequest, obj: Any) -> bool:
    return obj is not None and obj.pk == request.user.pk


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]  # generic admin
    model = Membership
    extra = 0
    fields = ("role", "agency", "programme", "team")

    # Agency administrators manage memberships through the user page, whatever Django
    # permissions they hold; the rows themselves are narrowed in get_queryset. On their own
    # page the roles are shown, never editable (UserAdmin.save_formset refuses them anyway).
    @override
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_agency_admin(request)

    @override
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_agency_admin(request) and not is_own_account(request, obj)

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_agency_admin(request) and not is_own_account(request, obj)

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_agency_admin(request) and not is_own_account(request, obj)

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
        (_("Access"), {"fields": ("is_active", "is_staff", "must_change_password")}),
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
    readonly_fields = ("last_login", "date_joined", "must_change_password")

    @override
    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # A superuser's password would open everything: agency administrators never reach it.
        return queryset.filter(is_superuser=False)

    @override
    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser and obj is not None:
            return (*fieldsets, (_("Superuser"), {"fields": ("is_superuser",)}))
        return fieldsets

    @override
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if is_own_account(request, obj):
            return (*readonly, *OWN_ACCESS_FIELDS)
        return readonly

    @override
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]  # staff user
        if not change and obj.agency_id is None and not actor.is_superuser:
            # An agency administrator's new user belongs to their (first) agency.
            obj.agency_id = min(administered_agencies(request))
        super().save_model(request, obj, form, change)
        if not change:
            # The creator chose the first password: the person replaces it at first sign-in.
            services.set_password(
                actor=actor, user=obj, raw_password=form.cleaned_data.get("password1") or None
            )
        elif "email" in form.changed_data:
            services.tell_old_address_of_email_change(
                actor=actor, user=obj, previous_email=form.initial.get("email", "")
            )

    @override
    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        # Roles go through the services: refused for one's own account, audited, and kept on
        # the agency's "Role changes" page.
        actor: User = request.user  # type: ignore[assignment]  # staff user
        person = form.instance
        # What Django's change message and history read after a formset is saved.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        # The forms' instances already carry the posted values: removals and changes start
        # from the stored row, so that the record names the role that was actually held.
        for row in formset.deleted_forms:
            if row.instance.pk is not None:
                stored = Membership.objects.get(pk=row.instance.pk)
                services.revoke_role(actor=actor, membership=stored)
                formset.deleted_objects.append(stored)
        for row in formset.forms:
            if row in formset.deleted_forms or not row.has_changed():
                continue
            scope = {
                "role": row.cleaned_data["role"],
                "agency": row.cleaned_data["agency"],
                "programme": row.cleaned_data.get("programme"),
                "team": row.cleaned_data.get("team"),
            }
            if row.instance.pk is None:
                granted = services.grant_role(actor=actor, user=person, **scope)
                formset.new_objects.append(granted)
            else:
                stored = Membership.objects.get(pk=row.instance.pk)
                changed = services.change_role(actor=actor, membership=stored, **scope)
                formset.changed_objects.append((changed, row.changed_data))

    @override
    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Set the password through the service; Django's view only shows the form and errors."""
        user = self.get_object(request, unquote(id))
        if (
            request.method != "POST"
            or user is None
            or not self.has_change_permission(request, user)
        ):
            return super().user_change_password(request, id, form_url)
        form = self.change_password_form(user, request.POST)
        usable = form.is_valid() and form.cleaned_data["set_usable_password"]
        if not form.is_valid() or not (usable or "unset-password" in request.POST):
            return super().user_change_password(request, id, form_url)
        actor: User = request.user  # type: ignore[assignment]  # staff user
        with transaction.atomic():
            raw_password = form.cleaned_data["password1"] if usable else None
            services.set_password(actor=actor, user=user, raw_password=raw_password)
            self.log_change(request, user, self.construct_change_message(request, form, []))
        if user.pk == actor.pk:
            update_session_auth_hash(request, user)
        messages.success(request, gettext("Password changed successfully."))
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=(user.pk,)))

    foreign_key_scopes = {"agency": "pk"}


# Tandem grants access through memberships, not Django groups.
admin.site.unregister(Group)
admin.site.site_header = _("Tandem administration")
admin.site.site_title = _("Tandem administration")
