"""Django admin for agency administrators, narrowed to their own agencies.

Superusers see everything; a staff user with an ``agency_admin`` membership sees and edits only
the rows of the agencies they administer; everyone else sees nothing. Every change is audited,
and every add or change form carries a one-time form token, so a double click saves once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from typing_extensions import override

from tandem.accounts.access import agency_ids_administered_by
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.form_tokens import form_token_required


def administered_agencies(request: HttpRequest) -> frozenset[int]:
    cached: frozenset[int] | None = getattr(request, "_tandem_admin_agencies", None)
    if cached is None:
        cached = agency_ids_administered_by(request.user)
        request._tandem_admin_agencies = cached  # type: ignore[attr-defined]  # per-request cache
    return cached


def is_agency_admin(request: HttpRequest) -> bool:
    """Active staff who are superusers or administer at least one agency."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or administered_agencies(request))


class AgencyScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic over many models
    """Filter rows by ``agency_field`` (a lookup path to the agency id)."""

    agency_field = "agency_id"
    # Foreign keys whose choices are narrowed: field name -> lookup path to the agency id on the
    # related model. Agency administrators can only point rows at their own agencies.
    foreign_key_scopes: dict[str, str] = {}

    def _is_admin(self, request: HttpRequest) -> bool:
        return is_agency_admin(request)

    @override
    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    @override
    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_admin(request) and (obj is None or self._in_scope(request, obj))

    @override
    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_view_permission(request, obj)

    @override
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._is_admin(request)

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_view_permission(request, obj)

    def _in_scope(self, request: HttpRequest, obj: Model) -> bool:
        if request.user.is_superuser:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    @override
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.agency_field}__in": administered_agencies(request)})

    def scope_choices(
        self, request: HttpRequest, queryset: QuerySet[Any], path: str
    ) -> QuerySet[Any]:
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{path}__in": administered_agencies(request)})

    @override
    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        path = self.foreign_key_scopes.get(db_field.name)
        if path is not None:
            related = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = self.scope_choices(request, related, path)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @override
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The add and change forms, each submission saved once (``core.form_tokens``)."""
        view = form_token_required(super().changeform_view)
        return view(request, object_id, form_url, extra_context)

    @override
    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_event(
            actor=request.user,  # type: ignore[arg-type]  # staff user
            action=Action.UPDATE if change else Action.CREATE,
            obj=obj,
        )

    @override
    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        label, pk = obj._meta.label_lower, str(obj.pk)
        super().delete_model(request, obj)
        record_event(
            actor=request.user,  # type: ignore[arg-type]  # staff user
            action=Action.DELETE,
            object_type=label,
            object_id=pk,
        )

    @override
    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Deleted rows lose their primary key when deleted: note them first.
        doomed = [(f.instance._meta.label_lower, str(f.instance.pk)) for f in formset.deleted_forms]
        super().save_formset(request, form, formset, change)
        actor = request.user
        for obj in formset.new_objects:
            record_event(actor=actor, action=Action.CREATE, obj=obj)  # type: ignore[arg-type]  # staff user
        for obj, _fields in formset.changed_objects:
            record_event(actor=actor, action=Action.UPDATE, obj=obj)  # type: ignore[arg-type]  # staff user
        for label, pk in doomed:
            record_event(
                actor=actor,  # type: ignore[arg-type]  # staff user
                action=Action.DELETE,
                object_type=label,
                object_id=pk,
            )

    @override
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
