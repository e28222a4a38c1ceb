"""The fidelity scale editor: list, new draft, edit a draft's domains and items, activate."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.accounts.access import agency_ids_administered_by
from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required, submission_not_saved
from tandem.core.forms import show_service_error
from tandem.fidelity import selectors, services
from tandem.fidelity.forms import (
    DomainForm,
    ItemForm,
    NewItemForm,
    RowForm,
    ScaleCreateForm,
    ScaleSettingsForm,
)
from tandem.fidelity.models import FidelityItem, FidelityScale, ScaleStatus
from tandem.orgs.models import Agency

SCALE_ROLES = (Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)
ROW_INPUTS = {"rename_domain": "name", "add_item": "label"}


def _posted_revision(request: HttpRequest) -> int:
    """The draft revision the submitted form was drawn from (-1, never current, if absent)."""
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else -1


def _changed_elsewhere(request: HttpRequest, scale: FidelityScale) -> int:
    """Say the draft moved on; the page is drawn again from it with the typed input kept."""
    messages.error(
        request,
        _(
            "This scale was changed by someone else while you were editing. Your input is "
            "kept: check the scale as it is now, then save again."
        ),
    )
    scale.refresh_from_db()
    return 409


@role_required(*SCALE_ROLES)
@require_http_methods(["GET"])
def scale_list(request: HttpRequest) -> HttpResponse:
    """Scales the user may read or draft, grouped by status."""
    user = user_of(request)
    scales = list(
        selectors.scales_visible_to(user)
        .select_related("programme", "agency")
        .order_by("status", "name", "version")
    )
    return render(request, "fidelity/scale_list.html", {"scales": scales})


@role_required(*SCALE_ROLES)
@require_http_methods(["GET", "POST"])
@form_token_required
def scale_new(request: HttpRequest) -> HttpResponse:
    """Draft a scale for a programme (or, for an agency administrator, the whole agency)."""
    user = user_of(request)
    administered = agency_ids_administered_by(user)
    programmes = selectors.programmes_for_drafting(user)
    form = ScaleCreateForm(
        request.POST or None, programmes=programmes, agency_wide=bool(administered)
    )
    if request.method == "POST" and form.is_valid():
        programme = form.cleaned_data["programme"]
        agency = (
            programme.agency
            if programme is not None
            else Agency.objects.filter(pk__in=administered).order_by("pk").first()
        )
        try:
            if agency is None:
                raise PermissionDenied
            scale = services.create_scale(
                actor=user,
                agency=agency,
                programme=programme,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                start_from=form.cleaned_data["start_from"],
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Draft scale created."))
            return redirect("fidelity:scale_detail", pk=scale.pk)
    return render(request, "fidelity/scale_form.html", {"form": form})


def _settings_initial(scale: FidelityScale) -> dict[str, object]:
    return {
        "name": scale.name,
        "description": scale.description,
        "high_fidelity_threshold": scale.high_fidelity_threshold,
        "high_fidelity_domain_count": scale.high_fidelity_domain_count,
    }


@role_required(*SCALE_ROLES)
@require_http_methods(["GET", "POST"])
@form_token_required
def scale_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A scale's structure; a draft is edited here, an active scale is read-only."""
    user = user_of(request)
    scale = selectors.get_scale_for(user, pk)
    can_edit = selectors.can_edit_scale(user, scale)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    forms: dict[str, Form] = {
        "settings": ScaleSettingsForm(
            data if action == "settings" else None, initial=_settings_initial(scale)
        ),
        "add_domain": DomainForm(data if action == "add_domain" else None, prefix="new-domain"),
    }
    status = 200
    kept: dict[str, object] = {}
    if action:
        outcome = _edit_scale(request, user, scale, action, forms)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
        if status == 409 and action in ROW_INPUTS:
            kept = {
                "row": request.POST.get("row", ""),
                "action": action,
                "value": request.POST.get(ROW_INPUTS[action], ""),
            }
        can_edit = selectors.can_edit_scale(user, scale)
    return render(
        request,
        "fidelity/scale_detail.html",
        {
            "scale": scale,
            "domains": selectors.scale_structure(scale),
            "can_edit": can_edit,
            "can_copy": selectors.can_draft_for(user, scale.agency_id, scale.programme_id),
            "forms": forms,
            "kept": kept,
            "is_active": scale.status == ScaleStatus.ACTIVE,
        },
        status=status,
    )


