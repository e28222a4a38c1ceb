"""Pages to correct or void a contact, a goal or a step, each with its reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.core.access import user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.practice import selectors as practice_selectors
from tandem.practice.corrections import selectors, services
from tandem.practice.corrections.forms import (
    ContactCorrectionForm,
    GoalCorrectionForm,
    StepCorrectionForm,
    VoidForm,
)
from tandem.practice.services import PlanChangedError

CONFLICT = (services.RecordChangedError, PlanChangedError)


def _changed_elsewhere(form: Form, version: int) -> None:
    """Say so, keep the input, and let a deliberate second save go against ``version``."""
    form.add_error(
        None,
        _(
            "This entry was changed by someone else while you were editing. Your input is kept "
            "below: read the entry as it is now, then save again."
        ),
    )
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    data["version"] = str(version)
    form.data = data


def _handle(
    request: HttpRequest,
    *,
    edit: Form,
    void: Form,
    save_edit: Callable[[dict[str, Any]], object],
    save_void: Callable[[dict[str, Any]], object],
    stored_version: Callable[[], int],
) -> bool:
    """Run the posted correction or void; True when saved."""
    action = request.POST.get("action")
    form = {"edit": edit, "void": void}.get(action or "")
    if form is None or not form.is_valid():
        return False
    try:
        (save_edit if action == "edit" else save_void)(form.cleaned_data)
    except CONFLICT:
        _changed_elsewhere(form, stored_version())
    except ValidationError as error:
        show_service_error(form, error)
    else:
        return True
    return False


def _bound(request: HttpRequest, action: str) -> Any:
    return request.POST if request.POST.get("action") == action else None


@require_http_methods(["GET", "POST"])
@form_token_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a contact (date, minutes, mode, with whom, note) or void it, with a reason."""
    user = user_of(request)
    contact = selectors.get_contact_for(user, pk)
    initial = {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
    edit = ContactCorrectionForm(
        _bound(request, "edit"), initial={**initial, "version": contact.version}
    )
    void = VoidForm(
        _bound(request, "void"), auto_id="void-%s", initial={"version": contact.version}
    )

    def save_edit(data: dict[str, Any]) -> object:
        fields = {name: data[name] for name in services.CONTACT_FIELDS}
        return services.correct_contact(
            actor=user,
            contact=contact,
            expected_version=data["version"],
            reason=data["reason"],
            **fields,
        )

    def save_void(data: dict[str, Any]) -> object:
        return services.void_contact(
            actor=user, contact=contact, expected_version=data["version"], reason=data["reason"]
        )

    if request.method == "POST" and _handle(
        request,
        edit=edit,
        void=void,
        save_edit=save_edit,
        save_void=save_void,
        stored_version=lambda: selectors.get_contact_for(user, pk).version,
    ):
        voided = request.POST.get("action") == "void"
        messages.success(request, _("Contact voided.") if voided else _("Contact corrected."))
        return redirect("practice:contacts", pk=contact.client_id)
    return render(
        request,
        "practice/corrections/contact_edit.html",
        {"contact": contact, "client": contact.client, "edit_form": edit, "void_form": void},
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a goal's words or domain, or void it (with its steps), with a reason."""
    user = user_of(request)
    goal = selectors.get_goal_for(user, pk)
    plan = goal.plan
    initial = {"domain": goal.domain, "own_words": goal.own_words, "version": plan.version}
    edit = GoalCorrectionForm(_bound(request, "edit"), initial=initial)
    void = VoidForm(_bound(request, "void"), auto_id="void-%s", initial={"version": plan.version})

    def save_edit(data: dict[str, Any]) -> object:
        return services.correct_goal(
            actor=user,
            goal=goal,
            expected_version=data["version"],
            reason=data["reason"],
            domain=data["domain"],
            own_words=data["own_words"],
        )

    def save_void(data: dict[str, Any]) -> object:
        return services.void_goal(
            actor=user, goal=goal, expected_version=data["version"], reason=data["reason"]
        )

    if request.method == "POST" and _handle(
        request,
        edit=edit,
        void=void,
        save_edit=save_edit,
        save_void=save_void,
        stored_version=lambda: selectors.get_goal_for(user, pk).plan.version,
    ):
        voided = request.POST.get("action") == "void"
        messages.success(request, _("Goal voided.") if voided else _("Goal corrected."))
        return redirect("practice:plan", pk=plan.client_id)
    return render(
        request,
        "practice/corrections/goal_edit.html",
        {"goal": goal, "client": plan.episode.client, "edit_form": edit, "void_form": void},
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def step_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a step (what, who, by when, resource) or void it, with a reason."""
    user = user_of(request)
    step = selectors.get_step_for(user, pk)
    plan = step.goal.plan
    initial = {
        "what": step.action,
        "responsible": step.responsible,
        "due_on": step.due_on,
        "resource": step.resource,
    }
    edit = StepCorrectionForm(
        _bound(request, "edit"),
        initial={**initial, "version": plan.version},
        resources=practice_selectors.resources_for(user),
    )
    void = VoidForm(_bound(request, "void"), auto_id="void-%s", initial={"version": plan.version})

    def save_edit(data: dict[str, Any]) -> object:
        return services.correct_step(
            actor=user,
            step=step,
            expected_version=data["version"],
            reason=data["reason"],
            action=data["what"],
            responsible=data["responsible"],
            due_on=data["due_on"],
            resource=data["resource"],
        )

    def save_void(data: dict[str, Any]) -> object:
        return services.void_step(
            actor=user, step=step, expected_version=data["version"], reason=data["reason"]
        )

    if request.method == "POST" and _handle(
        request,
        edit=edit,
        void=void,
        save_edit=save_edit,
        save_void=save_void,
        stored_version=lambda: selectors.get_step_for(user, pk).goal.plan.version,
    ):
        voided = request.POST.get("action") == "void"
        messages.success(request, _("Step voided.") if voided else _("Step corrected."))
        return redirect("practice:plan", pk=plan.client_id)
    return render(
        request,
        "practice/corrections/step_edit.html",
        {"step": step, "client": plan.episode.client, "edit_form": edit, "void_form": void},
    )
