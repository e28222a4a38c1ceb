"""Fidelity scales in the admin: agency administrators draft scales and write item anchors.

A scale in use (or retired) is read-only here as in the editor; "new version" in the editor
copies it into a new draft. Reviews are not in the admin: they are rated on their own pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from tandem.core.admin_scoping import AgencyScopedAdmin
from tandem.fidelity import services
from tandem.fidelity.models import (
    RATING_KEYS,
    FidelityDomain,
    FidelityItem,
    FidelityScale,
    ScaleStatus,
)


def _is_draft(scale: FidelityScale | None) -> bool:
    return scale is None or scale.status == ScaleStatus.DRAFT


class DomainInline(admin.TabularInline):  # type: ignore[type-arg]  # generic over the model
    model = FidelityDomain
    fields = ("position", "code", "name")
    extra = 0

    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj)

    @override
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj)

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj)


@admin.register(FidelityScale)
class FidelityScaleAdmin(AgencyScopedAdmin):
    list_display = ("name", "version", "programme", "status", "agency")
    list_filter = ("status",)
    list_select_related = ("agency", "programme")
    fields = (
        "agency",
        "programme",
        "code",
        "version",
        "name",
        "description",
        "high_fidelity_threshold",
        "high_fidelity_domain_count",
        "status",
    )
    readonly_fields = ("status",)
    inlines = (DomainInline,)
    actions = ("put_in_use",)
    foreign_key_scopes = {"agency": "pk", "programme": "agency_id"}

    @override
    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        scale = obj if isinstance(obj, FidelityScale) else None
        return super().has_change_permission(request, obj) and _is_draft(scale)

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        scale = obj if isinstance(obj, FidelityScale) else None
        return super().has_delete_permission(request, obj) and _is_draft(scale)

    @override
    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if isinstance(obj, FidelityScale) and not change:
            obj.created_by = request.user  # type: ignore[assignment]  # a signed-in staff user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Put the selected drafts in use"))
    def put_in_use(self, request: HttpRequest, queryset: QuerySet[FidelityScale]) -> None:
        for scale in queryset.filter(status=ScaleStatus.DRAFT):
            try:
                services.activate_scale(actor=request.user, scale=scale)  # type: ignore[arg-type]  # staff user
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [])) or str(_("Not allowed."))
                self.message_user(request, f"{scale}: {text}", messages.ERROR)


def _anchor_field(value: str) -> forms.CharField:
    return forms.CharField(
        label=format_lazy(_("Anchor text for rating {rating}"), rating=value),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ItemAdminForm(forms.ModelForm):  # type: ignore[type-arg]  # admin form, untyped base
    """The item's label and one text box per rating, stored as ``anchors``."""

    anchor_1 = _anchor_field("1")
    anchor_2 = _anchor_field("2")
    anchor_3 = _anchor_field("3")
    anchor_4 = _anchor_field("4")
    anchor_5 = _anchor_field("5")

    class Meta:
        model = FidelityItem
        fields = ("domain", "position", "code", "label")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anchors = self.instance.anchors or {}
        for value in RATING_KEYS:
            self.fields[f"anchor_{value}"].initial = anchors.get(value, "")

    @override
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        self.instance.anchors = {
            value: text.strip()
            for value in RATING_KEYS
            if (text := cleaned.get(f"anchor_{value}") or "").strip()
        }
        return cleaned


@admin.register(FidelityItem)
class FidelityItemAdmin(AgencyScopedAdmin):
    form = ItemAdminForm
    agency_field = "domain__scale__agency_id"
    list_display = ("label", "domain", "position")
    list_select_related = ("domain", "domain__scale")
    list_filter = ("domain__scale",)
    search_fields = ("label",)
    foreign_key_scopes = {"domain": "scale__agency_id"}

    @override
    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]  # list is a sequence
        return ["domain", "position", "code", "label", *(f"anchor_{v}" for v in RATING_KEYS)]

    @override
    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "domain":
            domains = FidelityDomain.objects.filter(scale__status=ScaleStatus.DRAFT)
            kwargs["queryset"] = self.scope_choices(request, domains, "scale__agency_id")
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @override
    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        scale = obj.domain.scale if isinstance(obj, FidelityItem) else None
        return super().has_change_permission(request, obj) and _is_draft(scale)

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        scale = obj.domain.scale if isinstance(obj, FidelityItem) else None
        return super().has_delete_permission(request, obj) and _is_draft(scale)
