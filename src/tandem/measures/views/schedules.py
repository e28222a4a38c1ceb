"""A programme's measurement schedules, added, changed and deactivated on configuration pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.accounts.models import Role
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.measures import services
from tandem.measures.forms import DeactivateScheduleForm, ScheduleForm
from tandem.measures.labels import localised
from tandem.measures.models import Schedule
from tandem.measures.registry import get_instrument
from tandem.measures.selectors import get_schedule_for_configuration
from tandem.orgs.selectors import get_programme_for_configuration
from tandem.orgs.services import ConfigurationChangedError, configuration_fingerprint

CONFIGURING_ROLES = (Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN)


def _hub(programme_id: int) -> str:
    return reverse("site:programme_configuration", args=[programme_id]) + "#schedules"


def _changed_elsewhere(form: BaseForm) -> None:
    form.add_error(
        None,
        _(
            "This schedule was changed by someone else while you were editing. Your input is "
            "kept below: compare it with the schedule as it is now, then save again."
        ),
    )


@require_http_methods(["GET", "POST"])
@role_required(*CONFIGURING_ROLES)
@form_token_required
def schedule_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a measurement schedule to a programme."""
    user = user_of(request)
    programme = get_programme_for_configuration(user, pk)
    form = ScheduleForm(request.POST or None, initial={"rule": "intake"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {name: form.cleaned_data.get(name) for name in services.SCHEDULE_FIELDS}
            try:
                services.create_schedule(actor=user, programme=programme, values=values)
            except ValidationError as error:
                show_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("The schedule is added."))
                return redirect(_hub(programme.pk))
        else:
            status = 400
    return render(
        request,
        "measures/schedule_form.html",
        {"programme": programme, "form": form, "schedule": None},
        status=status,
    )


def _fingerprint(schedule: Schedule) -> str:
    return configuration_fingerprint(services.schedule_settings(schedule))


@require_http_methods(["GET", "POST"])
@role_required(*CONFIGURING_ROLES)
@form_token_required
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a schedule; the administrations it already made keep their dates."""
    user = user_of(request)
    schedule = get_schedule_for_configuration(user, pk)
    programme = schedule.programme
    if request.method == "POST":
        # A bound ModelForm writes into its instance: validate on a copy.
        form = ScheduleForm(
            request.POST, instance=Schedule.objects.get(pk=schedule.pk), editing=True
        )
    else:
        form = ScheduleForm(
            instance=schedule, editing=True, initial={"fingerprint": _fingerprint(schedule)}
        )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {name: form.cleaned_data.get(name) for name in services.SCHEDULE_FIELDS}
            try:
                services.update_schedule(
                    actor=user,
                    schedule=schedule,
                    values=values,
                    expected_fingerprint=form.cleaned_data["fingerprint"] or None,
                    reason=form.cleaned_data["reason"],
                )
            except ConfigurationChangedError:
                _changed_elsewhere(form)
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("The schedule is saved."))
                return redirect(_hub(programme.pk))
        else:
            status = 400
    return render(
        request,
        "measures/schedule_form.html",
        {"programme": programme, "form": form, "schedule": schedule},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*CONFIGURING_ROLES)
@form_token_required
def schedule_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a schedule with a reason, or activate a deactivated one again."""
    user = user_of(request)
    schedule = get_schedule_for_configuration(user, pk)
    form = DeactivateScheduleForm(
        request.POST or None, initial={"fingerprint": _fingerprint(schedule)}
    )
    if schedule.is_active is False:
        form.fields["reason"].required = False
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.set_schedule_active(
                    actor=user,
                    schedule=schedule,
                    is_active=not schedule.is_active,
                    reason=form.cleaned_data["reason"],
                    expected_fingerprint=form.cleaned_data["fingerprint"] or None,
                )
            except ConfigurationChangedError:
                _changed_elsewhere(form)
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("The schedule is reactivated.")
                    if not schedule.is_active
                    else _("The schedule is deactivated."),
                )
                return redirect(_hub(schedule.programme_id))
        else:
            status = 400
    return render(
        request,
        "measures/schedule_active.html",
        {
            "programme": schedule.programme,
            "schedule": schedule,
            "form": form,
            "instrument_title": localised(get_instrument(schedule.instrument_code).title),
        },
        status=status,
    )