def _edit_scale(
    request: HttpRequest, user: User, scale: FidelityScale, action: str, forms: dict[str, Form]
) -> HttpResponse | int:
    """Run one editor action: a redirect when done, else the status to show the page with."""
    if action == "new_version":
        copy = services.new_scale_version(actor=user, scale=scale)
        messages.success(request, _("A new draft version was created."))
        return redirect("fidelity:scale_detail", pk=copy.pk)
    if not selectors.can_edit_scale(user, scale):
        raise PermissionDenied
    form = forms.get(action)
    revision = _posted_revision(request)
    run: Callable[[], object] | None = None
    if action == "settings" and form is not None and form.is_valid():
        run = lambda: services.update_scale(  # noqa: E731
            actor=user, scale=scale, expected_revision=revision, **form.cleaned_data
        )
    elif action == "add_domain" and form is not None and form.is_valid():
        run = lambda: services.add_domain(  # noqa: E731
            actor=user, scale=scale, expected_revision=revision, **form.cleaned_data
        )
    elif action == "activate":
        run = lambda: services.activate_scale(  # noqa: E731
            actor=user, scale=scale, expected_revision=revision
        )
    elif action in ROW_ACTIONS:
        run = _row_action(request, user, scale, action, revision)
    if run is None:
        return 200
    try:
        run()
    except services.ScaleChangedError:
        return _changed_elsewhere(request, scale)
    except ValidationError as error:
        target = form if form is not None else forms["settings"]
        show_service_error(target, error)
        if form is None:
            submission_not_saved(request)
            messages.error(request, " ".join(error.messages))
            return redirect("fidelity:scale_detail", pk=scale.pk)
        return 200
    messages.success(request, _("Scale saved."))
    return redirect("fidelity:scale_detail", pk=scale.pk)


ROW_ACTIONS = {
    "rename_domain",
    "remove_domain",
    "domain_up",
    "domain_down",
    "add_item",
    "remove_item",
    "item_up",
    "item_down",
}


def _row_action(
    request: HttpRequest, user: User, scale: FidelityScale, action: str, revision: int
) -> Callable[[], object] | None:
    """The edit a per-row button asks for, on a domain or item of this scale only."""
    row = RowForm(request.POST)
    if not row.is_valid():
        return None
    pk = row.cleaned_data["row"]
    if action in {"item_up", "item_down", "remove_item"}:
        found = (
            FidelityItem.objects.filter(pk=pk, domain__scale=scale)
            .select_related("domain", "domain__scale")
            .first()
        )
        if found is None:
            raise PermissionDenied
        if action == "remove_item":
            return lambda: services.remove_item(actor=user, item=found, expected_revision=revision)
        return lambda: services.move_item(
            actor=user,
            item=found,
            offset=-1 if action == "item_up" else 1,
            expected_revision=revision,
        )
    domain = scale.domains.select_related("scale").filter(pk=pk).first()
    if domain is None:
        raise PermissionDenied
    if action == "rename_domain":
        form = DomainForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("A domain needs a name."))
            return None
        return lambda: services.rename_domain(
            actor=user, domain=domain, expected_revision=revision, **form.cleaned_data
        )
    if action == "add_item":
        new = NewItemForm(request.POST)
        if not new.is_valid():
            messages.error(request, _("An item needs a label."))
            return None
        return lambda: services.add_item(
            actor=user, domain=domain, expected_revision=revision, **new.cleaned_data
        )
    if action == "remove_domain":
        return lambda: services.remove_domain(actor=user, domain=domain, expected_revision=revision)
    return lambda: services.move_domain(
        actor=user,
        domain=domain,
        offset=-1 if action == "domain_up" else 1,
        expected_revision=revision,
    )


@role_required(*SCALE_ROLES)
@require_http_methods(["GET", "POST"])
@form_token_required
def scale_item(request: HttpRequest, pk: int) -> HttpResponse:
    """An item's label and anchor text for ratings 1-5 (read-only once the scale is in use)."""
    user = user_of(request)
    item = selectors.get_item_for(user, pk)
    scale = item.domain.scale
    can_edit = selectors.can_edit_scale(user, scale)
    initial = {"label": item.label, **{f"anchor_{k}": v for k, v in item.anchors.items()}}
    form = ItemForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.update_item(
                    actor=user,
                    item=item,
                    label=form.cleaned_data["label"],
                    anchors=form.anchors(),
                    expected_revision=_posted_revision(request),
                )
            except services.ScaleChangedError:
                status = _changed_elsewhere(request, scale)
                can_edit = selectors.can_edit_scale(user, scale)
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Item saved."))
                return redirect("fidelity:scale_detail", pk=scale.pk)
    record_event(actor=user, action=Action.VIEW, obj=item, agency_id=scale.agency_id)
    return render(
        request,
        "fidelity/scale_item.html",
        {"item": item, "scale": scale, "form": form, "can_edit": can_edit},
        status=status,
    )
